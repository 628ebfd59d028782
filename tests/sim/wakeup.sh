#!/bin/sh
# Wake-up latency is bounded: without overcommit a woken vCPU gets an idle
# pCPU at once (free) or its reserved pCPU (gang); with mild overcommit it
# waits at most a few slices.
. "$(dirname "$0")/lib.sh"
sim --pcpus 4 --vms 2,2 --sched free --seconds 5 --seed 4 --sleep-prob 0.2
expect "free 1x: wake_lat_max_us $(get wake_lat_max_us) < 100" "$(get wake_lat_max_us) < 100"
expect "free 1x: $(get wakeups) wake-ups" "$(get wakeups) > 1000"
sim --pcpus 4 --vms 4 --sched gang --seconds 5 --seed 4 --sleep-prob 0.2
expect "gang 1x: wake_lat_max_us $(get wake_lat_max_us) < 100" "$(get wake_lat_max_us) < 100"
for s in free gang; do
	sim --pcpus 4 --vms 3,3 --sched $s --seconds 10 --seed 4 --sleep-prob 0.2
	expect "$s 1.5x: wake_lat_max_us $(get wake_lat_max_us) < 30000 (3 slices)" "$(get wake_lat_max_us) < 30000"
done
finish
