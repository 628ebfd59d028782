#!/usr/bin/env bash
# hv-free.sh under QEMU TCG with AMD-V.
# timeout: 300
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/hv-free.sh"
