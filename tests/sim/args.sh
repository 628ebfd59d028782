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
bad "unknown scheduler 'nope' (available: " --pcpus 2 --vms 2 --sched nope
for p in $(ls sched/policy/ | sed -n 's/\.c$//p'); do
	case $ERR in *" $p"[,\)]*) echo "ok: $p is listed" ;; *) echo "FAIL: $p not in '$ERR'"; FAILS=$((FAILS + 1)) ;; esac
done
bad "--pcpus" --vms 2
bad "--vms" --pcpus 2
bad "--pcpus" --pcpus 0 --vms 2
bad "--vms" --pcpus 2 --vms 2,x
bad "--seconds" --pcpus 2 --vms 2 --seconds -1
bad "--weights" --pcpus 2 --vms 2,2 --weights 1,2,3
bad "--caps" --pcpus 2 --vms 2 --caps 500
bad "--slice" --pcpus 2 --vms 2 --slice 1us
bad "--lock" --pcpus 2 --vms 2 --lock mcs
bad "--vms" --pcpus 2 --vms 2:sleepy
bad "--hints" --pcpus 2 --vms 2,2 --hints cs,none,cs
bad "--hints" --pcpus 2 --vms 2 --hints lots
bad "--pin" --pcpus 2 --vms 2 --pin 0.2=1
bad "--pin" --pcpus 2 --vms 2 --pin 0.1=2
bad "--pin" --pcpus 2 --vms 2 --pin 0=1-0
bad "--vcpu-cap" --pcpus 2 --vms 2 --vcpu-cap 0.0=101
bad "--vcpu-cap" --pcpus 2 --vms 2 --vcpu-cap 0=50
bad "pdelay.bound: 1s is out of range (10us..100ms)" --pcpus 2 --vms 2 --knob pdelay.bound=1s
bad "unknown knob 'free.nope'" --pcpus 2 --vms 2 --knob free.nope=1
bad "--knob" --pcpus 2 --vms 2 --knob pdelay.bound
bad "--ple" --pcpus 2 --vms 2 --ple fast
bad "unknown option" --pcpus 2 --vms 2 --frobnicate 1
bad "needs a value" --pcpus 2 --vms
timeout 10 "$HVSIM" --help | grep -q -- "--pcpus" && echo "ok: --help" || { echo "FAIL: --help"; FAILS=$((FAILS + 1)); }
timeout 10 "$HVSIM" --help | grep -q -- "pdelay.bound=1ms (10us..100ms)" && echo "ok: --help lists the knobs" ||
	{ echo "FAIL: --help does not list the knobs"; FAILS=$((FAILS + 1)); }
finish
