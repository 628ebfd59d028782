#!/usr/bin/env bash
# Interrupts delivered once, and only with IF set (testkern `irqonce`),
# under QEMU TCG with AMD-V and single-threaded TCG, 2 pCPUs, two 1-vCPU
# VMs: each takes 4000 periodic LAPIC timer interrupts whose handler
# holds the vCPU a while with IF clear and no exits. QEMU 7.2 delivers an
# interrupt injected through EVENTINJ a second time when its round-robin
# vCPU thread is kicked in that while (docs/svm.md); lhv offers interrupts
# through V_IRQ instead. Checked: both VMs pass, and no frame had IF clear
# or sat on an interrupt stub.
# timeout: 300
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
HV_TEST_EMU=${HV_TEST_EMU:-qemu-svm}
export QEMU_TCG_THREAD=${QEMU_TCG_THREAD:-single}
. "$(dirname "$0")/lib.sh"
boot_init
guest i1 "vm=i1 vcpus=1 mem=8M pin=0:0 -- test=irqonce irq_count=4000 hv=1"
guest i2 "vm=i2 vcpus=1 mem=8M pin=0:1 -- test=irqonce irq_count=4000 hv=1"
need_iso "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 2
expect_vm_pass i1 i2
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' --forbid '^HV (ERROR|PANIC)' \
	"${CHECKS[@]}" \
	--expect-count 2 '^\[i[12]\] INFO irqonce irqs=[0-9]+ if_off=0 nested=0 '
pass
