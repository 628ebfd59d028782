#!/bin/bash
# Bare: INIT-SIPI-SIPI brings up 3 APs of -smp 4, per APIC ID and with the
# all-but-self shorthand; a cpus= smaller than the machine is caught in the
# shorthand mode (too many APs start).
# timeout: 180
. "$(dirname "$0")/lib.sh"
for mode in each all; do
	tk_run 60 "test=smp cpus=4 smp_ipi=$mode" -smp 4
	tk_expect smp PASS
	[ "$(grep -c '^INFO smp AP apic_id=' "$TK_LOG")" = 3 ] || tk_die "not 3 AP lines"
	for id in 1 2 3; do
		grep -q "^INFO smp AP apic_id=$id " "$TK_LOG" || tk_die "AP $id did not report"
	done
	tk_done 1 0 0
done
tk_run 60 "test=smp cpus=2 smp_ipi=all" -smp 4
tk_expect smp FAIL
tk_done 0 1 0
tk_run 30 "test=smp"
tk_expect smp SKIP
tk_done 0 0 1
echo PASS
