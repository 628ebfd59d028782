#!/bin/bash
# Bare: int3 with an empty IDT triple-faults; with -no-reboot QEMU exits
# (status 0: a shutdown, not the debug-exit device) and no FAIL follows.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=pio,triple"
tk_expect pio PASS
tk_expect triple RUNNING
tk_absent '^TEST triple FAIL'
tk_absent '^TESTKERN DONE'
[ "$TK_STATUS" = 0 ] || tk_die "qemu status $TK_STATUS, want 0 (reset with -no-reboot)"
echo PASS
