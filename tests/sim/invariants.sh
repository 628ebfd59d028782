#!/bin/sh
# Every policy keeps the framework's invariants (--check after every
# simulated time step: states agree with pCPUs, nobody outside its affinity,
# co-scheduled VMs never run partially, queues agree with states) with every
# lock flavour, hint, workload, pin and cap the simulator has.
# timeout: 600
. "$(dirname "$0")/lib.sh"
MIX="--pcpus 6 --vms 4:spin,3:cpu,2:barrier,1,2:spin --sleep-prob 0.05 --caps 0,150,0,0,0 --hints cs+spin,none,none,cs,spin"
PINS="--pin 1.0=2-3 --pin 3=5 --pin 4.1=0 --vcpu-cap 0.3=40"
for s in $(ls sched/policy/ | sed -n 's/\.c$//p'); do
	for lock in ticket tas pv; do
		sim $MIX $PINS --sched $s --lock $lock --ple 5us --seconds 2 --seed 9 --check
		expect "$s $lock: $(get checks) checks passed" "$(get checks) > 1000"
	done
	sim --pcpus 4 --vms 4,4,2 --sched $s --seconds 2 --seed 3 --check --knob adaptive.threshold=2 --ple 3us
	expect "$s 2.5x: $(get checks) checks passed, $(get mode_changes) mode changes" "$(get checks) > 1000"
done
finish
