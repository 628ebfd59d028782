#!/usr/bin/env python3
"""The comparison harness behind scripts/compare.sh (docs/experiments.md):
plan a matrix of runs (policy x guest lock flavour x overcommit, several
workloads per boot), prepare its inputs, run what is not done yet (here
with -j N emulators, or as a job list for GNU parallel or Slurm), and merge
every run's results into results.csv, results.json, summary.md and plots.

Each run is a folder OUT/runs/<id>/ whose id includes a hash of its whole
configuration and inputs: a finished run is never redone (results are
cached by configuration), an interrupted matrix resumes where it stopped."""
import argparse
import concurrent.futures
import csv
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import parse_run  # noqa: E402
import report  # noqa: E402

BUILTIN_WORK = ['sendfile', 'mmap', 'files', 'fork', 'barrier', 'cpu', 'vecstate', 'tas', 'ttas', 'ticket']
LOCKS = ['tas', 'qspin', 'pv']
DEFAULTS = dict(policies='free,gang', locks='tas,qspin', overcommit='1,2',
                workloads='files,mmap,sendfile,fork,cpu,ticket', pcpus=2, vcpus=2, mem='256M',
                kernel='generic', secs=2)
BIN_FILES = [('scripts/compare/run-one.sh', 'run-one.sh'), ('scripts/mkiso.sh', 'mkiso.sh'),
             ('scripts/bochs.sh', 'bochs.sh'), ('scripts/qemu.sh', 'qemu.sh'),
             ('scripts/compare/parse_run.py', 'parse_run.py'), ('scripts/compare/lhvlog.py', 'lhvlog.py'),
             ('scripts/compare/lhvtrace.py', 'lhvtrace.py')]


def say(msg):
    print(f'compare: {msg}', flush=True)


def die(msg, code=2):
    print(f'compare: error: {msg}', file=sys.stderr, flush=True)
    sys.exit(code)


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def csv_list(s, what):
    items = [x.strip() for x in s.split(',') if x.strip()]
    if not items:
        die(f'{what}: empty list')
    if len(set(items)) != len(items):
        die(f'{what}: {s!r} names something twice')
    return items


def mem_mb(s):
    s = s.strip().upper()
    mult = {'K': 1 / 1024, 'M': 1, 'G': 1024}.get(s[-1:], None)
    try:
        v = float(s[:-1]) * mult if mult else float(s) / (1 << 20)
    except ValueError:
        die(f'--mem {s!r}: expected a size such as 256M')
    if v < 64:
        die(f'--mem {s!r}: a Linux guest needs at least 64M')
    return int(v)


def git_commit():
    try:
        c = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short=12', 'HEAD'], capture_output=True,
                           text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', ROOT, 'status', '--porcelain', '--untracked-files=no'],
                               capture_output=True, text=True).stdout.strip()
        return c + ('-dirty' if dirty else '')
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'


def available_policies(build):
    """The policies compiled into this build: hvsim is built from the same
    sched/ files with the same SCHED= set as hv.elf."""
    sim = os.path.join(build, 'hvsim')
    if not os.access(sim, os.X_OK):
        die(f'{sim} missing: run make')
    p = subprocess.run([sim, '--pcpus', '1', '--vms', '1', '--sched', '?', '--seconds', '0.001'],
                       capture_output=True, text=True)
    msg = p.stderr + p.stdout
    if 'available: ' not in msg:
        die(f'cannot ask {sim} for the policy list: {msg.strip()}')
    return [x.strip() for x in msg.split('available: ', 1)[1].split(')')[0].split(',')]


def module_option_ok(build, opt):
    """Does this lhv's module-line parser (vmm/vm/config.c) take opt?"""
    tool = os.path.join(build, 'host', 'lhv-vmcfg')
    if not os.access(tool, os.X_OK):
        die(f'{tool} missing: run make')
    return subprocess.run([tool, f'vm=probe vcpus=1 mem=64M {opt}'], capture_output=True).returncode == 0


