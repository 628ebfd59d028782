#!/usr/bin/env bash
# The stack overflow check (core/stack.h): with debug_stack=1 the bottom word
# of cpu0's stack is overwritten after READY, as an overflow would leave it;
# cpu0's first pass through the run loop must then panic with "stack
# overflow", naming the stack, before any guest line, and the machine stops
# without HV POWEROFF. QEMU with AMD-V (the check is generic code).
# timeout: 120
BOOT_TIMEOUT=${BOOT_TIMEOUT:-100}
HV_TEST_EMU=qemu-svm
. "$(dirname "$0")/lib.sh"
boot_init
guest a "vm=a vcpus=1 mem=16M -- test=cpuid"
need_iso -c "debug_stack=1" "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 2
check_log --no-poweroff --allow-panic --forbid '^HV POWEROFF' --forbid '^HV ERROR' \
	--forbid '^\[a\] ' \
	--expect '^HV READY pcpus=2$' --then 'debug_stack: writing the bottom' \
	--then '^HV PANIC cpu0: stack overflow: the bottom of this pCPU.s 32768-byte stack at 0x[0-9a-f]+ was written'
pass
