#!/usr/bin/env bash
# Time ballooning end to end (sched=balloon, docs/scheduling.md "Policy
# balloon"): under QEMU TCG with AMD-V, 2 pCPUs, one 2-vCPU stock Debian
# guest runs the balloon agent (guest/linux/lhvballoon.c, `lhv.balloon=1`,
# user_hc=lhp) through a CPU-bound phase (`lhv.work=cpu`) while its vCPU 1
# is capped at 30% of a pCPU (vcpucap=1:30) and pinned apart from vCPU 0
# (pin=0:0,1:1), so lhv publishes vCPU 1 slower. Checked: the guest passes
# its self-checks and powers off; the agent read speeds with LHV_SPEED on
# both vCPUs and inflated balloons on vCPU 1, more than on vCPU 0; lhv's
# per-vCPU counters at power-off (summary: pv `balloon`, `lspeed`;
# summary: policy `balloons`) equal the agent's counts (only the agent
# makes these calls in this guest, and only with valid times); no HV
# ERROR/PANIC, no refused call, no kernel problem.
# timeout: 420
HV_TEST_EMU=${HV_TEST_EMU:-qemu-svm}
. "$(dirname "$0")/lib.sh"
linux_init
VM_OPTS='user_hc=lhp pin=0:0,1:1 vcpucap=1:30' \
	linux_guest b pvh-cloud 2 256M lhv.balloon=1 lhv.work=cpu lhv.secs=6
need_iso -c "sched=balloon" "${GUEST_MODS[@]}"
BOOT_TIMEOUT=${BOOT_TIMEOUT_LINUX:-360}
run_hv --iso "$ISO" --cpus 2 --megs 512
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' --forbid '^HV (ERROR|PANIC)' \
	--forbid '^\[[a-z0-9]+\] \[ *[0-9]+\.[0-9]+\] .*(Kernel panic|soft lockup|rcu_.*stall|BUG:|segfault|blocked for more than)' \
	"${CHECKS[@]}" \
	--expect 'cpu0: sched: policy balloon$' \
	--expect '^\[b\] LHV-BALLOON: 2 vCPUs, period 10000 us$' \
	--forbid '^\[b\] LHV-BALLOON: cpu [0-9]+: ' \
	--expect '^\[b\] LHV-GUEST: work cpu rc=0$' \
	--expect '^\[b\] LHV-GUEST: summary .* work=1/1 ' \
	--expect-count 2 '^\[b\] LHV-BALLOON: cpu [01] balloons=[0-9]+ balloon_ms=[0-9]+ last_speed=[0-9]+ speeds=[1-9][0-9]*$'

# key VALUE-OF "LINE-PATTERN" KEY: the number after KEY= on the last
# serial line matching LINE-PATTERN.
key() {
	tr -d '\r' < "$LOG" | grep -E "$1" | tail -1 | sed -nE "s/.* $2=([0-9]+)( .*|$)/\\1/p"
}
for c in 0 1; do
	agent="^\\[b\\] LHV-BALLOON: cpu $c "
	pv="summary: pv vm b vcpu$c "
	pol="summary: policy vm b vcpu$c "
	eval "ab$c=\$(key \"\$agent\" balloons) as$c=\$(key \"\$agent\" speeds)"
	eval "sp$c=\$(key \"\$agent\" last_speed) ms$c=\$(key \"\$agent\" balloon_ms)"
	eval "hb$c=\$(key \"\$pv\" balloon) hs$c=\$(key \"\$pv\" lspeed) hbad$c=\$(key \"\$pv\" balloon_bad)"
	eval "pb$c=\$(key \"\$pol\" balloons)"
done
say "agent: cpu0 balloons=$ab0 (${ms0} ms) speeds=$as0 last_speed=$sp0;" \
	"cpu1 balloons=$ab1 (${ms1} ms) speeds=$as1 last_speed=$sp1"
say "lhv:   vcpu0 balloon=$hb0 lspeed=$hs0 policy balloons=$pb0;" \
	"vcpu1 balloon=$hb1 lspeed=$hs1 policy balloons=$pb1"
for v in ab0 ab1 as0 as1 hb0 hb1 hs0 hs1 hbad0 hbad1 pb0 pb1; do
	[ -n "${!v}" ] || fail "no figure for $v in the log"
done
[ "$ab1" -gt 0 ] || fail "the agent inflated no balloon on the capped vCPU 1"
[ "$ab1" -gt "$ab0" ] || fail "vCPU 1 (capped) got $ab1 balloons, not more than vCPU 0's $ab0"
[ "$hbad0" = 0 ] && [ "$hbad1" = 0 ] || fail "lhv refused balloons ($hbad0, $hbad1)"
[ "$hb0" = "$ab0" ] && [ "$hb1" = "$ab1" ] ||
	fail "LHV_BALLOON: lhv counted $hb0/$hb1, the agent $ab0/$ab1"
[ "$pb0" = "$ab0" ] && [ "$pb1" = "$ab1" ] ||
	fail "the policy saw $pb0/$pb1 balloons, the agent made $ab0/$ab1"
[ "$hs0" = "$as0" ] && [ "$hs1" = "$as1" ] ||
	fail "LHV_SPEED: lhv counted $hs0/$hs1, the agent $as0/$as1"
pass
