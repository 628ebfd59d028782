#!/usr/bin/env bash
# VT-x under Bochs with 4 pCPUs: a 6-vCPU VM (more vCPUs than pCPUs) starts
# its APs and takes timer interrupts while two VMs check EPT isolation and one
# triple-faults; every VM that should pass does, the faulting one stops alone.
# timeout: 900
. "$(dirname "$0")/lib.sh"
boot_init
guest big "vm=big vcpus=6 mem=16M -- test=smp,hlt cpus=6 hv=1"
guest iso1 "vm=iso1 vcpus=1 mem=16M -- test=mem pattern=0x11223344 hv=1"
guest iso2 "vm=iso2 vcpus=2 mem=16M -- test=mem,smp pattern=0x55667788 cpus=2 hv=1"
guest crash "vm=crash vcpus=1 mem=8M -- test=triple hv=1"
need_iso "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 4
expect_vm_pass big iso1 iso2
check_log --expect '^HV READY pcpus=4$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
	"${CHECKS[@]}" \
	--expect '^\[big\] INFO smp cpus=6 .*started=5' \
	--expect '^HV VM crash stopped reason=fault$'
pass
