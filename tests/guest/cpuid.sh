#!/bin/bash
# Bare: basic CPUID leaves sane; TCG's own hypervisor leaves are not lhv's
# and must not fail the test without hv=1.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=cpuid"
tk_expect cpuid PASS
tk_done 1 0 0
echo PASS
