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
#   FUZZ_WORKERS  processes per target (default 1), all on the target's one
#               corpus (libFuzzer reloads what the others add); FUZZ_RUNS
#               is then their total, split evenly, and the summary line
#               adds up their executions and rates. Logs and crashes get a
#               -wK suffix (worker K).
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
FUZZ_WORKERS=${FUZZ_WORKERS:-1}
read -r -a extra <<< "${FUZZ_ARGS:-}"
prog=${0##*/}

case $FUZZ_TIME in *[!0-9]* | '') echo "$prog: FUZZ_TIME must be a number of seconds" >&2; exit 2 ;; esac
case $FUZZ_RUNS in *[!0-9]*) echo "$prog: FUZZ_RUNS must be a number" >&2; exit 2 ;; esac
case $FUZZ_JOBS in *[!0-9]* | '' | 0) echo "$prog: FUZZ_JOBS must be a positive number" >&2; exit 2 ;; esac
case $FUZZ_WORKERS in *[!0-9]* | '' | 0) echo "$prog: FUZZ_WORKERS must be a positive number" >&2; exit 2 ;; esac
if [ -n "$FUZZ_RUNS" ] && [ "$FUZZ_RUNS" -lt "$FUZZ_WORKERS" ]; then
	echo "$prog: FUZZ_RUNS must be at least FUZZ_WORKERS" >&2; exit 2
fi

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

# One target, FUZZ_WORKERS processes; prints its summary line.
run_one() {
	local name=$1 bin=$BUILD/fuzz/fuzz_$1
	local work=$BUILD/fuzz/corpus/$1 seeds=tests/fuzz/corpus/$1 dict=tests/fuzz/dict/$1.dict
	local args=() dirs=("$work") start secs k
	if [ ! -x "$bin" ]; then
		printf '%-11s %12s %9s %6s %7s %7s %6s  %s\n' "$name" - - - - - - "FAIL (no $bin)"
		return 1
	fi
	mkdir -p "$work"
	args=(-max_total_time="$FUZZ_TIME" -timeout=10 -print_final_stats=1)
	[ -f "$dict" ] && args+=(-dict="$dict")
	[ -d "$seeds" ] && dirs+=("$seeds")
	# Worker K's log, crash prefix and share of FUZZ_RUNS (the first one
	# takes the remainder). One worker keeps the plain names.
	local logs=() pids=() rcs=() sfx runs
	start=$(date +%s)
	for ((k = 0; k < FUZZ_WORKERS; k++)); do
		sfx=; [ "$FUZZ_WORKERS" -gt 1 ] && sfx=-w$k
		logs[k]=$BUILD/fuzz/log/$name$sfx.log
		runs=()
		if [ -n "$FUZZ_RUNS" ]; then
			local n=$((FUZZ_RUNS / FUZZ_WORKERS))
			[ "$k" -eq 0 ] && n=$((n + FUZZ_RUNS % FUZZ_WORKERS))
			runs=(-runs="$n")
		fi
		"$bin" "${args[@]}" -artifact_prefix="$BUILD/fuzz/crash/$name$sfx-" "${runs[@]}" \
			"${extra[@]}" "${dirs[@]}" >"${logs[k]}" 2>&1 &
		pids[k]=$!
	done
	# A failed worker stops the others: the target has failed.
	local -A alive=()
	local pid rc failed_k=''
	for ((k = 0; k < FUZZ_WORKERS; k++)); do alive[${pids[k]}]=$k; done
	while [ ${#alive[@]} -gt 0 ]; do
		pid=
		wait -n -p pid "${!alive[@]}"
		rc=$?
		[ -n "$pid" ] || break
		k=${alive[$pid]}
		unset "alive[$pid]"
		rcs[k]=$rc
		if [ "$rc" -ne 0 ] && [ -z "$failed_k" ]; then
			failed_k=$k
			[ ${#alive[@]} -gt 0 ] && kill "${!alive[@]}" 2>/dev/null
		fi
	done
	secs=$(($(date +%s) - start))
	# Executions and rates add up over the workers; coverage, features and
	# corpus are the largest any worker reached (they share one corpus).
	local execs=0 rate=0 cov='' ft='' corp='' log e r st c f u
	for log in "${logs[@]}"; do
		e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
		# The last status line ("#N ... cov: C ft: F corp: U/S ...").
		st=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -n 1)
		c=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$st")
		f=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$st")
		u=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<< "$st")
		[ -n "$e" ] || e=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' <<< "$st")
		execs=$((execs + ${e:-0})) rate=$((rate + ${r:-0}))
		[ -n "$c" ] && [ "$c" -gt "${cov:-0}" ] && cov=$c
		[ -n "$f" ] && [ "$f" -gt "${ft:-0}" ] && ft=$f
		[ -n "$u" ] && [ "$u" -gt "${corp:-0}" ] && corp=$u
	done
	[ "$execs" -gt 0 ] || execs=
	[ "$rate" -gt 0 ] || rate=
	local result
	if [ -z "$failed_k" ]; then
		result="ok, 0 crashes"
	else
		local why file
		log=${logs[failed_k]}
		why=$(grep -m 1 -E 'FUZZ INVARIANT BROKEN|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|FUZZ ENV' "$log" |
		      sed 's/^==[0-9]*== *//' | cut -c 1-120)
		file=$(sed -n "s/.*Test unit written to \(.*\)/\1/p" "$log" | tail -n 1)
		result="FAIL, 1 crash: ${why:-exit status ${rcs[failed_k]}}${file:+ -> $file}"
	fi
	printf '%-11s %12s %9s %6s %7s %7s %6s  %s\n' "$name" "${execs:--}" "${rate:--}" "${cov:--}" \
		"${ft:--}" "${corp:--}" "$secs" "$result"
	[ -z "$failed_k" ]
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
