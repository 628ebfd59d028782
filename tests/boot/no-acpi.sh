#!/usr/bin/env bash
# No ACPI tables (QEMU -machine acpi=off): the hypervisor says "HV ERROR ..."
# and powers off cleanly (the isa-debug-exit fallback), so QEMU ends by
# itself long before the timeout instead of hanging.
# timeout: 300
. "$(dirname "$0")/lib.sh"
BOOT_TIMEOUT=${BOOT_TIMEOUT_NOACPI:-120}
boot_init
run_qemu --kernel "$HV_ELF" --cpus 1 --extra "-machine acpi=off"
check_log --expect '^HV ERROR .+' --then '^HV POWEROFF$'
pass
