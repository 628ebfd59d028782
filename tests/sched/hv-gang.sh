#!/usr/bin/env bash
# sched=gang under Bochs with 2 pCPUs: a VM with 3 vCPUs cannot be
# co-scheduled on 2 pCPUs and is refused with "HV ERROR vm=big gang: ..."
# while three others (2 + 2 + 1 vCPUs) run to a clean exit as gangs. A
# 2-vCPU gang on 2 pCPUs always gets pCPU0/pCPU1 for vcpu0/vcpu1, so its
# vCPUs never migrate.
# timeout: 300
# Each emulator run below the script limit, so a hang still shows its log.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
. "$(dirname "$0")/../vmm/lib.sh"

SUM='run [0-9]+\.[0-9]{3} steal [0-9]+\.[0-9]{3} preempt [0-9]+ migr [0-9]+ wake max [0-9]+ mean [0-9]+ exits [1-9][0-9]*$'

boot_init
guest a "vm=a vcpus=2 mem=16M -- test=smp,hlt cpus=2 hv=1"
guest big "vm=big vcpus=3 mem=16M -- test=smp cpus=3 hv=1"
guest c "vm=c vcpus=1 mem=16M -- test=cpuid,apic,hlt,vmcall hv=1"
guest d "vm=d vcpus=2 mem=16M slice=2ms -- test=smp,hlt,vmcall cpus=2 hv=1"
expect_vm_pass a c d
need_iso -c "sched=gang" "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 2
check_log --expect '^HV READY pcpus=2$' --then 'cpu0: sched: policy gang$' \
	--then '^HV ERROR vm=big gang: VM has 3 vCPUs but there are only 2 pCPUs' \
	--then '^HV VM a started ' --then '^HV POWEROFF$' \
	--expect-count 1 '^HV ERROR' --forbid '^HV VM big ' --forbid '^\[big\]' \
	"${CHECKS[@]}" \
	--expect '^\[a\] INFO smp cpus=2 .*started=1' --expect '^\[d\] INFO smp cpus=2 .*started=1' \
	--expect 'summary: 3 VM\(s\)' \
	--expect-count 5 "summary: vm [acd] vcpu[01] $SUM" \
	--expect-count 4 'summary: vm [ad] vcpu[01] run .* migr 0 ' \
	--expect-count 2 'summary: sched gang pcpu[01] decisions [1-9][0-9]* switches [0-9]+$'
pass
