#!/usr/bin/env bash
# sched=free under Bochs with 2 pCPUs and more vCPUs than pCPUs: three VMs
# (2 + 3 + 1 vCPUs, one with slice=1ms, one with weight=512) start their APs
# with INIT/SIPI, take LAPIC timer interrupts in HLT and exit cleanly; the
# boot log names the policy and the power-off summary has the scheduler's
# per-vCPU line (run, steal, preemptions, migrations, wake-up latency,
# exits) for every vCPU and the per-pCPU decision counters, both pCPUs used.
# timeout: 300
# Each emulator run below the script limit, so a hang still shows its log.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
. "$(dirname "$0")/../vmm/lib.sh"

# The per-vCPU summary line (docs/scheduling.md, "Hypervisor integration").
SUM='run [0-9]+\.[0-9]{3} steal [0-9]+\.[0-9]{3} preempt [0-9]+ migr [0-9]+ wake max [0-9]+ mean [0-9]+ exits [1-9][0-9]*$'

boot_init
guest a "vm=a vcpus=2 mem=16M slice=1ms -- test=smp,hlt cpus=2 hv=1"
guest b "vm=b vcpus=3 mem=16M weight=512 -- test=smp,hlt cpus=3 hv=1"
guest c "vm=c vcpus=1 mem=16M -- test=cpuid,apic,hlt,vmcall hv=1"
expect_vm_pass a b c
need_iso -c "sched=free" "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 2
check_boot 2 "${CHECKS[@]}" \
	--expect 'cpu0: sched: policy free$' --then '^HV VM a started ' \
	--expect '^\[a\] INFO smp cpus=2 .*started=1' --expect '^\[b\] INFO smp cpus=3 .*started=2' \
	--expect-count 6 "summary: vm [abc] vcpu[0-2] $SUM" \
	--expect "summary: vm b vcpu2 $SUM" \
	--expect-count 1 'summary: sched free pcpu0 decisions [1-9][0-9]* switches [0-9]+$' \
	--expect-count 1 'summary: sched free pcpu1 decisions [1-9][0-9]* switches [0-9]+$' \
	--expect-min 1 'summary: vm [abc] vcpu[0-2] run .* steal ([1-9][0-9]*\.[0-9]+|0\.[0-9]*[1-9][0-9]*) '
pass
