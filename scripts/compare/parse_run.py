#!/usr/bin/env python3
"""Turn one run's output folder into its results (scripts/compare/, the
harness's per-run step; docs/experiments.md has the column contract).

    parse_run.py RUN_DIR [--rc N] [--wall S]

Reads RUN_DIR/run.json (the configuration compare.py wrote), serial.log
and trace.e9; writes result.json (status, problems, one row per VM and
workload), trace.json (Chrome/Perfetto), hist.txt (symbol histograms).
--rc is the emulator script's exit status (137: killed at the timeout)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lhvlog  # noqa: E402
import lhvtrace  # noqa: E402

# The columns of results.csv, in order (docs/experiments.md, "Columns").
COLUMNS = [
    'run', 'status', 'policy', 'locks', 'overcommit', 'workload', 'vm',
    'throughput', 'lhp', 'lhp_prob', 'long_waits', 'long_wait_frac', 'steal_frac', 'preemptions',
    'cs_preempts', 'cs_prob', 'long_wait_ms', 'spins', 'spin_ms', 'spin_exits', 'pv_halts', 'pv_halt_ms',
    'kicks', 'delays', 'costops', 'yields', 'halts', 'run_ms', 'steal_ms', 'phase_s',
    'kernel_preempts', 'user_preempts', 'irqoff_preempts', 'idle_preempts',
    'ops', 'p50_us', 'p90_us', 'p99_us', 'max_us', 'errors', 'result_extra',
    'trace_preempts', 'trace_lhp', 'trace_long_waits', 'trace_agrees',
    'guest_lock', 'agent', 'pcpus', 'vcpus', 'vms', 'mem_mb', 'kernel', 'secs', 'threads', 'slice_ms',
    'workload_args', 'emulator', 'backend', 'lhv_commit', 'hv_cmdline', 'guest_cmdline', 'wall_s',
    'config',
]
_RESULT_STD = {'ops_per_s', 'workload', 'threads', 'ops', 'secs', 'p50_us', 'p90_us', 'p99_us', 'max_us',
               'errors', 'ok'}


def ratio(num, den):
    return round(num / den, 6) if den else 0.0


def phase_row(cfg, b, vm, work, lhp, trace_counts):
    """One results row: the configuration, the workload's RESULT line and
    the hypervisor's figures for the phase (lhp: the merged "summary: lhp"
    dict; None when the phase is missing)."""
    res = (work or {}).get('result') or {}
    row = {k: '' for k in COLUMNS}
    row.update(run=cfg['id'], policy=cfg['policy'], locks=cfg['locks'], overcommit=cfg['overcommit'],
               workload=work['name'] if work else '', vm=vm, pcpus=cfg['pcpus'], vcpus=cfg['vcpus'],
               vms=len(cfg['vm_names']), mem_mb=cfg['mem_mb'], kernel=cfg['kernel'], secs=cfg['secs'],
               threads=cfg['threads'] or cfg['vcpus'], slice_ms=cfg['slice_ms'] or '',
               workload_args=cfg['workload_args'].get(work['name'], '') if work else '',
               emulator=cfg['emulator'], backend=b.backend or '', lhv_commit=cfg['lhv_commit'],
               hv_cmdline=cfg['hv_cmdline'], guest_cmdline=cfg['guest_cmdline'], config=cfg['hash'])
    if res:
        row.update(throughput=res.get('ops_per_s', ''), ops=res.get('ops', ''), p50_us=res.get('p50_us', ''),
                   p90_us=res.get('p90_us', ''), p99_us=res.get('p99_us', ''), max_us=res.get('max_us', ''),
                   errors=res.get('errors', ''),
                   result_extra=' '.join(f'{k}={v}' for k, v in res.items() if k not in _RESULT_STD))
    if lhp:
        pre = lhp.get('preempt', 0)
        long_n = lhp.get('long_spins', 0) + lhp.get('long_pv', 0)
        long_ms = lhp.get('long_spin_ms', 0.0) + lhp.get('long_pv_ms', 0.0)
        run_ms, steal_ms = lhp.get('run_ms', 0.0), lhp.get('steal_ms', 0.0)
        row.update(lhp=lhp.get('lhp', 0), lhp_prob=ratio(lhp.get('lhp', 0), pre), long_waits=long_n,
                   long_wait_frac=ratio(long_ms, run_ms + steal_ms), steal_frac=ratio(steal_ms, run_ms + steal_ms),
                   preemptions=pre, cs_preempts=lhp.get('cs', 0), cs_prob=ratio(lhp.get('cs', 0), pre),
                   long_wait_ms=round(long_ms, 3), spins=lhp.get('spins', 0), spin_ms=lhp.get('spin_ms', 0.0),
                   spin_exits=lhp.get('spin_exits', 0), pv_halts=lhp.get('pv_halts', 0),
                   pv_halt_ms=lhp.get('pv_halt_ms', 0.0), kicks=lhp.get('kicks', 0),
                   delays=lhp.get('delays', ''), costops=lhp.get('costops', ''),
                   yields=lhp.get('yields', 0), halts=lhp.get('halts', 0), run_ms=run_ms, steal_ms=steal_ms,
                   phase_s=lhp.get('secs', ''), kernel_preempts=lhp.get('kernel', 0),
                   user_preempts=lhp.get('user', 0), irqoff_preempts=lhp.get('irqoff', 0),
                   idle_preempts=lhp.get('idle', 0))
    if trace_counts is not None:
        t = trace_counts
        row.update(trace_preempts=t['preempt'], trace_lhp=t['lhp'],
                   trace_long_waits=t['long_spins'] + t['long_pv'])
        if lhp:
            # The trace and the counters are read at slightly different
            # instants around a phase mark (docs/experiments.md): one
            # event may land on the other side.
            pairs = [(t['preempt'], row['preemptions']), (t['cs'], row['cs_preempts']), (t['lhp'], row['lhp']),
                     (t['long_spins'] + t['long_pv'], row['long_waits']), (t['spins'], row['spins'])]
            row['trace_agrees'] = int(all(abs(x - y) <= 1 for x, y in pairs))
    return row


def parse_dir(d, rc=None, wall=None):
    cfg = json.load(open(os.path.join(d, 'run.json')))
    problems = []
    log_path = os.path.join(d, 'serial.log')
    text = open(log_path, errors='replace').read() if os.path.exists(log_path) else ''
    b = lhvlog.parse(text)
    if rc == 137:
        problems.append(f'timeout: the emulator was killed after {cfg["timeout"]} s')
    elif rc not in (None, 0):
        problems.append(f'the emulator script failed with status {rc}')
    if b.panic:
        problems.append(f'hypervisor panic: {b.panic}')
    for e in b.errors:
        problems.append(f'HV ERROR {e}')
    if not b.poweroff:
        problems.append(f'no clean HV POWEROFF (last line: {b.last_line[:120]!r})')
    trace = None
    tpath = os.path.join(d, 'trace.e9')
    if os.path.exists(tpath):
        try:
            trace = lhvtrace.Trace.read(tpath)
            obj = lhvtrace.write_chrome(trace, os.path.join(d, 'trace.json'))
            bad = lhvtrace.check_chrome(obj)
            if bad:
                problems.append('trace.json malformed: ' + '; '.join(bad[:3]))
            with open(os.path.join(d, 'hist.txt'), 'w') as f:
                phases = trace.phases()
                for vm in cfg['vm_names']:
                    for lab, pb, pe in phases.get(vm, []):
                        f.write(f'== VM {vm}, workload {lab}\n')
                        f.write(lhvtrace.format_histograms(trace, vm, pb, pe, top=15))
                        f.write('\n')
                    f.write(f'== VM {vm}, the whole run (boot included)\n')
                    f.write(lhvtrace.format_histograms(trace, vm))
                    f.write('\n')
            if trace.dropped or trace.seq_gaps:
                problems.append(f'trace lost {trace.dropped} records ({trace.seq_gaps} gaps)')
        except lhvtrace.TraceError as e:
            problems.append(f'trace: {e}')
            trace = None
    elif cfg.get('trace', True):
        problems.append('no trace.e9')
    tphases = trace.phases() if trace else {}
    # A whole trace (every ring from its first record, nothing lost) must
    # count exactly what the hypervisor counted over each VM's life.
    if trace and not trace.dropped and not trace.seq_gaps and trace.first_seqs() and \
            all(s == 0 for s in trace.first_seqs().values()):
        for vm in cfg['vm_names']:
            allp = b.lhp.get((vm, 'all'))
            if not allp:
                continue
            t = trace.counts(vm)
            pairs = dict(preempt=(t['preempt'], allp.get('preempt')), cs=(t['cs'], allp.get('cs')),
                         lhp=(t['lhp'], allp.get('lhp')), spins=(t['spins'], allp.get('spins')),
                         long_spins=(t['long_spins'], allp.get('long_spins')))
            off = [f'{k} {x} vs {y}' for k, (x, y) in pairs.items() if x != y]
            if off:
                problems.append(f'VM {vm}: the whole trace and the counters disagree: ' + ', '.join(off))
    rows = []
    for vm in cfg['vm_names']:
        info = b.vms.get(vm)
        g = b.guests.get(vm)
        if not info:
            problems.append(f'VM {vm} never started')
            continue
        if info['stop'] != 'poweroff':
            problems.append(f'VM {vm} stopped reason={info["stop"]}')
        if not g:
            problems.append(f'VM {vm} printed nothing')
            continue
        if g.cpus_online is not None and g.cpus_online != cfg['vcpus']:
            problems.append(f'VM {vm}: {g.cpus_online} of {cfg["vcpus"]} CPUs online')
        if not g.agent:
            problems.append(f'VM {vm}: the agent did not register ({g.agent_problem or "no LHV-AGENT line"})')
        lock = lhvlog.guest_lock(g.spinlock)
        want = cfg['locks']
        if lock != want and not (lock == 'single' and cfg['vcpus'] == 1):
            problems.append(f'VM {vm}: the guest uses the {lock} lock, not {want} ({g.spinlock!r})')
        works = {w['name']: w for w in g.works}
        for name in cfg['workloads']:
            w = works.get(name)
            if not w:
                problems.append(f'VM {vm}: workload {name} did not run')
                rows.append(phase_row(cfg, b, vm, dict(name=name), None, None))
                continue
            if w['rc'] != 0 or w['results'] != 1 or not w['result'] or w['result'].get('ok') == 0:
                problems.append(f'VM {vm}: workload {name} failed (rc={w["rc"]}, {w["results"]} RESULT lines)')
            lhp = b.lhp.get((vm, name))
            if lhp is None:
                problems.append(f'VM {vm}: no hypervisor figures for phase {name}')
            tc = None
            for lab, tb, te in tphases.get(vm, []):
                if lab == name:
                    tc = trace.counts(vm, tb, te)
            row = phase_row(cfg, b, vm, w, lhp, tc)
            row['guest_lock'] = lock
            row['agent'] = int(g.agent)
            row['wall_s'] = wall if wall is not None else ''
            if row['trace_agrees'] == 0:
                problems.append(f'VM {vm} phase {name}: the trace and the counters disagree')
            rows.append(row)
    status = 'ok' if not problems else ('timeout' if rc == 137 else 'failed')
    for r in rows:
        r['status'] = status
    out = dict(id=cfg['id'], status=status, problems=problems, rows=rows, wall_s=wall,
               trace=dict(records=len(trace.records), dropped=trace.dropped, gaps=trace.seq_gaps,
                          bad_lines=trace.bad_lines) if trace else None)
    with open(os.path.join(d, 'result.json.tmp'), 'w') as f:
        json.dump(out, f, indent=1)
    os.replace(os.path.join(d, 'result.json.tmp'), os.path.join(d, 'result.json'))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('dir')
    ap.add_argument('--rc', type=int)
    ap.add_argument('--wall', type=float)
    a = ap.parse_args()
    out = parse_dir(a.dir, a.rc, a.wall)
    for p in out['problems']:
        print(f'parse_run: {out["id"]}: {p}', file=sys.stderr)
    sys.exit(0 if out['status'] == 'ok' else 1)


if __name__ == '__main__':
    main()
