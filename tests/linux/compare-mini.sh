#!/usr/bin/env bash
# The comparison harness end to end on a two-configuration mini matrix:
# one Debian guest of 2 vCPUs on 1 pCPU (overcommitted, so the scheduler
# preempts and SMP bring-up happens under overcommit), policy free, guest
# lock flavours tas and qspin, the files workload for 1 guest second, under
# Bochs. Checks that results.csv has the contract's columns and a good row
# per run whose lock flavour the guest confirms, that results.json and every
# trace.json parse (the Trace Event Format's shape), that the trace and the
# hypervisor's counters agree, that summary.md and the plots exist, and
# that running the same command again reuses both runs; then that runs
# killed at their --timeout are reported (status timeout, the reason and
# the log in the progress lines and summary.md) while the rest go on.
# About 3 minutes.
# timeout: 900
. "$(dirname "$0")/lib.sh"
linux_kernels
[ -x "$BUILD/host/lhv-vmcfg" ] || fail "$BUILD/host/lhv-vmcfg missing (make all)"
res=$OUT/matrix
args=(--pcpus 1 --vcpus 2 --overcommit 2 --policies free --locks tas,qspin --workloads files
      --secs 1 --timeout 600 -j 1 --out "$res")
"$ROOT/scripts/compare.sh" "${args[@]}" > "$OUT/compare.log" 2>&1 ||
	{ cat "$OUT/compare.log"; LOG=$(ls "$res"/runs/*/serial.log | head -1); fail "compare.sh failed"; }
grep -q 'runs (2 to do, 0 done before)' "$OUT/compare.log" || fail "not a fresh two-run matrix"

python3 - "$res" "$ROOT" <<'EOF' || fail "the outputs do not parse as they should"
import csv, glob, json, os, sys
res, root = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(root, 'scripts/compare'))
import lhvtrace, parse_run
bad = []
def check(cond, what):
    if not cond:
        bad.append(what)
rows = list(csv.DictReader(open(os.path.join(res, 'results.csv'))))
header = next(csv.reader(open(os.path.join(res, 'results.csv'))))
check(header == parse_run.COLUMNS, f'CSV header {header[:8]}... is not the documented column list')
for col in ('policy', 'locks', 'overcommit', 'workload', 'vm', 'throughput', 'lhp', 'lhp_prob',
            'long_waits', 'long_wait_frac', 'steal_frac', 'preemptions'):
    check(col in header, f'column {col} missing')
check(len(rows) == 2, f'{len(rows)} rows, expected 2')
check(sorted(r['locks'] for r in rows) == ['qspin', 'tas'], 'lock flavours')
for r in rows:
    w = f'row {r["run"]}'
    check(r['status'] == 'ok', f'{w}: status {r["status"]}')
    check(r['guest_lock'] == r['locks'], f'{w}: the guest uses {r["guest_lock"]}')
    check(r['workload'] == 'files' and r['vm'] == 'a' and r['policy'] == 'free', f'{w}: identity')
    check(float(r['throughput']) > 0, f'{w}: throughput')
    check(int(r['preemptions']) > 0, f'{w}: no preemptions with 2 vCPUs on 1 pCPU')
    check(0 <= float(r['lhp_prob']) <= 1 and 0 <= float(r['long_wait_frac']) <= 1, f'{w}: fractions')
    check(0.2 < float(r['steal_frac']) < 0.8, f'{w}: steal_frac {r["steal_frac"]} (two vCPUs share one pCPU)')
    check(int(r['lhp']) <= int(r['cs_preempts']) <= int(r['preemptions']), f'{w}: lhp <= cs <= preemptions')
    check(r['trace_agrees'] == '1', f'{w}: the trace and the counters disagree')
    check(r['backend'] == 'vmx' and r['emulator'] == 'bochs', f'{w}: backend/emulator')
    check(r['lhv_commit'] not in ('', 'unknown'), f'{w}: lhv_commit')
j = json.load(open(os.path.join(res, 'results.json')))
check(len(j['rows']) == 2 and j['columns'] == parse_run.COLUMNS, 'results.json rows/columns')
check(all(r['status'] == 'ok' for r in j['runs']), 'results.json runs not ok')
traces = glob.glob(os.path.join(res, 'runs/*/trace.json'))
check(len(traces) == 2, f'{len(traces)} trace.json files')
for t in traces:
    obj = json.load(open(t))
    probs = lhvtrace.check_chrome(obj)
    check(not probs, f'{t}: {probs[:3]}')
    ev = obj['traceEvents']
    check(any(e['ph'] == 'X' and e['pid'] == 1 and e.get('tid') == 0 for e in ev), f'{t}: no slices on pCPU 0')
    check(any(e['ph'] == 'i' and e['name'].startswith('preempt') for e in ev), f'{t}: no preemption instants')
    check(any(e['ph'] == 'X' and e.get('cat') == 'phase' and e['name'] == 'files' for e in ev), f'{t}: no phase')
summary = open(os.path.join(res, 'summary.md')).read()
check('## locks=tas, files' in summary and '## locks=qspin, files' in summary, 'summary.md tables')
check(os.path.exists(os.path.join(res, 'plots/lhp-tas.png')), 'plots/lhp-tas.png missing')
for b in bad:
    print('check failed:', b)
sys.exit(1 if bad else 0)
EOF
"$ROOT/scripts/compare.sh" "${args[@]}" > "$OUT/compare2.log" 2>&1 || fail "second compare.sh failed"
grep -q 'runs (0 to do, 2 done before)' "$OUT/compare2.log" || { cat "$OUT/compare2.log"; fail "the runs were not reused"; }

# Hung runs (here: killed after 15 s, long before the guest is up).
args=(--pcpus 1 --vcpus 2 --overcommit 2 --policies free --locks tas,qspin --workloads files
      --secs 2 --timeout 15 -j 1 --out "$res")
if "$ROOT/scripts/compare.sh" "${args[@]}" > "$OUT/compare3.log" 2>&1; then
	cat "$OUT/compare3.log"
	fail "compare.sh succeeded although every new run timed out"
fi
[ "$(grep -c ' timeout in .*timeout: the emulator was killed after 15 s (log: .*serial.log)' "$OUT/compare3.log")" = 2 ] ||
	{ cat "$OUT/compare3.log"; fail "the two timed-out runs were not both reported with their logs"; }
grep -q '2 runs failed' "$OUT/compare3.log" || { cat "$OUT/compare3.log"; fail "no failure count"; }
grep -q '^- `free-tas-2x-.*` timeout: timeout: the emulator was killed after 15 s' "$res/summary.md" ||
	fail "summary.md does not list the timed-out runs"
pass
