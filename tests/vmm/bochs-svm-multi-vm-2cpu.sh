#!/usr/bin/env bash
# multi-vm-2cpu.sh under Bochs' AMD model (ryzen: NRIP save, flush by ASID,
# pause filter, which QEMU lacks): the test-kernel suite on the other AMD-V
# implementation, all but the triple fault (Bochs panics on it: see
# tests/boot/lib.sh; svm-multi-vm-2cpu.sh covers it).
# timeout: 600
BOOT_TIMEOUT=${BOOT_TIMEOUT:-540}
HV_TEST_EMU=bochs-svm
. "$(dirname "$0")/multi-vm-2cpu.sh"
