#!/usr/bin/env bash
# multi-vm-4cpu.sh under QEMU TCG with AMD-V: a 6-vCPU VM on 4 pCPUs, isolation
# of two VMs, a triple fault that stops only its VM.
# timeout: 300
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/multi-vm-4cpu.sh"
