#!/bin/sh
# issue 11: at 4 pCPUs, --vms 4,4, 10 s, relaxed co-scheduling spends less
# of the run in long lock waits than free (ticket and test-and-set locks);
# with VMs of 3 vCPUs on 4 pCPUs it leaves fewer pCPUs idle than gang,
# whose gangs cannot fill the fourth pCPU.
# timeout: 300
. "$(dirname "$0")/lib.sh"
for seed in 1 2 3; do
	for lock in ticket tas; do
		sim --pcpus 4 --vms 4,4 --sched free --lock $lock --seconds 10 --seed $seed
		F=$(get long_wait_frac)
		sim --pcpus 4 --vms 4,4 --sched relaxed --lock $lock --seconds 10 --seed $seed --check
		R=$(get long_wait_frac)
		expect "seed $seed $lock: long_wait_frac free $F > relaxed $R; $(get costops) co-stops" \
			"$R < $F && $(get costops) > 0"
	done
	sim --pcpus 4 --vms 3,3 --sched gang --seconds 10 --seed $seed
	G=$(get idle_frac)
	sim --pcpus 4 --vms 3,3 --sched relaxed --seconds 10 --seed $seed --check
	R=$(get idle_frac)
	expect "seed $seed 3,3: idle pCPU fraction gang $G > relaxed $R" "$G > 0.2 && $R < 0.01"
done
finish
