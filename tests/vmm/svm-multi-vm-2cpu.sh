#!/usr/bin/env bash
# multi-vm-2cpu.sh under QEMU TCG with AMD-V (-cpu max, no NRIP save, 16
# ASIDs): SMP start-up, nested-paging isolation, CPUID/port I/O/MSR/VMCALL
# /LAPIC/HLT, access outside RAM, triple fault, bad module lines.
# timeout: 300
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/multi-vm-2cpu.sh"
