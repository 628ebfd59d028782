#!/usr/bin/env bash
# The `make test` runner: every host unit-test binary build/host/test_*, then
# every executable tests/*/*.sh (not tests/*/lib*.sh), each under a hard
# timeout, up to -j at a time, output captured per test.
#
#   scripts/run-tests.sh [-j N] [-l] [-h] [FILTER]...
#
# Test names: unit/test_<x> for each host unit-test binary build/host/test_<x>
# (built by `make unit`; `make` alone does not build them), and <dir>/<name>
# for each script tests/<dir>/<name>.sh (suites boot, guest, linux, sched,
# scripts, sim, vmm). `-l` lists them.
# FILTER: run only the tests whose name contains one of the FILTERs (a plain
# substring, no wildcards; any FILTER may match); also from env TESTS
# (blank- or comma-separated). A suite is `<dir>/`:
#   scripts/run-tests.sh unit/             the host unit tests
#   scripts/run-tests.sh boot/             tests/boot/*.sh (`boot` alone also
#                                          matches unit/test_linux_boot)
#   scripts/run-tests.sh bochs-2cpu qemu-pvh   two boot tests
#   scripts/run-tests.sh test_cmdline      one unit test
#   TESTS=unit/,sim/ scripts/run-tests.sh  filters through the environment
# -j N: parallel jobs (default: JOBS env, else 2, the CI machine's cores).
# -l: list the selected tests and exit.  -h: this text.
# Timeouts: 300 s per unit-test binary, 900 s per script unless the script
# has a line "# timeout: N" in its first 30 lines; TEST_TIMEOUT_SCALE (a
# whole number, default 1) multiplies them all for slow machines.
# A script exiting 77 is skipped (SKIP, counted in neither total).
#
# Prints "PASS name (Ns)", "FAIL name (...)" with the test's captured output,
# "SKIP name" as tests end, then exactly one closing line "N passed, N failed".
# Exit status 1 if any test failed, none was selected, or unit tests were
# selected but none is built (the message names `make unit`); 2 on bad usage.
set -uo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD

jobs=${JOBS:-2} list= filters=()
help_end=$(grep -n '^set -uo pipefail' "$0" | cut -d: -f1)
usage() { sed -n "2,$((help_end - 1))s/^# \\{0,1\\}//p" "$0" >&2; exit 2; }
help() { sed -n "2,$((help_end - 1))s/^# \\{0,1\\}//p" "$0"; exit 0; }
while [ $# -gt 0 ]; do
	case $1 in
	-j) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
	-j*) jobs=${1#-j} ;;
	-l | --list) list=1 ;;
	-h | --help) help ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) filters+=("$1") ;;
	esac
	shift
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "$prog: -j needs a positive number" >&2; exit 2; }
if [ -n "${TESTS:-}" ]; then
	read -r -a more <<< "${TESTS//,/ }"
	filters+=("${more[@]}")
fi
scale=${TEST_TIMEOUT_SCALE:-1}
[[ $scale =~ ^[1-9][0-9]*$ ]] || { echo "$prog: TEST_TIMEOUT_SCALE must be a positive whole number" >&2; exit 2; }

