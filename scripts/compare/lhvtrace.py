"""Read lhv's trace (hypervisor option trace=1; the wire format of
vmm/obs/trace_fmt.h, docs/experiments.md "The trace") and turn it into a
Chrome/Perfetto JSON trace, symbol histograms and per-phase counts.

Standard library only. Used by scripts/lhv-trace.py and the comparison
harness (scripts/compare/)."""
import bisect
import json
import re

FMT_VERSION = 1

# Record types (trace_fmt.h enum trace_type).
DISPATCH, DESCHED, LHP, SPIN, PVWAIT, HALT, KICK, MARK, POLICY, DROP = 'DPLSWHKMCX'
WHY = {1: 'preempt', 2: 'yield', 3: 'halt', 4: 'init', 5: 'stop', 6: 'block'}
POLICY_NAMES = {1: 'delay', 2: 'co-stop', 3: 'co-start', 4: 'mode'}
# Classification bits (lhp_acct.h LHP_C_*).
C_KERNEL, C_IRQOFF, C_PCOFF, C_IDLE, C_CS, C_PC = 1, 2, 4, 8, 16, 32
USER_END = 1 << 47

_HEADER = re.compile(rb'lhvtrace (\d+)((?: \S+=\S+)*)')


class TraceError(Exception):
    pass


