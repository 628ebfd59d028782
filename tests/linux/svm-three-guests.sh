#!/usr/bin/env bash
# three-guests.sh under QEMU TCG with AMD-V (-cpu max, 4 pCPUs): three stock
# Debian kernels, 2 + 2 + 4 vCPUs, generic and cloud, the same checks as the
# VT-x run under Bochs (user space, every CPU online, KVM platform and
# kvm-clock, a clean dmesg, the threaded workload, power-off).
# timeout: 1500
BOOT_TIMEOUT_LINUX=${BOOT_TIMEOUT_LINUX:-1380}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/three-guests.sh"