selected() {
	[ ${#filters[@]} -eq 0 ] && return 0
	local f
	for f in "${filters[@]}"; do
		[[ $1 == *"$f"* ]] && return 0
	done
	return 1
}

# Test list: name, command, timeout.
names=() cmds=() tmos=()
add() { selected "$1" || return 0; names+=("$1"); cmds+=("$2"); tmos+=($(($3 * scale))); }

for t in "$BUILD"/host/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case ${t##*/} in *.*) continue ;; esac    # test_x.d, test_x.o, ...
	add "unit/${t##*/}" "$t" 300
done
for t in tests/*/*.sh; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case ${t##*/} in lib*.sh) continue ;; esac
	tmo=$(head -n 30 "$t" | sed -n 's/^# *timeout: *\([0-9][0-9]*\) *$/\1/p' | head -n 1)
	name=${t#tests/}
	add "${name%.sh}" "$ROOT/$t" "${tmo:-900}"
done

# Unit tests the filters select but that are not built, named from their
# sources (tests/**/test_<x>.c becomes build/host/test_<x>, see the
# module.mk files). When none is built, `make unit` was not run: with no filter, or
# when nothing else is selected, stop and say so rather than report success
# without them; otherwise name them and go on.
missing_unit=() have_unit=0
while IFS= read -r c; do
	n=${c##*/}
	n=unit/${n%.c}
	selected "$n" || continue
	if [ -x "$BUILD/host/${n#unit/}" ]; then
		have_unit=$((have_unit + 1))
	else
		missing_unit+=("$n")
	fi
done < <(find tests -name 'test_*.c' | sort)
if [ ${#missing_unit[@]} -gt 0 ] && [ "$have_unit" -eq 0 ]; then
	if [ ${#filters[@]} -eq 0 ] || [ ${#names[@]} -eq 0 ]; then
		echo "$prog: the unit tests are not built (no ${BUILD#"$ROOT"/}/host/test_*): run 'make unit' first" >&2
		echo "$prog: ('make test' builds everything and runs the whole suite)" >&2
		[ -n "$list" ] || { echo "0 passed, 0 failed"; exit 1; }
	else
		echo "$prog: not built, not run: ${missing_unit[*]} ('make unit' builds them)" >&2
	fi
fi

if [ -n "$list" ]; then
	for i in "${!names[@]}"; do echo "${names[$i]} (timeout ${tmos[$i]}s)"; done
	exit 0
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "$prog: no tests selected${filters[*]:+ by '${filters[*]}'} ('$prog -l' lists the test names)" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

outdir=$BUILD/test/runner
mkdir -p "$outdir"

declare -A run_idx=() run_start=()
passed=0 failed=0 skipped=0 failed_names=()

# Kill every running test (its whole process group: timeout runs it in one)
# when we are interrupted.
stop_all() {
	local pid
	for pid in "${!run_idx[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	done
	sleep 1
	for pid in "${!run_idx[@]}"; do
		kill -KILL -- "-$pid" 2>/dev/null || true
	done
}
trap 'stop_all; echo "$prog: interrupted" >&2; exit 130' INT
trap 'stop_all; exit 143' TERM

start_test() {
	local i=$1
	local out=$outdir/${names[$i]//\//.}.out
	# timeout puts the test in its own process group and signals all of it;
	# TERM first so the test's traps stop its emulators, KILL 20 s later.
	timeout -k 20 "${tmos[$i]}" "${cmds[$i]}" </dev/null >"$out" 2>&1 &
	run_idx[$!]=$i
	run_start[$!]=$EPOCHREALTIME
}

finish_test() {
	local pid=$1 rc=$2
	local i=${run_idx[$pid]}
	local name=${names[$i]} out=$outdir/${names[$i]//\//.}.out
	local secs
	secs=$(awk -v a="${run_start[$pid]}" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	unset "run_idx[$pid]" "run_start[$pid]"
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
	elif [ "$rc" -eq 77 ]; then
		echo "SKIP $name ($(tail -n 1 "$out"))"
		skipped=$((skipped + 1))
	else
		local why="exit status $rc"
		[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || why="timed out after ${tmos[$i]}s"
		echo "FAIL $name ($why, ${secs}s)"
		echo "---- output of $name (${out#"$ROOT"/}), last 100 lines ----"
		tail -n 100 "$out"
		echo "---- end of $name ----"
		failed=$((failed + 1))
		failed_names+=("$name")
	fi
}

next=0 total=${#names[@]}
while [ "$next" -lt "$total" ] || [ ${#run_idx[@]} -gt 0 ]; do
	while [ "$next" -lt "$total" ] && [ ${#run_idx[@]} -lt "$jobs" ]; do
		start_test "$next"
		next=$((next + 1))
	done
	pid= rc=0
	wait -n -p pid "${!run_idx[@]}" || rc=$?
	if [ -z "$pid" ]; then
		# wait was interrupted without reaping (should not happen); look again.
		continue
	fi
	finish_test "$pid" "$rc"
done

[ "$failed" -eq 0 ] || echo "failed: ${failed_names[*]}"
[ "$skipped" -eq 0 ] || echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
