#!/usr/bin/env bash
# The module line's pv= decides which spinlock a stock Debian 6.1 guest
# uses (docs/hypercalls.md). Under Bochs with 2 pCPUs, two 2-vCPU guests
# (the generic kernel through its PVH entry) at once:
# - none2 (pv=none): "PV spinlocks disabled, no host support" (the unfair
#   test-and-set lock), none of the other PV features, no steal time;
# - rt2 (pv=all,realtime): "PV spinlocks disabled with KVM_HINTS_REALTIME
#   hints" (the native queued spinlock), PV IPIs but no PV sched yield and
#   no PV TLB flush (Linux skips both under the hint); steal time still,
#   and its /proc/stat agrees with lhv.
# Both pass their self-checks (lib.sh) and power off. pv=all, the default,
# is tests/linux/three-guests.sh.
# timeout: 1200
. "$(dirname "$0")/lib.sh"
linux_init
VM_OPTS=pv=none linux_guest none2 pvh-generic 2 256M
VM_OPTS=pv=all,realtime linux_guest rt2 pvh-generic 2 256M
need_iso "${GUEST_MODS[@]}"
BOOT_TIMEOUT=${BOOT_TIMEOUT_LINUX:-1100}
run_bochs --iso "$ISO" --cpus 2 --megs 1024
pv() { echo "^\\[$1\\] LHV-GUEST: dmesg pv: .*kvm-guest: $2"; }
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
	--forbid '^\[[a-z0-9]+\] \[ *[0-9]+\.[0-9]+\] .*(Kernel panic|soft lockup|rcu_.*stall|BUG:)' \
	"${CHECKS[@]}" \
	--expect "$(pv none2 'PV spinlocks disabled, no host support')" \
	--forbid "$(pv none2 '(setup PV|KVM setup pv)')" \
	--expect '^\[none2\] LHV-GUEST: summary .* steal_s=0\.00$' \
	--expect 'summary: pv vm none2 features=none$' \
	--expect "$(pv rt2 'PV spinlocks disabled with KVM_HINTS_REALTIME hints')" \
	--expect "$(pv rt2 'setup PV IPIs')" \
	--forbid "$(pv rt2 '(setup PV sched yield|KVM setup pv remote TLB flush)')" \
	--expect 'summary: pv vm rt2 features=unhalt,steal,tlb,yield,ipi,realtime$'
linux_steal_check rt2
pass