class Trace:
    """A parsed trace. records: tuples (type, pcpu, seq, ns, vm, vcpu,
    flags, a, b, c) sorted by time; vms: {id: (name, nvcpus)}; syms: {vm:
    sorted [(addr, name)]}; bad_lines, dropped, seq_gaps: what was lost."""

    def __init__(self):
        self.header = {}
        self.vms = {}
        self.records = []
        self.syms = {}
        self.bad_lines = 0
        self.dropped = 0
        self.seq_gaps = 0
        self._addrs = {}

    # -- reading ---------------------------------------------------------
    @classmethod
    def read(cls, path):
        with open(path, 'rb') as f:
            return cls.parse(f.read())

    @classmethod
    def parse(cls, data):
        t = cls()
        lines = data.split(b'\n')
        start = None
        for i, line in enumerate(lines):
            m = _HEADER.search(line)
            if m:
                start = i
                t.header['version'] = int(m.group(1))
                for kv in m.group(2).split():
                    k, v = kv.decode('ascii', 'replace').split('=', 1)
                    t.header[k] = v
                break
        if start is None:
            raise TraceError('no "lhvtrace" header: was the hypervisor run with trace=1?')
        if t.header['version'] != FMT_VERSION:
            raise TraceError(f'trace format {t.header["version"]}, this reader knows {FMT_VERSION}')
        syms = {}
        last_seq = {}
        for raw in lines[start + 1:]:
            if not raw:
                continue
            line = raw.decode('ascii', 'replace')
            kind = line[0]
            try:
                if kind == 'V':
                    _, vm, n, name = line.split(' ', 3)
                    t.vms[int(vm, 16)] = (name, int(n, 16))
                elif kind == 'Y':
                    _, vm, addr, name = line.split(' ', 3)
                    syms.setdefault(int(vm, 16), []).append((int(addr, 16), name))
                elif kind in 'DPLSWHKMCX' and line[1:2] == ' ':
                    f = line.split(' ')
                    if len(f) != 10:
                        raise ValueError(line)
                    rec = (kind,) + tuple(int(x, 16) for x in f[1:])
                    pcpu, seq = rec[1], rec[2]
                    if pcpu in last_seq and seq != last_seq[pcpu] + 1:
                        t.seq_gaps += 1
                    last_seq[pcpu] = seq
                    if kind == DROP:
                        t.dropped += rec[7]
                    t.records.append(rec)
                else:
                    t.bad_lines += 1
            except ValueError:
                t.bad_lines += 1
        t.records.sort(key=lambda r: (r[3], r[1], r[2]))
        for vm, lst in syms.items():
            lst.sort()
            t.syms[vm] = lst
            t._addrs[vm] = [a for a, _ in lst]
        return t

    def first_seqs(self):
        """{pcpu: the sequence number of its first record}: 0 everywhere
        when the trace holds every ring from its start."""
        first = {}
        for r in self.records:
            if r[1] not in first or r[2] < first[r[1]]:
                first[r[1]] = r[2]
        return first

    # -- symbols ---------------------------------------------------------
    def symbolize(self, vm, rip, offset=True):
        """'name+0xoff' (or 'name' without offset) for a kernel RIP,
        '[user]' below the kernel half, '[?]' when no symbol table covers
        it. VMs whose agent found its table already in the trace (the same
        kernel) use another VM's."""
        if rip < USER_END:
            return '[user]'
        table = vm if vm in self.syms else next(iter(self.syms), None)
        if table is None:
            return f'{rip:#x}'
        addrs = self._addrs[table]
        i = bisect.bisect_right(addrs, rip) - 1
        if i < 0 or rip - addrs[i] > 0x100000:
            return '[?]'
        addr, name = self.syms[table][i]
        return f'{name}+{rip - addr:#x}' if offset else name

    def vm_name(self, vm):
        return self.vms.get(vm, (f'vm{vm}', 0))[0]

    # -- phases and counts -----------------------------------------------
    def phases(self):
        """{vm_name: [(label, begin_ns, end_ns)]} from the agent's marks."""
        out, open_ = {}, {}
        for r in self.records:
            if r[0] != MARK:
                continue
            vm, kind = r[4], r[6]
            label = (r[8].to_bytes(8, 'little') + r[9].to_bytes(8, 'little')).rstrip(b'\0').decode('ascii', 'replace')
            if kind == 1:
                open_[vm] = (label, r[3])
            elif kind == 2 and vm in open_:
                lab, b = open_.pop(vm)
                out.setdefault(self.vm_name(vm), []).append((lab, b, r[3]))
        return out

    def counts(self, vm_name, begin=None, end=None):
        """What the trace says about one VM between two instants (inclusive
        begin, exclusive end): the same quantities as the hypervisor's
        "summary: lhp" lines (docs/console.md)."""
        c = dict(preempt=0, cs=0, lhp=0, spins=0, long_spins=0, spin_ms=0.0, pv_halts=0,
                 long_pv=0, kicks=0, yields=0)
        for r in self.records:
            if self.vm_name(r[4]) != vm_name:
                continue
            if (begin is not None and r[3] < begin) or (end is not None and r[3] >= end):
                continue
            k = r[0]
            if k == DESCHED and r[6] == 1:
                c['preempt'] += 1
                c['cs'] += bool(r[7] & C_CS)
            elif k == DESCHED and r[6] == 2:
                c['yields'] += 1
            elif k == LHP and r[6] == 1:
                c['lhp'] += 1
            elif k == SPIN:
                c['spins'] += 1
                c['long_spins'] += r[6] & 1
                c['spin_ms'] += r[9] / 1e6
            elif k == PVWAIT:
                c['pv_halts'] += 1
                c['long_pv'] += r[6] & 1
            elif k == KICK:
                c['kicks'] += 1
        return c

    def histograms(self, vm_name=None, begin=None, end=None):
        """Where vCPUs were preempted ({function: [all, in a critical
        section]}) and where they spun ({function: [episodes, ms]})."""
        pre, spin = {}, {}
        for r in self.records:
            if vm_name is not None and self.vm_name(r[4]) != vm_name:
                continue
            if (begin is not None and r[3] < begin) or (end is not None and r[3] >= end):
                continue
            if r[0] == DESCHED and r[6] == 1:
                e = pre.setdefault(self.symbolize(r[4], r[8], False), [0, 0])
                e[0] += 1
                e[1] += bool(r[7] & C_CS)
            elif r[0] == SPIN:
                e = spin.setdefault(self.symbolize(r[4], r[8], False), [0, 0.0])
                e[0] += 1
                e[1] += r[9] / 1e6
        return pre, spin

    # -- Chrome / Perfetto JSON ------------------------------------------
    def to_chrome(self):
        """The Trace Event Format (JSON object form): process 1 has a
        thread per pCPU with a complete event (ph X) for every stretch a
        vCPU ran and instant events (ph i, thread scope) for preemptions
        (LHP marked), kicks, policy events; process 100+vm per VM has a
        thread per vCPU with its spin episodes and PV waits, and a
        "phases" thread with the agent's phases. Times in microseconds."""
        ev = []
        us = lambda ns: round(ns / 1000.0, 3)
        ncpu = int(self.header.get('pcpus', '0') or 0)
        ev.append(dict(ph='M', pid=1, name='process_name', args=dict(name='pCPUs')))
        ev.append(dict(ph='M', pid=1, name='process_sort_index', args=dict(sort_index=0)))
        for p in range(ncpu):
            ev.append(dict(ph='M', pid=1, tid=p, name='thread_name', args=dict(name=f'pCPU {p}')))
        for vm, (name, n) in sorted(self.vms.items()):
            pid = 100 + vm
            ev.append(dict(ph='M', pid=pid, name='process_name', args=dict(name=f'VM {name}')))
            ev.append(dict(ph='M', pid=pid, name='process_sort_index', args=dict(sort_index=1 + vm)))
            for c in range(n):
                ev.append(dict(ph='M', pid=pid, tid=c, name='thread_name', args=dict(name=f'vcpu{c}')))
            ev.append(dict(ph='M', pid=pid, tid=999, name='thread_name', args=dict(name='phases')))
        running = {}                      # pcpu -> (vm, vcpu, start ns)
        marks = {}
        for r in self.records:
            k, pcpu, _, ns, vm, vcpu, flags, a, b, c = r
            who = f'{self.vm_name(vm)}/vcpu{vcpu}'
            if k == DISPATCH:
                if pcpu in running:       # a lost deschedule: close at this dispatch
                    pvm, pvc, st = running.pop(pcpu)
                    ev.append(dict(ph='X', pid=1, tid=pcpu, ts=us(st), dur=us(ns - st),
                                   name=f'{self.vm_name(pvm)}/vcpu{pvc}', cat='run',
                                   args=dict(end='?')))
                running[pcpu] = (vm, vcpu, ns)
            elif k == DESCHED:
                why = WHY.get(flags, str(flags))
                if pcpu in running and running[pcpu][:2] == (vm, vcpu):
                    st = running.pop(pcpu)[2]
                    ev.append(dict(ph='X', pid=1, tid=pcpu, ts=us(st), dur=us(ns - st), name=who,
                                   cat='run', args=dict(end=why, rip=self.symbolize(vm, b))))
                if flags == 1:
                    cs = bool(a & C_CS)
                    ev.append(dict(ph='i', s='t', pid=1, tid=pcpu, ts=us(ns), cat='preempt',
                                   name='preempt CS' if cs else 'preempt',
                                   args=dict(vcpu=who, rip=self.symbolize(vm, b),
                                             kernel=bool(a & C_KERNEL), irq_off=bool(a & C_IRQOFF),
                                             preempt_count=f'{c:#x}' if a & C_PC else None,
                                             idle=bool(a & C_IDLE))))
            elif k == LHP:
                ev.append(dict(ph='i', s='t', pid=1, tid=pcpu, ts=us(ns), cat='lhp',
                               name='LHP resolved' if flags & 1 else 'CS preempt harmless',
                               args=dict(vcpu=who, rip=self.symbolize(vm, b), sibling_ran_us=a,
                                         preempted_at_us=us(c))))
                if flags & 1:
                    ev.append(dict(ph='X', pid=100 + vm, tid=vcpu, ts=us(c), dur=us(ns - c), name='LHP',
                                   cat='lhp', args=dict(rip=self.symbolize(vm, b), sibling_ran_us=a)))
            elif k == SPIN:
                ev.append(dict(ph='X', pid=100 + vm, tid=vcpu, ts=us(ns - c), dur=us(c),
                               name='spin >1ms' if flags & 1 else 'spin', cat='spin',
                               args=dict(rip=self.symbolize(vm, b), pause_exits=a)))
            elif k == PVWAIT:
                ev.append(dict(ph='X', pid=100 + vm, tid=vcpu, ts=us(ns - c), dur=us(c),
                               name='pv wait >1ms' if flags & 1 else 'pv wait', cat='pvwait'))
            elif k == KICK:
                ev.append(dict(ph='i', s='t', pid=1, tid=pcpu, ts=us(ns), cat='kick', name='kick',
                               args=dict(kicker=who, kicked=f'{self.vm_name(vm)}/vcpu{a}')))
            elif k == POLICY:
                ev.append(dict(ph='i', s='t', pid=1, tid=pcpu, ts=us(ns), cat='policy',
                               name=POLICY_NAMES.get(flags, f'policy {flags}'),
                               args=dict(vcpu=who, value=a)))
            elif k == MARK:
                label = (b.to_bytes(8, 'little') + c.to_bytes(8, 'little')).rstrip(b'\0').decode('ascii', 'replace')
                if flags == 1:
                    marks[vm] = (label, ns)
                elif flags == 2 and vm in marks:
                    lab, st = marks.pop(vm)
                    ev.append(dict(ph='X', pid=100 + vm, tid=999, ts=us(st), dur=us(ns - st),
                                   name=lab, cat='phase'))
            elif k == DROP:
                ev.append(dict(ph='i', s='g', pid=1, tid=pcpu, ts=us(ns), cat='trace',
                               name=f'{a} records lost'))
        end = self.records[-1][3] if self.records else 0
        for pcpu, (vm, vcpu, st) in running.items():
            ev.append(dict(ph='X', pid=1, tid=pcpu, ts=us(st), dur=us(end - st),
                           name=f'{self.vm_name(vm)}/vcpu{vcpu}', cat='run', args=dict(end='trace end')))
        return dict(traceEvents=ev, displayTimeUnit='ms',
                    otherData=dict(source='lhv trace=1', policy=self.header.get('policy', ''),
                                   tsc_khz=self.header.get('tsc_khz', ''),
                                   dropped_records=self.dropped, bad_lines=self.bad_lines))


