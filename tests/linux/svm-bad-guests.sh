#!/usr/bin/env bash
# bad-guests.sh under QEMU TCG with AMD-V: refused Linux inputs.
# timeout: 300
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/bad-guests.sh"
