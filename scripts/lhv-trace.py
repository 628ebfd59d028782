#!/usr/bin/env python3
"""Convert lhv's trace (hypervisor option trace=1, captured from port 0xE9:
scripts/bochs.sh --e9 FILE, scripts/qemu.sh --debugcon FILE) for people.

    scripts/lhv-trace.py TRACE [--json OUT.json] [--hist] [--vm NAME]
                         [--phase LABEL] [--counts]

--json   Chrome/Perfetto JSON: open it in https://ui.perfetto.dev (one
         track per pCPU showing which vCPU ran, instants for preemptions
         marked CS/LHP, kicks, policy events; per VM its vCPUs' spin
         episodes and PV waits and the agent's phases)
--hist   where vCPUs were preempted and where they spun, by kernel symbol
         (the guest agent's kallsyms)
--counts per VM (and phase) what the trace counts: preemptions, CS, LHP,
         spins, extended waits (compare with the "summary: lhp" lines)
--vm, --phase restrict --hist and --counts.
docs/experiments.md ("Reading a trace") explains the tracks."""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'compare'))
import lhvtrace  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('trace')
    ap.add_argument('--json')
    ap.add_argument('--hist', action='store_true')
    ap.add_argument('--counts', action='store_true')
    ap.add_argument('--vm')
    ap.add_argument('--phase')
    a = ap.parse_args()
    try:
        t = lhvtrace.Trace.read(a.trace)
    except (OSError, lhvtrace.TraceError) as e:
        sys.exit(f'lhv-trace: {a.trace}: {e}')
    print(f'lhv-trace: {len(t.records)} records, {len(t.vms)} VMs, policy {t.header.get("policy")}, '
          f'{t.dropped} records lost, {t.seq_gaps} sequence gaps, {t.bad_lines} unreadable lines',
          file=sys.stderr)
    if a.json:
        obj = lhvtrace.write_chrome(t, a.json)
        problems = lhvtrace.check_chrome(obj)
        if problems:
            sys.exit('lhv-trace: malformed JSON produced: ' + '; '.join(problems))
        print(f'lhv-trace: {a.json}: {len(obj["traceEvents"])} events', file=sys.stderr)
    phases = t.phases()
    begin = end = None
    if a.phase:
        found = [(b, e) for vm, lst in phases.items() if a.vm in (None, vm)
                 for lab, b, e in lst if lab == a.phase]
        if not found:
            sys.exit(f'lhv-trace: no phase {a.phase!r}' + (f' in VM {a.vm}' if a.vm else ''))
        begin, end = found[0]
    if a.hist:
        sys.stdout.write(lhvtrace.format_histograms(t, a.vm, begin, end))
    if a.counts:
        for vm, (name, _) in sorted(t.vms.items()):
            if a.vm and name != a.vm:
                continue
            rows = [('all', None, None)] + phases.get(name, [])
            for lab, b, e in rows:
                if a.phase and lab != a.phase:
                    continue
                c = t.counts(name, b, e)
                print(f'vm {name} phase {lab} ' + ' '.join(
                    f'{k} {v:.3f}' if isinstance(v, float) else f'{k} {v}' for k, v in c.items()))


if __name__ == '__main__':
    main()
