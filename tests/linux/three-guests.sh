#!/usr/bin/env bash
# Issue 4's scenario under Bochs with 4 pCPUs: three stock Debian kernels at
# once, 2 + 2 + 4 = 8 vCPUs on 4 pCPUs, the generic and the cloud kernel both
# among them. Each reaches user space with all its CPUs online, sees the KVM
# platform and kvm-clock, has no lockups/stalls/hung tasks/BUGs/Oopses/
# WARNINGs in dmesg, runs a multi-threaded program and powers off; then the
# machine powers off. With pv=all (the default) each takes up every KVM PV
# feature (PV spinlocks, PV sched yield, PV TLB flush, PV IPIs: issue 10),
# and the steal time in its /proc/stat is what lhv reported (the 4-vCPU
# guest, overcommitted, must have some). pv=none and realtime:
# tests/linux/pv-modes.sh.
# timeout: 2400
. "$(dirname "$0")/lib.sh"
linux_init
linux_guest gen2 generic 2 256M
linux_guest cloud2 pvh-cloud 2 256M
linux_guest gen4 pvh-generic 4 256M
need_iso "${GUEST_MODS[@]}"
BOOT_TIMEOUT=${BOOT_TIMEOUT_LINUX:-2100}
run_hv --iso "$ISO" --cpus 4 --megs 1024
PV=()
for g in gen2 cloud2 gen4; do
	for l in 'PV spinlocks enabled' 'setup PV sched yield' 'KVM setup pv remote TLB flush' 'setup PV IPIs'; do
		PV+=(--expect "^\\[$g\\] LHV-GUEST: dmesg pv: .*kvm-guest: $l\$")
	done
done
check_log --expect '^HV READY pcpus=4$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
	--forbid '^\[[a-z0-9]+\] \[ *[0-9]+\.[0-9]+\] .*(Kernel panic|soft lockup|rcu_.*stall|BUG:|blocked for more than)' \
	"${CHECKS[@]}" "${PV[@]}" \
	--expect '^\[gen4\] LHV-GUEST: summary .* steal_s=([1-9][0-9]*\.[0-9]+|0\.[0-9][1-9]|0\.[1-9][0-9])$'
linux_steal_check gen2 cloud2 gen4
check_stacks
pass
