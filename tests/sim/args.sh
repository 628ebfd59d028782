#!/bin/sh
# Bad arguments: a clear message on stderr and exit 2; --help exits 0.
. "$(dirname "$0")/lib.sh"
bad() {
	want=$1; shift
	ERR=$(timeout 10 "$HVSIM" "$@" 2>&1 >/dev/null); rc=$?
	case "$rc:$ERR" in
	2:*"$want"*) echo "ok: $* -> $ERR" ;;
	*) echo "FAIL: $* -> rc=$rc '$ERR' (wanted exit 2 and '$want')"; FAILS=$((FAILS + 1)) ;;
	esac
}
bad "available: free, gang" --pcpus 2 --vms 2 --sched nope
bad "--pcpus" --vms 2
bad "--vms" --pcpus 2
bad "--pcpus" --pcpus 0 --vms 2
bad "--vms" --pcpus 2 --vms 2,x
bad "--seconds" --pcpus 2 --vms 2 --seconds -1
bad "--weights" --pcpus 2 --vms 2,2 --weights 1,2,3
bad "--caps" --pcpus 2 --vms 2 --caps 500
bad "--slice" --pcpus 2 --vms 2 --slice 1us
bad "--lock" --pcpus 2 --vms 2 --lock mcs
bad "unknown option" --pcpus 2 --vms 2 --frobnicate 1
bad "needs a value" --pcpus 2 --vms
timeout 10 "$HVSIM" --help | grep -q -- "--pcpus" && echo "ok: --help" || { echo "FAIL: --help"; FAILS=$((FAILS + 1)); }
finish
