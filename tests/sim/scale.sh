#!/bin/sh
# 1024 pCPUs and 2048 vCPUs run, briefly, under both policies.
. "$(dirname "$0")/lib.sh"
for s in free gang; do
	sim --pcpus 1024 --vms 4x512 --sched $s --seconds 0.2 --seed 1
	expect "$s 1024 pCPUs: util $(get util) > 0.95, $(get events) events" "$(get util) > 0.95"
done
finish