class Matrix:
    def __init__(self, a, build):
        self.a = a
        self.build = build
        self.out = os.path.abspath(a.out)
        self.inputs = os.path.join(self.out, 'inputs')
        self.runs_dir = os.path.join(self.out, 'runs')

    # -- inputs ----------------------------------------------------------
    def prepare_inputs(self):
        a = self.a
        os.makedirs(os.path.join(self.inputs, 'bin'), exist_ok=True)
        os.makedirs(os.path.join(self.inputs, 'programs'), exist_ok=True)
        for src, dst in BIN_FILES:
            d = os.path.join(self.inputs, 'bin', dst)
            shutil.copy2(os.path.join(ROOT, src), d)
        hv = os.path.join(self.build, 'hv.elf')
        if not os.path.exists(hv):
            die(f'{hv} missing: run make')
        # Without its debug information, which names the checkout's path:
        # the same sources then give the same bytes in every clone, so the
        # same numbers (Bochs is exact only for identical inputs) and the
        # same run ids; GRUB also loads a sixth of the size.
        r = subprocess.run(['objcopy', '--strip-debug', hv, os.path.join(self.inputs, 'hv.elf')],
                           capture_output=True, text=True)
        if r.returncode:
            die(f'objcopy --strip-debug {hv}: {r.stderr.strip()}')
        # The kernel, trimmed for a faster GRUB load (trim-vmlinux.py).
        src = os.path.join(self.build, 'cache', 'linux', f'vmlinux-{a.kernel}')
        if not os.path.exists(src):
            say(f'fetching the Debian kernels (guest/linux/fetch-kernels.sh)')
            r = subprocess.run([os.path.join(ROOT, 'guest/linux/fetch-kernels.sh')], cwd=ROOT)
            if r.returncode or not os.path.exists(src):
                die(f'{src} missing and guest/linux/fetch-kernels.sh could not make it')
        src_sha = sha256(src)
        kern = os.path.join(self.inputs, f'vmlinux-{a.kernel}.trim')
        stamp = kern + '.src-sha256'
        if not (os.path.exists(kern) and os.path.exists(stamp) and open(stamp).read().strip() == src_sha):
            subprocess.run([sys.executable, os.path.join(HERE, 'trim-vmlinux.py'), src, kern], check=True,
                           stdout=subprocess.DEVNULL)
            open(stamp, 'w').write(src_sha + '\n')
        # The initramfs: built-in workloads, the agent, the user's programs
        # (each copied under the name it runs as).
        progs = []
        for name, (path, _) in sorted(self.byo.items()):
            dst = os.path.join(self.inputs, 'programs', name)
            shutil.copy2(path, dst)
            progs += ['--program', dst]
        # Rebuilt only when what goes into it changed: the image is not
        # byte-for-byte reproducible (file times), and a new image is a new
        # configuration for the cache.
        initrd = os.path.join(self.inputs, 'initrd.gz')
        h = hashlib.sha256()
        gl = os.path.join(ROOT, 'guest/linux')
        srcs = [os.path.join(gl, f) for f in sorted(os.listdir(gl)) if f.endswith(('.c', '.h')) or f == 'mkinitramfs.sh']
        srcs += [os.path.join(gl, 'work', f) for f in sorted(os.listdir(os.path.join(gl, 'work')))]
        srcs += [os.environ.get('BUSYBOX', '/bin/busybox')] + [p for p in progs if p != '--program']
        for src in srcs:
            if os.path.isfile(src):
                h.update(os.path.basename(src).encode() + b'\0' + open(src, 'rb').read())
        stamp = initrd + '.src-sha256'
        if not (os.path.exists(initrd) and os.path.exists(stamp) and open(stamp).read().strip() == h.hexdigest()):
            r = subprocess.run([os.path.join(ROOT, 'guest/linux/mkinitramfs.sh'), initrd] + progs, cwd=ROOT,
                               capture_output=True, text=True)
            if r.returncode:
                die(f'mkinitramfs.sh failed: {r.stderr.strip() or r.stdout.strip()}')
            open(stamp, 'w').write(h.hexdigest() + '\n')
        self.files = dict(hv='inputs/hv.elf', kernel=f'inputs/vmlinux-{a.kernel}.trim', initrd='inputs/initrd.gz')
        self.shas = {k: sha256(os.path.join(self.out, v)) for k, v in self.files.items()}

    # -- the matrix --------------------------------------------------------
    def check_args(self):
        a = self.a
        self.policies = csv_list(a.policies, '--policies')
        have = available_policies(self.build)
        for spec in self.policies:
            for kv in spec.split(':')[1:]:
                if not re.fullmatch(r'[a-z_.]+=[A-Za-z0-9_.]+', kv):
                    die(f'--policies: {spec}: "{kv}" is not knob=value (e.g. pdelay:bound=500us:dyield=only)')
        bad = [p for p in self.policies if p.split(':')[0] not in have]
        if bad:
            die(f'--policies: {", ".join(bad)} not in this build (available: {", ".join(have)}; '
                f'make SCHED=... chooses them)')
        self.locks = csv_list(a.locks, '--locks')
        bad = [x for x in self.locks if x not in LOCKS]
        if bad:
            die(f'--locks: unknown {", ".join(bad)} (tas, qspin, pv)')
        self.pv_option = module_option_ok(self.build, 'pv=all')
        try:
            self.overcommit = [int(x) for x in csv_list(a.overcommit, '--overcommit')]
        except ValueError:
            die(f'--overcommit {a.overcommit!r}: whole numbers, e.g. 1,2')
        for o in self.overcommit:
            n = o * a.pcpus
            if o < 1 or n % a.vcpus:
                die(f'--overcommit {o}: {o} x {a.pcpus} pCPUs = {n} vCPUs is not a whole number of '
                    f'{a.vcpus}-vCPU VMs')
            if n // a.vcpus > 16:
                die(f'--overcommit {o}: {n // a.vcpus} VMs (lhv runs at most 16)')
        self.byo = {}
        for spec in a.workload or []:
            name, _, rest = spec.partition('=')
            path, _, args = rest.partition(':')
            if not name or not path:
                die(f'--workload {spec!r}: expected NAME=PATH[:ARGS]')
            if not name.replace('_', '').replace('-', '').replace('.', '').isalnum():
                die(f'--workload {spec!r}: NAME must be letters, digits, ".", "_", "-"')
            if name in BUILTIN_WORK or name in self.byo:
                die(f'--workload {spec!r}: {name} is taken')
            if not os.path.isfile(path):
                die(f'--workload {spec!r}: no file {path}')
            self.byo[name] = (os.path.abspath(path), args)
        self.workloads = csv_list(a.workloads, '--workloads') if a.workloads else []
        for w in self.byo:
            if w not in self.workloads:
                self.workloads.append(w)
        bad = [w for w in self.workloads if w not in BUILTIN_WORK and w not in self.byo]
        if bad:
            die(f'--workloads: unknown {", ".join(bad)} (built in: {", ".join(BUILTIN_WORK)}; '
                f'add your own with --workload NAME=PATH[:ARGS])')
        if not self.workloads:
            die('no workloads')
        if a.vcpus < 1 or a.pcpus < 1 or a.pcpus > 8:
            die('--pcpus 1..8 and --vcpus >= 1')
        self.mem_mb = mem_mb(a.mem)

    def plan(self):
        a = self.a
        commit = git_commit()
        self.runs = []
        workload_args = {n: args for n, (_, args) in self.byo.items()}
        for policy in self.policies:
            for locks in self.locks:
                for oc in self.overcommit:
                    nvms = oc * a.pcpus // a.vcpus
                    names = [chr(ord('a') + i) for i in range(nvms)]
                    guest = ['console=ttyS0', 'quiet', 'lhv.mtwork=0', 'lhv.agent=1',
                             'lhv.work=' + ','.join(self.workloads), f'lhv.secs={a.secs}',
                             f'lhv.timeout={a.secs * 20 + 60}']
                    if a.threads:
                        guest.append(f'lhv.threads={a.threads}')
                    for n, args in sorted(workload_args.items()):
                        if args:
                            guest.append(f'lhv.args.{n}=' + ','.join(args.split()))
                    # rdrand=off: Bochs' RDRAND is the host's rand(), so a guest
                    # that uses it differs from run to run; without it the same
                    # settings give the same figures (docs/experiments.md).
                    mod_opts = [f'vcpus={a.vcpus}', f'mem={self.mem_mb}M', 'rdrand=off', 'user_hc=agent']
                    if policy == 'balloon' and os.environ.get('LHV_BALLOON_AGENT', '1') != '0':
                        # The time balloon's guest agent (guest/linux/lhvballoon.c);
                        # LHV_BALLOON_AGENT=0 leaves it out (the policy then
                        # publishes speeds nobody reads).
                        guest.append('lhv.balloon=1')
                        mod_opts[-1] = 'user_hc=agent,lhp'
                    if a.slice:
                        mod_opts.append(f'slice={a.slice}')
                    if locks == 'qspin':
                        guest.append('nopvspin')
                    if self.pv_option:
                        mod_opts.append('pv=all' if locks == 'pv' else 'pv=none')
                    unavailable = None
                    if locks == 'pv' and not self.pv_option:
                        unavailable = ('this lhv has no pv= module option (KVM PV unhalt and kicks, issue 10): '
                                       'its guests cannot use the paravirtual spinlock')
                    # A policy spec NAME[:knob=value]...: the knobs go on the
                    # hypervisor's command line as NAME.knob=value.
                    pname, *knobs = policy.split(':')
                    hv_cmd = ' '.join([f'sched={pname}'] +
                                      [k if '.' in k.split('=')[0] else f'{pname}.{k}' for k in knobs] +
                                      ['trace=1'])
                    cfg = dict(policy=policy, locks=locks, overcommit=oc, pcpus=a.pcpus, vcpus=a.vcpus,
                               mem_mb=self.mem_mb, kernel=a.kernel, secs=a.secs, threads=a.threads,
                               slice_ms=a.slice, workloads=self.workloads, workload_args=workload_args,
                               vm_names=names, hv_cmdline=hv_cmd, guest_cmdline=' '.join(guest),
                               module_options=' '.join(mod_opts), emulator=a.emulator, timeout=a.timeout,
                               trace=True, inputs=self.files, input_sha=self.shas)
                    # The timeout and the trace switch do not change results.
                    key = json.dumps({k: v for k, v in cfg.items() if k not in ('timeout', 'trace')},
                                     sort_keys=True)
                    cfg['hash'] = hashlib.sha256(key.encode()).hexdigest()[:12]
                    cfg['id'] = f'{re.sub("[^A-Za-z0-9_.-]", "_", policy)}-{locks}-{oc}x-{cfg["hash"]}'
                    cfg['lhv_commit'] = commit
                    cfg['unavailable'] = unavailable
                    self.runs.append(cfg)

    def write_runs(self):
        os.makedirs(self.runs_dir, exist_ok=True)
        for cfg in self.runs:
            d = os.path.join(self.runs_dir, cfg['id'])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, 'run.json'), 'w') as f:
                json.dump(cfg, f, indent=1, sort_keys=True)
            machine_mb = max(1024, len(cfg['vm_names']) * cfg['mem_mb'] + 512)
            mods = []
            for vm in cfg['vm_names']:
                line = f'vm={vm} {cfg["module_options"]} -- {cfg["guest_cmdline"]}'
                mods.append(f'{self.files["kernel"]}|{vm}.vmlinux|{line}')
                mods.append(f'{self.files["initrd"]}|{vm}.initrd|vm={vm} initrd')
            env = [f'RUN_ID={shlex.quote(cfg["id"])}', f'EMULATOR={cfg["emulator"]}', f'PCPUS={cfg["pcpus"]}',
                   f'MEM_MB={machine_mb}', f'TIMEOUT={cfg["timeout"]}', f'HV={self.files["hv"]}',
                   f'HV_CMDLINE={shlex.quote(cfg["hv_cmdline"])}',
                   'MODULES=(' + ' '.join(shlex.quote(m) for m in mods) + ')']
            with open(os.path.join(d, 'run.env'), 'w') as f:
                f.write('# generated by scripts/compare/compare.py: the settings of this run\n')
                f.write('\n'.join(env) + '\n')
        with open(os.path.join(self.out, 'matrix.json'), 'w') as f:
            json.dump(dict(runs=[c['id'] for c in self.runs], created=time.strftime('%Y-%m-%d %H:%M:%S'),
                           argv=sys.argv[1:], policies=self.policies, locks=self.locks,
                           overcommit=self.overcommit, workloads=self.workloads,
                           pv_option=self.pv_option), f, indent=1)

    # -- running -----------------------------------------------------------
    def status_of(self, cfg):
        p = os.path.join(self.runs_dir, cfg['id'], 'result.json')
        if cfg['unavailable']:
            return 'unavailable'
        if os.path.exists(p):
            try:
                return json.load(open(p))['status']
            except (ValueError, KeyError):
                return None
        return None

    def pending(self):
        todo = []
        for cfg in self.runs:
            st = self.status_of(cfg)
            if st is None or (self.a.retry and st in ('failed', 'timeout')):
                todo.append(cfg)
        return todo

    def job_command(self, cfg):
        return f'inputs/bin/run-one.sh runs/{cfg["id"]}'

    def emit_jobs(self, todo):
        jd = os.path.join(self.out, 'jobs')
        os.makedirs(jd, exist_ok=True)
        with open(os.path.join(jd, 'joblist'), 'w') as f:
            for cfg in todo:
                f.write(self.job_command(cfg) + '\n')
        with open(os.path.join(jd, 'ids'), 'w') as f:
            for cfg in todo:
                f.write(cfg['id'] + '\n')
        par = os.path.join(jd, 'parallel.sh')
        with open(par, 'w') as f:
            f.write(f'''#!/bin/sh
# The pending runs of this matrix on the machines of an ssh login file
# (GNU parallel's --sshloginfile: one "[N/]host" per line, ":" is this
# machine), one emulator per machine slot. Each machine gets this folder's
# inputs/ once, at the same path (--workdir .), each job its runs/<id>/,
# which comes back when the job ends. The remote machines need Debian's
# emulator packages (scripts/setup.sh) and nothing of lhv's. Then, here:
#   {shlex.quote(os.path.join(ROOT, 'scripts/compare.sh'))} --merge {shlex.quote(self.out)}
set -e
cd "$(dirname "$0")/.."
exec parallel --sshloginfile "${{1:?usage: $0 SSHLOGINFILE}}" --workdir . \\
	--basefile inputs --transferfile runs/{{}} --return runs/{{}} --cleanup \\
	--joblog jobs/parallel.log --line-buffer \\
	inputs/bin/run-one.sh runs/{{}} :::: jobs/ids
''')
        os.chmod(par, 0o755)
        sb = os.path.join(jd, 'slurm.sbatch')
        with open(sb, 'w') as f:
            f.write(f'''#!/bin/bash
# The pending runs of this matrix as a Slurm job array (a shared file
# system is assumed: the array tasks read inputs/ and write runs/<id>/ in
# this folder). Submit with
#   sbatch {shlex.quote(sb)}
# and when it is done merge with
#   {shlex.quote(os.path.join(ROOT, 'scripts/compare.sh'))} --merge {shlex.quote(self.out)}
#SBATCH --job-name=lhv-compare
#SBATCH --array=1-{len(todo)}
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time={max(1, self.a.timeout // 60 + 10)}
#SBATCH --output={shlex.quote(jd)}/slurm-%a.out
cd {shlex.quote(self.out)} || exit 1
exec $(sed -n "${{SLURM_ARRAY_TASK_ID}}p" jobs/joblist)
''')
        return jd

    def run_local(self, todo, jobs):
        total = len(self.runs)
        lock = threading.Lock()
        state = dict(done=sum(1 for c in self.runs if self.status_of(c) in ('ok', 'failed', 'timeout', 'unavailable')
                              and c not in todo),
                     failed=0, running=0, walls=[], t0=time.time())
        env = dict(os.environ)

        def progress(last):
            left = total - state['done']
            eta = ''
            if state['walls']:
                per = sum(state['walls']) / len(state['walls'])
                # EMU_LOCK lets one emulator run at a time, whatever -j says.
                par = 1 if os.environ.get('EMU_LOCK') else max(1, jobs)
                secs = per * max(0, left - state['running'] / 2) / par
                eta = f', ETA {int(secs // 60)}m{int(secs % 60):02d}s'
            say(f'[{state["done"]}/{total} done, {state["failed"]} failed, {state["running"]} running{eta}] {last}')

        def one(cfg):
            d = os.path.join(self.runs_dir, cfg['id'])
            with lock:
                state['running'] += 1
                progress(f'start {cfg["id"]}')
            t = time.time()
            subprocess.run([os.path.join(self.inputs, 'bin', 'run-one.sh'), d], cwd=self.out, env=env,
                           stdout=open(os.path.join(d, 'run-one.log'), 'w'), stderr=subprocess.STDOUT)
            wall = time.time() - t
            st = self.status_of(cfg) or 'failed'
            try:   # the emulator's own time, without waiting for EMU_LOCK
                wall = float(json.load(open(os.path.join(d, 'result.json')))['wall_s']) or wall
            except (OSError, ValueError, KeyError, TypeError):
                pass
            with lock:
                state['running'] -= 1
                state['done'] += 1
                state['walls'].append(wall)
                msg = f'{cfg["id"]} {st} in {int(wall // 60)}m{int(wall % 60):02d}s'
                if st != 'ok':
                    state['failed'] += 1
                    try:
                        probs = json.load(open(os.path.join(d, 'result.json')))['problems']
                    except (OSError, ValueError, KeyError):
                        probs = ['no result.json: see run-one.log']
                    msg += f': {probs[0] if probs else "?"} (log: {os.path.join(d, "serial.log")})'
                progress(msg)

        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            futs = [ex.submit(one, c) for c in todo]
            try:
                for f in concurrent.futures.as_completed(futs):
                    f.result()
            except KeyboardInterrupt:
                say('interrupted: finished runs are kept; run the same command again to resume')
                ex.shutdown(wait=False, cancel_futures=True)
                raise

    # -- merging -------------------------------------------------------------
    def merge(self):
        rows, runs = [], []
        for cfg in self.runs:
            d = os.path.join(self.runs_dir, cfg['id'])
            st = self.status_of(cfg)
            entry = dict(id=cfg['id'], policy=cfg['policy'], locks=cfg['locks'], overcommit=cfg['overcommit'],
                         status=st or 'pending', problems=[])
            if cfg['unavailable']:
                entry['problems'] = [cfg['unavailable']]
                for vm in cfg['vm_names']:
                    for w in cfg['workloads']:
                        r = {k: '' for k in parse_run.COLUMNS}
                        r.update(run=cfg['id'], status='unavailable', policy=cfg['policy'], locks=cfg['locks'],
                                 overcommit=cfg['overcommit'], workload=w, vm=vm, pcpus=cfg['pcpus'],
                                 vcpus=cfg['vcpus'], vms=len(cfg['vm_names']), mem_mb=cfg['mem_mb'],
                                 kernel=cfg['kernel'], secs=cfg['secs'], emulator=cfg['emulator'],
                                 lhv_commit=cfg['lhv_commit'], hv_cmdline=cfg['hv_cmdline'],
                                 guest_cmdline=cfg['guest_cmdline'], config=cfg['hash'])
                        rows.append(r)
            elif st:
                res = json.load(open(os.path.join(d, 'result.json')))
                entry['problems'] = res['problems']
                entry['wall_s'] = res.get('wall_s')
                for r in res['rows']:
                    r['lhv_commit'] = cfg['lhv_commit']
                    rows.append(r)
            runs.append(entry)
        with open(os.path.join(self.out, 'results.csv'), 'w', newline='') as f:
            w = csv.DictWriter(f, fieldnames=parse_run.COLUMNS, extrasaction='ignore')
            w.writeheader()
            for r in rows:
                w.writerow(r)
        with open(os.path.join(self.out, 'results.json'), 'w') as f:
            json.dump(dict(columns=parse_run.COLUMNS, runs=runs, rows=rows), f, indent=1)
        report.write(self.out, rows, runs, self)
        return rows, runs


