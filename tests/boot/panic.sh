#!/usr/bin/env bash
# A hypervisor exception (debug_fault=1 makes a page fault after READY) gives
# "HV PANIC" with the faulting pCPU, the vector and a register dump, and the
# machine stops by itself, without the HV POWEROFF line.
# timeout: 120
. "$(dirname "$0")/lib.sh"
boot_init
run_qemu --kernel "$HV_ELF" --append "debug_fault=1" --cpus 2
check_log --no-poweroff --allow-panic --forbid '^HV POWEROFF' --forbid '^HV ERROR' \
	--expect '^HV READY pcpus=2$' \
	--then '^HV PANIC cpu0: exception 14 \(#PF page fault\) error=0x2' \
	--then 'RIP=[0-9a-f]{16} CS=0008' --then 'RAX=' --then 'CR0=.* CR2=0000008000001000'
pass
