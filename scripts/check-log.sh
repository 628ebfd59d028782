#!/usr/bin/env bash
# Decide pass/fail from a serial log.
#
#   scripts/check-log.sh LOG [--expect RE]... [--forbid RE]...
#                        [--then RE]... [--expect-count N RE]...
#                        [--expect-min N RE]... [--no-poweroff] [--allow-panic] [--tail N] [-q]
#
# RE is an extended regular expression (grep -E) matched against each line
# of LOG with carriage returns (and NUL bytes) removed. Every check is made
# and every failure printed, then the last --tail lines of the log (default
# 30) on failure.
#   --expect RE          some line matches RE
#   --then RE            a line after the one the previous --expect/--then
#                        matched (its first match) matches RE
#   --forbid RE          no line matches RE
#   --expect-count N RE  exactly N lines match RE
#   --expect-min N RE    at least N lines match RE
#   --no-poweroff        do not require the last line to be "HV POWEROFF"
#   --allow-panic        do not forbid panic lines (tests of the panic path)
# Defaults, always on: forbid panic lines, i.e. lines that start with
# "PANIC" or "HV PANIC", also after the log prefix "[ time] cpuN: ";
# require the last non-empty line to be "HV POWEROFF" (unless --no-poweroff).
# Exit status: 0 pass, 1 fail, 2 usage error.
set -euo pipefail

prog=${0##*/}
usage() { sed -n '2,5s/^# \{0,1\}//p' "$0" >&2; exit 2; }

PANIC_RE='^(\[[^]]*\] *)?(cpu[0-9]+: *)?(HV )?PANIC'
POWEROFF_RE='^HV POWEROFF[[:space:]]*$'

log= poweroff=1 tail_n=30 quiet=
expects=() thens=() forbids=("$PANIC_RE") counts=() count_res=() count_kind=()
num() { [[ $1 =~ ^[0-9]+$ ]] || { echo "$prog: '$1' is not a number" >&2; usage; }; }
while [ $# -gt 0 ]; do
	case $1 in
	--expect) [ $# -ge 2 ] || usage; expects+=("$2"); thens+=(""); shift ;;
	--then)
		[ $# -ge 2 ] || usage
		[ ${#expects[@]} -gt 0 ] || { echo "$prog: --then needs an --expect before it" >&2; usage; }
		expects+=("$2"); thens+=(1); shift ;;
	--forbid) [ $# -ge 2 ] || usage; forbids+=("$2"); shift ;;
	--expect-count | --expect-min)
		[ $# -ge 3 ] || usage; num "$2"
		counts+=("$2"); count_res+=("$3"); count_kind+=("${1#--expect-}"); shift 2 ;;
	--no-poweroff) poweroff= ;;
	--allow-panic) forbids=("${forbids[@]:1}") ;;
	--tail) [ $# -ge 2 ] || usage; num "$2"; tail_n=$2; shift ;;
	-q | --quiet) quiet=1 ;;
	-h | --help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) [ -z "$log" ] || { echo "$prog: two logs given" >&2; usage; }; log=$1 ;;
	esac
	shift
done
[ -n "$log" ] || usage

if [ ! -e "$log" ]; then
	echo "check-log: FAIL: $log does not exist (the emulator did not start?)"
	exit 1
fi
clean=$(mktemp "${TMPDIR:-/tmp}/lhv-checklog.XXXXXX")
trap 'rm -f "$clean"' EXIT
tr -d '\r\000' < "$log" > "$clean"

fails=0
fail() { echo "check-log: FAIL: $*"; fails=$((fails + 1)); }

if [ ! -s "$clean" ]; then
	fail "$log is empty (nothing on the serial port)"
fi

# prev: line number the previous expectation matched (0: none, -1: it failed).
prev=0 prev_re=
for i in "${!expects[@]}"; do
	re=${expects[$i]}
	after=0
	[ -z "${thens[$i]}" ] || after=$prev
	if [ "$after" -lt 0 ]; then
		fail "cannot look for /$re/ after /$prev_re/, which is missing"
		n=
	else
		n=$(grep -naE -- "$re" "$clean" | awk -F: -v after="$after" '$1 > after { print $1; exit }' || true)
		if [ -z "$n" ]; then
			if [ "$after" -gt 0 ] && grep -qaE -- "$re" "$clean"; then
				fail "a line matches /$re/, but none after line $after (/$prev_re/): wrong order"
			else
				fail "no line matches /$re/"
			fi
		fi
	fi
	prev=${n:--1} prev_re=$re
done

for i in "${!counts[@]}"; do
	want=${counts[$i]} re=${count_res[$i]}
	got=$(grep -caE -- "${re}" "$clean" || true)
	if [ "${count_kind[$i]}" = count ] && [ "$got" -ne "$want" ]; then
		fail "$got lines match /$re/, expected exactly $want"
	elif [ "${count_kind[$i]}" = min ] && [ "$got" -lt "$want" ]; then
		fail "$got lines match /$re/, expected at least $want"
	fi
done

for re in "${forbids[@]}"; do
	hits=$(grep -naE -- "$re" "$clean" | head -n 5 || true)
	if [ -n "$hits" ]; then
		fail "forbidden /$re/ matched:"
		sed 's/^/    /' <<< "$hits"
	fi
done

if [ -n "$poweroff" ]; then
	lastline=$(grep -av '^[[:space:]]*$' "$clean" | tail -n 1 || true)
	if ! grep -qaE -- "$POWEROFF_RE" "$clean"; then
		fail "no 'HV POWEROFF' line (hang, crash or timeout before power-off?)"
	elif ! [[ $lastline =~ $POWEROFF_RE ]]; then
		fail "'HV POWEROFF' is not the last line; the last line is: $lastline"
	fi
fi

if [ "$fails" -gt 0 ]; then
	if [ "$tail_n" -gt 0 ]; then
		echo "---- last $tail_n lines of $log ----"
		tail -n "$tail_n" "$clean"
		echo "---- end of $log ----"
	fi
	exit 1
fi
[ -n "$quiet" ] || echo "check-log: ok: $log"
exit 0
