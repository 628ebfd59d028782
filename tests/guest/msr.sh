#!/bin/bash
# Bare: MSR round trips, APIC base; the kernel's own fault recovery first
# (TCG raises no #GP for unknown MSRs, so selftest covers that path).
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=selftest,msr"
tk_expect selftest PASS
tk_expect msr PASS
tk_done 2 0 0
echo PASS
