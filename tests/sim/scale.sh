#!/bin/sh
# 1024 pCPUs and 2048 vCPUs run, briefly, under every policy; so does the
# 80-pCPU machine of the figures at 2.5x overcommit.
# timeout: 600
. "$(dirname "$0")/lib.sh"
for s in $(ls sched/policy/ | sed -n 's/\.c$//p'); do
	sim --pcpus 1024 --vms 4x512 --sched $s --seconds 0.2 --seed 1
	expect "$s 1024 pCPUs: util $(get util) > 0.95, $(get events) events" "$(get util) > 0.95"
	sim --pcpus 80 --vms 8x25 --sched $s --seconds 0.5 --seed 1 --ple 2us --hints cs
	expect "$s 80 pCPUs, 200 vCPUs: util $(get util) > 0.95" "$(get util) > 0.95"
done
finish
