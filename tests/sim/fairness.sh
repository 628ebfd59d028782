#!/bin/sh
# Weights give proportional shares, caps hold, nobody starves.
. "$(dirname "$0")/lib.sh"
for s in free gang; do
	sim --pcpus 4 --vms 4,4,4 --weights 512,256,256 --sched $s --seconds 20 --seed 2
	a=$(vm_cpu 0) b=$(vm_cpu 1) c=$(vm_cpu 2)
	expect "$s: weight 512 vs 256: cpu $a vs $b (2:1 within 3%)" "$a / $b > 1.94 && $a / $b < 2.06"
	expect "$s: equal weights: cpu $b vs $c (within 3%)" "$b / $c > 0.97 && $b / $c < 1.03"
	expect "$s: fairness $(get fairness) > 0.99" "$(get fairness) > 0.99"
done
sim --pcpus 4 --vms 4,4 --caps 150,0 --sched free --seconds 20 --seed 2
expect "free: cap 150% holds: cpu $(vm_cpu 0) in 1.45..1.51" "$(vm_cpu 0) > 1.45 && $(vm_cpu 0) < 1.51"
expect "free: work-conserving: the other VM gets the rest ($(vm_cpu 1))" "$(vm_cpu 1) > 2.45"
sim --pcpus 2 --vms 1,1,1 --caps 25,0,0 --weights 256,256,1 --sched free --seconds 20 --seed 2
expect "free: cap 25% on a 1-vCPU VM: cpu $(vm_cpu 0)" "$(vm_cpu 0) > 0.24 && $(vm_cpu 0) < 0.26"
# No starvation: every vCPU of every VM completes critical sections.
for s in free gang; do
	sim --pcpus 4 --vms 4,3,2,1,1 --weights 256,1024,64,256,256 --sched $s --seconds 10 --seed 3 --sleep-prob 0.02
	min=$(printf '%s\n' "$JSON" | sed 's/.*"per_vm":\[//' | tr '}' '\n' | sed -n 's/.*"cs":\([0-9]*\).*/\1/p' | sort -n | head -n 1)
	expect "$s: least critical sections of any VM: $min > 100" "$min > 100"
done
finish
