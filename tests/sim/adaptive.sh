#!/bin/sh
# issue 11: at 4 pCPUs, a spinning VM beside a CPU-bound VM (--vms
# 4:spin,4:cpu), 10 s, PAUSE-loop exits as evidence: adaptive keeps the
# spinning VM's long-wait fraction under 5% while the CPU-bound VM keeps at
# least 90% of its free throughput; only the spinning VM is co-scheduled,
# and it goes back and forth (hold time, hysteresis).
# timeout: 300
. "$(dirname "$0")/lib.sh"
for seed in 1 2 3; do
	sim --pcpus 4 --vms 4:spin,4:cpu --sched free --ple 2us --seconds 10 --seed $seed
	FCPU=$(vm_get 1 throughput)
	sim --pcpus 4 --vms 4:spin,4:cpu --sched adaptive --ple 2us --seconds 10 --seed $seed --check
	LWF=$(vm_get 0 long_wait_frac) ACPU=$(vm_get 1 throughput)
	expect "seed $seed: spinning VM long_wait_frac $LWF < 0.05" "$LWF < 0.05"
	expect "seed $seed: CPU-bound VM $ACPU of free's $FCPU (>= 90%)" "$ACPU >= 0.9 * $FCPU"
	expect "seed $seed: spinning VM co-scheduled $(vm_get 0 cosched_frac) of the time, CPU-bound VM $(vm_get 1 cosched_frac)" \
		"$(vm_get 0 cosched_frac) > 0.5 && $(vm_get 1 cosched_frac) == 0"
	expect "seed $seed: $(get mode_changes) mode changes" "$(get mode_changes) >= 2"
done
# Without evidence (no PAUSE-loop exits, no reports, no PV halts) adaptive
# is free: the same run to the byte.
A=$(timeout 60 "$HVSIM" --pcpus 4 --vms 4,4 --sched adaptive --seconds 5 | tail -n 1 | sed 's/"sched":"[a-z]*",//')
F=$(timeout 60 "$HVSIM" --pcpus 4 --vms 4,4 --sched free --seconds 5 | tail -n 1 | sed 's/"sched":"[a-z]*",//')
[ -n "$A" ] && [ "$A" = "$F" ] && echo "ok: no evidence: adaptive = free" || { echo "FAIL: adaptive without evidence differs from free"; FAILS=$((FAILS + 1)); }
# LHV_SPIN reports and kicked PV halts are evidence too.
sim --pcpus 4 --vms 4:spin,4:cpu --sched adaptive --hints spin --seconds 10 --check
expect "LHV_SPIN: $(get spin_reports) reports, $(get mode_changes) mode changes" "$(get spin_reports) > 0 && $(get mode_changes) > 0"
finish
