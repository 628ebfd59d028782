#!/usr/bin/env bash
# The comparison harness's readers on a canned run (no emulator): the
# console log and a cut of the trace of a free, tas, 2x run (two 2-vCPU
# VMs; tests/scripts/logs/compare/, its files phase). parse_run.py must
# give the hypervisor's figures for both VMs, find the trace agreeing with
# them, and fail the run when the trace loses an LHP record, when the trace
# says records were lost, when a VM did not power off, or when the guest's
# lock is not the one asked for; lhv-trace.py must write Trace Event
# Format JSON and symbolized histograms. Seconds.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOGS=$ROOT/tests/scripts/logs/compare
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
fresh() { rm -rf "$TMP/run"; cp -r "$LOGS" "$TMP/run"; }
parse() { python3 "$ROOT/scripts/compare/parse_run.py" "$TMP/run" --rc 0 --wall 1 > "$TMP/parse.out" 2>&1; }
field() {   # field VM COLUMN: from result.json
	python3 -c "import json,sys; r=[x for x in json.load(open('$TMP/run/result.json'))['rows'] if x['vm']=='$1']; print(r[0]['$2'])"
}

# 1. The canned run as it is: good, the hypervisor's numbers, agreement.
fresh
parse || { cat "$TMP/parse.out"; fail "the canned run does not parse as good"; }
# summary: lhp vm a phase files ... preempt 197 cs 25 lhp 22 / long_spins 18
[ "$(field a preemptions)" = 197 ] || fail "vm a preemptions $(field a preemptions), want 197"
[ "$(field a cs_preempts)" = 25 ] || fail "vm a cs $(field a cs_preempts), want 25"
[ "$(field a lhp)" = 22 ] || fail "vm a lhp $(field a lhp), want 22"
[ "$(field a long_waits)" = 18 ] || fail "vm a long waits $(field a long_waits), want 18"
[ "$(field b lhp)" = 37 ] || fail "vm b lhp $(field b lhp), want 37"
[ "$(field a lhp_prob)" = 0.111675 ] || fail "vm a lhp_prob $(field a lhp_prob), want 22/197"
[ "$(field a throughput)" = 1954.0 ] || fail "vm a throughput $(field a throughput)"
[ "$(field a trace_agrees)" = 1 ] && [ "$(field b trace_agrees)" = 1 ] || fail "trace and counters should agree"
[ "$(field a trace_lhp)" = 22 ] || fail "vm a trace_lhp $(field a trace_lhp)"
[ "$(field a guest_lock)" = tas ] || fail "guest lock $(field a guest_lock)"
python3 - "$TMP/run/trace.json" "$ROOT" <<'EOF' || fail "trace.json"
import json, sys
sys.path.insert(0, sys.argv[2] + '/scripts/compare')
import lhvtrace
obj = json.load(open(sys.argv[1]))
assert not lhvtrace.check_chrome(obj), lhvtrace.check_chrome(obj)
ev = obj['traceEvents']
assert any(e['ph'] == 'X' and e['pid'] == 1 for e in ev), 'no pCPU slices'
lhp = [e for e in ev if e['name'] == 'LHP resolved' and e['ph'] == 'i']
assert len(lhp) >= 22 + 37, f'{len(lhp)} LHP instants'
assert any(e['name'] == 'files' and e.get('cat') == 'phase' for e in ev), 'no phase slice'
# The checker itself must catch a broken shape.
assert lhvtrace.check_chrome({'traceEvents': [{'ph': 'X', 'pid': 1, 'name': 'x', 'ts': 1}]})
assert lhvtrace.check_chrome({'events': []})
EOF
grep -Eq '^ +[0-9]+ +[0-9.]+  native_queued_spin_lock_slowpath$' "$TMP/run/hist.txt" ||
	fail "hist.txt lacks the TAS spin loop's function"

# 2. Two lock-holder preemptions of vm a lost from the trace: disagreement
# (one event either side of a phase mark is tolerated, docs/experiments.md).
fresh
awk 'n < 2 && /^L / && $5 == "0" && $7 == "1" { n++; next } { print }' "$LOGS/trace.e9" > "$TMP/run/trace.e9"
! parse || fail "a run whose trace lost an LHP record passed"
[ "$(field a trace_agrees)" = 0 ] || fail "vm a trace_agrees should be 0"
grep -q 'the trace and the counters disagree' "$TMP/parse.out" || fail "no disagreement reported"

# 3. The ring overflowed (an X record): the run is not good.
fresh
sed -i '0,/^D /s//X 0 0 1 0 0 0 5 0 0\nD /' "$TMP/run/trace.e9"
! parse || fail "a trace with lost records passed"
grep -q 'trace lost 5 records' "$TMP/parse.out" || fail "lost records not reported"

# 4. A VM that did not power off; a guest with another lock than asked.
fresh
sed -i 's/^HV VM b stopped reason=poweroff/HV VM b stopped reason=fault/' "$TMP/run/serial.log"
! parse || fail "a faulted VM passed"
grep -q 'VM b stopped reason=fault' "$TMP/parse.out" || fail "fault not reported"
fresh
sed -i 's/"locks": "tas"/"locks": "qspin"/' "$TMP/run/run.json"
! parse || fail "a tas guest passed as qspin"
grep -q 'uses the tas lock, not qspin' "$TMP/parse.out" || fail "lock mismatch not reported"

# 5. lhv-trace.py by hand.
fresh
"$ROOT/scripts/lhv-trace.py" "$TMP/run/trace.e9" --json "$TMP/t.json" --counts --hist --vm a --phase files \
	> "$TMP/lt.out" 2> "$TMP/lt.err" || { cat "$TMP/lt.err"; fail "lhv-trace.py failed"; }
grep -q '^vm a phase files preempt 197 cs 25 lhp 22 ' "$TMP/lt.out" || { cat "$TMP/lt.out"; fail "lhv-trace.py --counts"; }
grep -q 'smp_call_function_many_cond' "$TMP/lt.out" || fail "lhv-trace.py --hist lacks the IPI wait"
echo PASS
