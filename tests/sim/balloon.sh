#!/bin/sh
# issue 11: a barrier job on variable-speed vCPUs (vCPUs 2 and 3 of VM 0
# share their pCPUs with a CPU-bound VM, 0 and 1 have theirs alone) finishes
# its phases sooner under balloon than under free: the published speeds let
# the guest's balancer give slow vCPUs fewer threads. The CPU-bound VM keeps
# its throughput, and free publishes no speed (no balloons).
# timeout: 300
. "$(dirname "$0")/lib.sh"
PINS="--pin 0.0=0 --pin 0.1=1 --pin 0.2=2 --pin 0.3=3 --pin 1.0=2 --pin 1.1=3"
for seed in 1 2 3; do
	sim --pcpus 4 --vms 4:barrier,2:cpu $PINS --sched free --seconds 10 --seed $seed
	F=$(vm_get 0 phase_ms) FC=$(vm_get 1 throughput) FB=$(get balloons)
	sim --pcpus 4 --vms 4:barrier,2:cpu $PINS --sched balloon --seconds 10 --seed $seed --check
	B=$(vm_get 0 phase_ms) BC=$(vm_get 1 throughput)
	expect "seed $seed: barrier phase free $F ms > balloon $B ms" "$B > 0 && $B < $F"
	expect "seed $seed: CPU-bound VM keeps its throughput ($BC vs $FC)" "$BC >= 0.95 * $FC"
	expect "seed $seed: balloons: free $FB, balloon $(get balloons)" "$FB == 0 && $(get balloons) > 0"
done
finish
