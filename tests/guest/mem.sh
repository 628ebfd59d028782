#!/bin/bash
# Bare: fill and verify all RAM above the kernel of a 64 MiB machine.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 60 "test=mem pattern=c0ffee11" -m 64
tk_expect mem PASS
mib=$(sed -n 's/^INFO mem checked \([0-9]*\) MiB.*/\1/p' "$TK_LOG")
[ -n "$mib" ] && [ "$mib" -ge 60 ] || tk_die "checked '${mib}' MiB, want >= 60"
tk_done 1 0 0
tk_run 60 "test=mem mem_limit=4" -m 64
tk_expect mem PASS
grep -q '^INFO mem checked 4 MiB' "$TK_LOG" || tk_die "mem_limit=4 not honoured"
echo PASS