def check_chrome(obj):
    """Check the shape of a Trace Event Format JSON object as documented
    (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
    traceEvents is a list; every event has ph, pid, name; X events have ts
    and dur >= 0; i events ts and scope s in g/p/t; M events args. Returns a
    list of problems (empty when it is well formed)."""
    bad = []
    if not isinstance(obj, dict) or not isinstance(obj.get('traceEvents'), list):
        return ['no traceEvents list']
    for n, e in enumerate(obj['traceEvents']):
        ph = e.get('ph')
        if ph not in ('X', 'i', 'M', 'B', 'E', 'C'):
            bad.append(f'event {n}: ph {ph!r}')
        elif 'pid' not in e or 'name' not in e:
            bad.append(f'event {n}: no pid or name')
        elif ph == 'X' and (not isinstance(e.get('ts'), (int, float)) or not isinstance(e.get('dur'), (int, float))
                            or e['dur'] < 0):
            bad.append(f'event {n}: X without ts/dur >= 0')
        elif ph == 'i' and (not isinstance(e.get('ts'), (int, float)) or e.get('s') not in ('g', 'p', 't')):
            bad.append(f'event {n}: i without ts or scope')
        elif ph == 'M' and not isinstance(e.get('args'), dict):
            bad.append(f'event {n}: M without args')
        if len(bad) > 20:
            break
    return bad


def write_chrome(trace, path):
    obj = trace.to_chrome()
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
    return obj


def format_histograms(trace, vm_name=None, begin=None, end=None, top=25):
    pre, spin = trace.histograms(vm_name, begin, end)
    out = ['where vCPUs were preempted in a critical section: count, kernel function']
    for sym, (n, cs) in sorted(((k, v) for k, v in pre.items() if v[1]), key=lambda kv: (-kv[1][1], kv[0]))[:top]:
        out.append(f'{cs:8d}  {sym}')
    out.append('')
    out.append('where vCPUs were preempted (involuntarily): count, in a critical section, function')
    for sym, (n, cs) in sorted(pre.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top]:
        out.append(f'{n:8d} {cs:8d}  {sym}')
    out.append('')
    out.append('where vCPUs spun (spin episodes from PAUSE-loop exits): episodes, ms, function')
    for sym, (n, ms) in sorted(spin.items(), key=lambda kv: (-kv[1][1], kv[0]))[:top]:
        out.append(f'{n:8d} {ms:10.3f}  {sym}')
    return '\n'.join(out) + '\n'
