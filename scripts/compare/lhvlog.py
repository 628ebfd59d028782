"""Read what one lhv boot printed on its serial console: the contract lines
(docs/console.md), the power-off summary including the "summary: lhp"
lines of vmm/obs/, and each guest's report (docs/linux.md: /init's
LHV-GUEST lines, the workloads' RESULT lines, the agent's LHV-AGENT lines).
Standard library only."""
import re

_TS = re.compile(r'^\[\s*[0-9.]+\] cpu\d+: ')
_GUEST = re.compile(r'^\[([A-Za-z0-9_-]+)\] (.*)$')
_LHP = re.compile(r'summary: lhp vm (\S+) phase (\S+) (.*)$')
_VCPU = re.compile(r'summary: vm (\S+) vcpu(\d+) run ([0-9.]+) steal ([0-9.]+) preempt (\d+) migr (\d+) '
                   r'wake max (\d+) mean (\d+) exits (\d+)')
_BACKEND = re.compile(r'cpu0: (\w+): on: ')
_POLICY = re.compile(r'cpu0: sched: policy (\S+)')
_STARTED = re.compile(r'^HV VM (\S+) started vcpus=(\d+) mem=(\d+)M')
_STOPPED = re.compile(r'^HV VM (\S+) stopped reason=(\S+)')


def _kv(text):
    """'a 1 b 2.5 c x' -> {'a': 1, 'b': 2.5, 'c': 'x'} (pairs of words)."""
    w = text.split()
    out = {}
    for k, v in zip(w[0::2], w[1::2]):
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def _result(line):
    """'RESULT ops_per_s=1.5 workload=x ...' -> dict (numbers converted)."""
    out = {}
    for tok in line.split()[1:]:
        if '=' not in tok:
            continue
        k, v = tok.split('=', 1)
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


class Guest:
    def __init__(self, name):
        self.name = name
        self.lines = []
        self.works = []          # [{'name', 'rc', 'result': dict or None, 'results': n}]
        self.summary = None      # LHV-GUEST: summary ... as dict
        self.cpus_online = None
        self.spinlock = None     # LHV-AGENT: spinlock: ...
        self.agent = False       # LHV-AGENT: registered
        self.agent_problem = None


class BootLog:
    def __init__(self):
        self.ready = False
        self.poweroff = False
        self.panic = None
        self.errors = []
        self.backend = None
        self.policy = None
        self.vms = {}            # name -> {'vcpus', 'mem_mb', 'stop'}
        self.guests = {}         # name -> Guest
        self.lhp = {}            # (vm, phase) -> dict
        self.vcpus = {}          # (vm, i) -> dict
        self.last_line = ''

    def guest(self, name):
        return self.guests.setdefault(name, Guest(name))


def parse(text):
    b = BootLog()
    open_work = {}
    for raw in text.replace('\r', '').replace('\0', '').split('\n'):
        line = raw.rstrip()
        if not line:
            continue
        b.last_line = line
        if line.startswith('HV READY'):
            b.ready = True
        elif line == 'HV POWEROFF':
            b.poweroff = True
        elif line.startswith('HV PANIC') or re.match(r'^(\[[^]]*\] *)?(cpu[0-9]+: *)?(HV )?PANIC', line):
            b.panic = line
        elif line.startswith('HV ERROR'):
            b.errors.append(line[len('HV ERROR '):])
        m = _STARTED.match(line)
        if m:
            b.vms[m.group(1)] = dict(vcpus=int(m.group(2)), mem_mb=int(m.group(3)), stop=None)
        m = _STOPPED.match(line)
        if m and m.group(1) in b.vms:
            b.vms[m.group(1)]['stop'] = m.group(2)
        m = _GUEST.match(line)
        if m and not _TS.match(line):
            g = b.guest(m.group(1))
            msg = m.group(2)
            g.lines.append(msg)
            w = re.match(r'LHV-GUEST: work (\S+) start$', msg)
            if w:
                open_work[g.name] = dict(name=w.group(1), rc=None, result=None, results=0)
                g.works.append(open_work[g.name])
                continue
            w = re.match(r'LHV-GUEST: work (\S+) rc=(\d+)$', msg)
            if w and g.name in open_work:
                open_work.pop(g.name)['rc'] = int(w.group(2))
                continue
            if msg.startswith('RESULT ') and g.name in open_work:
                open_work[g.name]['result'] = _result(msg)
                open_work[g.name]['results'] += 1
                continue
            w = re.match(r'LHV-GUEST: summary (.*)$', msg)
            if w:
                g.summary = _result('x ' + w.group(1))
                continue
            w = re.match(r'LHV-GUEST: cpus online=\S+ count=(\d+)$', msg)
            if w:
                g.cpus_online = int(w.group(1))
                continue
            w = re.match(r'LHV-AGENT: spinlock: (.*)$', msg)
            if w:
                g.spinlock = w.group(1)
                continue
            if msg.startswith('LHV-AGENT: registered'):
                g.agent = True
            elif msg.startswith('LHV-AGENT: ') and ('refused' in msg or 'error' in msg or 'no ' in msg):
                g.agent_problem = msg[len('LHV-AGENT: '):]
            continue
        m = _LHP.search(line)
        if m:
            b.lhp.setdefault((m.group(1), m.group(2)), {}).update(_kv(m.group(3)))
            continue
        m = _VCPU.search(line)
        if m:
            b.vcpus[(m.group(1), int(m.group(2)))] = dict(
                run_ms=float(m.group(3)), steal_ms=float(m.group(4)), preempt=int(m.group(5)),
                migr=int(m.group(6)), wake_max_us=int(m.group(7)), wake_mean_us=int(m.group(8)),
                exits=int(m.group(9)))
            continue
        m = _BACKEND.search(line)
        if m and not b.backend:
            b.backend = m.group(1)
        m = _POLICY.search(line)
        if m:
            b.policy = m.group(1)
    return b


def guest_lock(spinlock_line):
    """The guest's spinlock flavour from its 'PV spinlocks ...' line
    (Linux 6.1 arch/x86/kernel/kvm.c): tas (no PV_UNHALT: the unfair
    test-and-set fallback), qspin (nopvspin or the REALTIME hint: the native
    fair queued lock), pv (the paravirtual queued lock)."""
    if not spinlock_line or spinlock_line == 'none':
        return 'unknown'
    if 'enabled' in spinlock_line:
        return 'pv'
    if 'no host support' in spinlock_line:
        return 'tas'
    if 'single CPU' in spinlock_line:
        return 'single'       # one possible CPU: no lock is ever contended
    if 'nopvspin' in spinlock_line or 'REALTIME' in spinlock_line:
        return 'qspin'
    return 'unknown'
