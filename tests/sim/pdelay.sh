#!/bin/sh
# issue 11: at 4 pCPUs, --vms 4,4, 10 s, with the guest's critical-section
# count (--hints cs), pdelay cuts lock-holder preemptions by at least 85%
# against free, with ticket and test-and-set locks, and with test-and-set
# locks holds the long-wait fraction under 5%. Every delay ends in a yield
# on time or an overrun, and the guest's hint is what makes it work.
# timeout: 300
. "$(dirname "$0")/lib.sh"
for seed in 1 2 3; do
	for lock in ticket tas; do
		sim --pcpus 4 --vms 4,4 --sched free --lock $lock --hints cs --seconds 10 --seed $seed
		F=$(get lhp)
		sim --pcpus 4 --vms 4,4 --sched pdelay --lock $lock --hints cs --seconds 10 --seed $seed --check
		P=$(get lhp) LWF=$(get long_wait_frac) D=$(get delays) Y=$(get yields_on_time) O=$(get overruns)
		expect "seed $seed $lock: lhp free $F -> pdelay $P (at least 85% fewer)" "$F > 20 && $P <= 0.15 * $F"
		expect "seed $seed $lock: $D delays = $Y yields on time + $O overruns" "$D > 0 && $D == $Y + $O"
		[ $lock = tas ] && expect "seed $seed tas: pdelay long_wait_frac $LWF < 0.05" "$LWF < 0.05"
	done
done
# Without the count pdelay is non-intrusive: kernel mode is its evidence.
sim --pcpus 4 --vms 4,4 --sched pdelay --lock tas --seconds 10 --seed 1
expect "non-intrusive: delays ($(get delays)) but no yields on time ($(get yields_on_time))" \
	"$(get delays) > 0 && $(get yields_on_time) == 0"
finish
