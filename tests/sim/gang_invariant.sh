#!/bin/sh
# Gang never runs a partial gang: --check verifies the framework's and the
# policy's invariants plus "a VM with a running vCPU has all its runnable
# vCPUs running" after every simulated time step (exit 3 on a violation).
# Also: a VM larger than the machine is refused with a clear error.
. "$(dirname "$0")/lib.sh"
for cfg in "4 4,4" "4 2,2,4,1,3" "8 4,4,2,2,1,1,3" "3 1,1,1,2,3"; do
	set -- $cfg
	for sp in 0 0.1; do
		sim --pcpus $1 --vms $2 --sched gang --seconds 2 --seed 5 --sleep-prob $sp --check
		expect "gang pcpus=$1 vms=$2 sleep=$sp: $(get checks) checks passed" "$(get checks) > 0"
	done
done
sim --pcpus 4 --vms 4,4,2,1 --sched free --seconds 2 --seed 5 --sleep-prob 0.1 --caps 0,50,0,0 --check
expect "free with --check: $(get checks) checks passed" "$(get checks) > 0"

ERR=$(timeout 10 "$HVSIM" --pcpus 4 --vms 4,5 --sched gang --seconds 1 2>&1 >/dev/null)
RC=$?
expect "oversized gang refused with exit 2 (got $RC)" "$RC == 2"
case "$ERR" in
*"5 vCPUs"*"only 4 pCPUs"*) echo "ok: message: $ERR" ;;
*) echo "FAIL: unclear message: $ERR"; FAILS=$((FAILS + 1)) ;;
esac
finish