def main():
    ap = argparse.ArgumentParser(prog='compare.sh', description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--policies', default=DEFAULTS['policies'],
                    help='sched= policies, each optionally with knobs: NAME[:knob=value]... '
                         '(e.g. pdelay:dyield=only; default free,gang)')
    ap.add_argument('--locks', default=DEFAULTS['locks'],
                    help='guest lock flavours: tas, qspin, pv (default tas,qspin)')
    ap.add_argument('--overcommit', default=DEFAULTS['overcommit'], help='vCPUs per pCPU (default 1,2)')
    ap.add_argument('--workloads', default=DEFAULTS['workloads'],
                    help=f'workloads run in each boot (default {DEFAULTS["workloads"]})')
    ap.add_argument('--workload', action='append', metavar='NAME=PATH[:ARGS]',
                    help='add your own static program as workload NAME (repeatable)')
    ap.add_argument('--pcpus', type=int, default=DEFAULTS['pcpus'], help='emulated pCPUs (default 2)')
    ap.add_argument('--vcpus', type=int, default=DEFAULTS['vcpus'], help='vCPUs per VM (default 2)')
    ap.add_argument('--mem', default=DEFAULTS['mem'], help='memory per VM (default 256M)')
    ap.add_argument('--kernel', default=DEFAULTS['kernel'], choices=['generic', 'cloud'])
    ap.add_argument('--secs', type=int, default=DEFAULTS['secs'], help='guest seconds per workload (default 2)')
    ap.add_argument('--threads', type=int, default=0, help='threads per workload (default: the vCPUs)')
    ap.add_argument('--slice', type=int, default=0, help='time slice in ms (default: the scheduler\'s 10)')
    ap.add_argument('--emulator', default='bochs', choices=['bochs', 'qemu'])
    ap.add_argument('--timeout', type=int, default=1800, help='seconds one emulator run may take (default 1800)')
    ap.add_argument('-j', '--jobs', type=int, default=0, help='emulators at once (default: the cores)')
    ap.add_argument('--out', default=None, help='results folder (default build/compare)')
    ap.add_argument('--retry', action='store_true', help='run failed and timed-out runs again')
    ap.add_argument('--dry-run', action='store_true', help='plan and prepare, run nothing')
    ap.add_argument('--emit', choices=['parallel', 'slurm'],
                    help='write the pending runs as a job list for GNU parallel or Slurm, run nothing')
    ap.add_argument('--merge', metavar='DIR', help='only merge the runs of the matrix in DIR')
    a = ap.parse_args()
    build = os.path.abspath(os.environ.get('BUILD', os.path.join(ROOT, 'build')))
    if a.merge:
        mfile = os.path.join(a.merge, 'matrix.json')
        if not os.path.exists(mfile):
            die(f'{mfile} missing: not a comparison folder')
        a.out = a.merge
        m = Matrix(a, build)
        mj = json.load(open(mfile))
        for k in ('policies', 'locks', 'overcommit', 'workloads'):
            setattr(m, k, mj[k])
        m.runs = [json.load(open(os.path.join(m.runs_dir, i, 'run.json'))) for i in mj['runs']]
        rows, runs = m.merge()
        say(f'merged {len(runs)} runs, {len(rows)} rows into {m.out}')
        return
    if a.out is None:
        a.out = os.path.join(build, 'compare')
    m = Matrix(a, build)
    m.check_args()
    # One harness per results folder: two would plan and merge over each other.
    os.makedirs(m.out, exist_ok=True)
    lockf = open(os.path.join(m.out, '.compare.lock'), 'w')
    try:
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        die(f'another scripts/compare.sh is working in {m.out}')
    if 'pv' in m.locks and not m.pv_option:
        say('locks=pv is unavailable: this lhv has no pv= module option yet (KVM PV unhalt and kicks, '
            'issue 10), so no guest can use the paravirtual spinlock; those runs are reported as '
            '"unavailable", not run')
    m.prepare_inputs()
    m.plan()
    m.write_runs()
    todo = [c for c in m.pending() if not c['unavailable']]
    cached = len([c for c in m.runs if not c['unavailable']]) - len(todo)
    say(f'{len(m.runs)} runs ({len(todo)} to do, {cached} done before) x {len(m.workloads)} workloads in {m.out}')
    if a.emit:
        jd = m.emit_jobs(todo)
        if a.emit == 'parallel':
            say(f'{len(todo)} jobs: {jd}/parallel.sh SSHLOGINFILE, then scripts/compare.sh --merge {m.out}')
        else:
            say(f'{len(todo)} jobs: sbatch {jd}/slurm.sbatch, then scripts/compare.sh --merge {m.out}')
        return
    if a.dry_run:
        for c in todo:
            say(f'would run {c["id"]}: {m.job_command(c)}')
        return
    jobs = a.jobs or os.cpu_count() or 1
    if todo:
        if os.environ.get('EMU_LOCK'):
            say(f'EMU_LOCK={os.environ["EMU_LOCK"]}: one emulator at a time holds it')
        m.run_local(todo, jobs)
    rows, runs = m.merge()
    bad = [r for r in runs if r['status'] not in ('ok', 'unavailable')]
    say(f'results: {os.path.join(m.out, "results.csv")}, summary: {os.path.join(m.out, "summary.md")}'
        + (f'; {len(bad)} runs failed' if bad else ''))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
