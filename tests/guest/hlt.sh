#!/bin/bash
# Bare: LAPIC one-shot timer interrupts wake HLT, once per interrupt; also
# the apic register sanity test it builds on.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=apic,hlt"
tk_expect apic PASS
tk_expect hlt PASS
grep -q '^INFO hlt rounds=5 irqs=5 wakeups=5 ' "$TK_LOG" || tk_die "not one wake-up per interrupt"
tk_done 2 0 0
echo PASS
