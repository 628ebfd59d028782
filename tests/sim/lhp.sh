#!/bin/sh
# The phenomenon: at 2x overcommit the spinlock workload under `free` suffers
# lock-holder preemption and long lock waits; `gang` removes the long waits
# and completes more critical sections; without overcommit both are clean.
. "$(dirname "$0")/lib.sh"

sim --pcpus 4 --vms 4,4 --sched free --seconds 10 --seed 1
F_LHP=$(get lhp) F_LWF=$(get long_wait_frac) F_TP=$(get throughput)
expect "free 2x: lock-holder preemptions ($F_LHP)" "$F_LHP > 0"
expect "free 2x: long_wait_frac $F_LWF > 0.05" "$F_LWF > 0.05"

sim --pcpus 4 --vms 4,4 --sched gang --seconds 10 --seed 1 --check
G_LWF=$(get long_wait_frac) G_TP=$(get throughput)
expect "gang 2x: long_wait_frac $G_LWF near zero" "$G_LWF < 0.01"
expect "gang 2x: throughput $G_TP > free $F_TP" "$G_TP > $F_TP"

for s in free gang; do
	sim --pcpus 4 --vms 2,2 --sched $s --seconds 10 --seed 1
	expect "$s 1x: long_wait_frac $(get long_wait_frac) near zero" "$(get long_wait_frac) < 0.01"
done

sim --pcpus 4 --vms 4,4 --sched free --seconds 10 --seed 1 --lock tas
expect "free 2x tas: long_wait_frac $(get long_wait_frac) > 0.05" "$(get long_wait_frac) > 0.05"
sim --pcpus 4 --vms 4,4 --sched gang --seconds 10 --seed 1 --lock tas
expect "gang 2x tas: long_wait_frac $(get long_wait_frac) near zero" "$(get long_wait_frac) < 0.01"
finish
