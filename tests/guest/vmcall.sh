#!/bin/bash
# Bare: hypervisor-only tests skip (vmcall, oob); with hv=1 (claiming lhv)
# the missing ABI fails instead, and oob never reaches its access.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=vmcall,oob"
tk_expect vmcall SKIP
tk_expect oob SKIP
tk_absent '^TEST oob RUNNING'
tk_done 0 0 2
tk_run 30 "test=cpuid,vmcall hv=1"
tk_expect cpuid FAIL
tk_expect vmcall FAIL
tk_done 0 2 0
echo PASS
