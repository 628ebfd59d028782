#!/bin/bash
# The command line: the default test list, unknown names fail, spin with
# iters= ends, and verdicts come in the order given.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 ""
for t in selftest cpuid apic pio msr hlt; do tk_expect $t PASS; done
tk_expect vmcall SKIP
tk_done 6 0 1
tk_run 30 "test=spin,nosuch,pio iters=3 spin_every=1000"
tk_expect spin PASS
tk_expect nosuch FAIL
[ "$(grep -c '^INFO spin ' "$TK_LOG")" = 3 ] || tk_die "want 3 spin lines"
[ "$(grep '^TEST ' "$TK_LOG" | cut -d' ' -f2 | tr '\n' ,)" = "spin,nosuch,pio," ] ||
	tk_die "verdicts out of order"
tk_done 2 1 0
echo PASS
