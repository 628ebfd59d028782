#!/usr/bin/env bash
# `make fuzz`: run fuzz targets (tests/fuzz/<name>.c, built as
# $BUILD/fuzz/fuzz_<name> by `make fuzz-bins`) one after another and print
# one summary line per target.
#
#   scripts/fuzz.sh [NAME]...          default: every target built
#
# Environment:
#   FUZZ_TIME   seconds per target (default 120; 0 = no time limit)
#   FUZZ_RUNS   executions per target (default: no limit); with FUZZ_TIME=0
#               every target runs exactly that many inputs
#   FUZZ_JOBS   targets at a time (default 1)
#   FUZZ_ARGS   more libFuzzer options, e.g. "-max_len=8192"
#   BUILD       build directory (default build)
# Each target starts from its committed seeds (tests/fuzz/corpus/<name>/,
# read only) and the corpus it grew before ($BUILD/fuzz/corpus/<name>/,
# kept between runs), with tests/fuzz/dict/<name>.dict when there is one.
# A crash, sanitizer report, broken invariant (FUZZ INVARIANT BROKEN),
# timeout (10 s for one input) or memory blow-up stops that target; the
# input goes to $BUILD/fuzz/crash/<name>-* (replay: $BUILD/fuzz/fuzz_<name>
# FILE) and the log to $BUILD/fuzz/log/<name>.log. The summary also goes to
# $BUILD/fuzz/summary.txt. Exit status 1 if any target failed.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-120}
FUZZ_RUNS=${FUZZ_RUNS:-}
FUZZ_JOBS=${FUZZ_JOBS:-1}
read -r -a extra <<< "${FUZZ_ARGS:-}"
prog=${0##*/}

case $FUZZ_TIME in *[!0-9]* | '') echo "$prog: FUZZ_TIME must be a number of seconds" >&2; exit 2 ;; esac
case $FUZZ_RUNS in *[!0-9]*) echo "$prog: FUZZ_RUNS must be a number" >&2; exit 2 ;; esac
case $FUZZ_JOBS in *[!0-9]* | '' | 0) echo "$prog: FUZZ_JOBS must be a positive number" >&2; exit 2 ;; esac

if [ $# -eq 0 ]; then
	for b in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$b" ] && set -- "$@" "${b##*/fuzz_}"
	done
fi
if [ $# -eq 0 ]; then
	echo "$prog: no fuzz targets in $BUILD/fuzz ('make fuzz-bins' builds them)" >&2
	exit 1
fi

mkdir -p "$BUILD/fuzz/log" "$BUILD/fuzz/crash"
summary=$BUILD/fuzz/summary.txt
header=$(printf '%-11s %12s %9s %6s %7s %7s %6s  %s' target executions exec/s cov ft corpus secs result)
echo "$header" | tee "$summary"

# One target; prints its summary line.
run_one() {
	local name=$1 bin=$BUILD/fuzz/fuzz_$1 log=$BUILD/fuzz/log/$1.log
	local work=$BUILD/fuzz/corpus/$1 seeds=tests/fuzz/corpus/$1 dict=tests/fuzz/dict/$1.dict
	local args=() dirs=("$work") rc start secs
	if [ ! -x "$bin" ]; then
		printf '%-11s %12s %9s %6s %7s %7s %6s  %s\n' "$name" - - - - - - "FAIL (no $bin)"
		return 1
	fi
	mkdir -p "$work"
	args=(-max_total_time="$FUZZ_TIME" -timeout=10 -print_final_stats=1
	      -artifact_prefix="$BUILD/fuzz/crash/$name-")
	[ -n "$FUZZ_RUNS" ] && args+=(-runs="$FUZZ_RUNS")
	[ -f "$dict" ] && args+=(-dict="$dict")
	[ -d "$seeds" ] && dirs+=("$seeds")
	start=$(date +%s)
	"$bin" "${args[@]}" "${extra[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	local execs rate cov ft corp result
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	# The last status line ("#N ... cov: C ft: F corp: U/S ...").
	local st
	st=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$st")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$st")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<< "$st")
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' <<< "$st")
	fi
	if [ "$rc" -eq 0 ]; then
		result="ok, 0 crashes"
	else
		local why file
		why=$(grep -m 1 -E 'FUZZ INVARIANT BROKEN|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|FUZZ ENV' "$log" |
		      sed 's/^==[0-9]*== *//' | cut -c 1-120)
		file=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -n 1)
		result="FAIL, 1 crash: ${why:-exit status $rc}${file:+ -> $file}"
	fi
	printf '%-11s %12s %9s %6s %7s %7s %6s  %s\n' "$name" "${execs:--}" "${rate:--}" "${cov:--}" \
		"${ft:--}" "${corp:--}" "$secs" "$result"
	[ "$rc" -eq 0 ]
}

failed=0
declare -A running=()
for name in "$@"; do
	while [ ${#running[@]} -ge "$FUZZ_JOBS" ]; do
		pid=
		wait -n -p pid "${!running[@]}" || failed=1
		[ -n "$pid" ] && unset "running[$pid]"
	done
	run_one "$name" | tee -a "$summary" &
	running[$!]=$name
done
while [ ${#running[@]} -gt 0 ]; do
	pid=
	wait -n -p pid "${!running[@]}" || failed=1
	[ -n "$pid" ] && unset "running[$pid]"
done
# A failed target's line says FAIL (tee hides run_one's status under pipefail
# only in the subshell, so look at the summary too).
grep -q ' FAIL' "$summary" && failed=1
[ "$failed" -eq 0 ] || echo "$prog: some targets failed; logs in $BUILD/fuzz/log/" >&2
exit "$failed"
