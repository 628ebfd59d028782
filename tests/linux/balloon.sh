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
# summary: policy `balloons`) equal the agent's counts, the policy's less
# the balloons a pending interrupt ended before the vCPU blocked
# (`balloon_nowait`; only the agent makes these calls in this guest, and
# only with valid times); no HV
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

# key LINE-PATTERN KEY: the number after KEY= on the last serial line
# matching LINE-PATTERN (empty when there is none).
key() {
	tr -d '\r' < "$LOG" | grep -E "$1" | tail -1 | sed -nE "s/.* $2=([0-9]+)( .*|$)/\\1/p"
}
# Per vCPU: the agent's balloons, LHV_SPEED calls, last speed and balloon
# time; lhv's LHV_BALLOON calls, refused ones, LHV_SPEED calls; the
# policy's balloons.
ab=() as=() sp=() ms=() hb=() hbad=() hs=() pb=() hnw=()
for c in 0 1; do
	agent="^\\[b\\] LHV-BALLOON: cpu $c "
	pv="summary: pv vm b vcpu$c "
	pol="summary: policy vm b vcpu$c "
	ab[c]=$(key "$agent" balloons) as[c]=$(key "$agent" speeds)
	sp[c]=$(key "$agent" last_speed) ms[c]=$(key "$agent" balloon_ms)
	hb[c]=$(key "$pv" balloon) hbad[c]=$(key "$pv" balloon_bad) hs[c]=$(key "$pv" lspeed)
	hnw[c]=$(key "$pv" balloon_nowait)
	pb[c]=$(key "$pol" balloons)
	for v in "${ab[c]}" "${as[c]}" "${sp[c]}" "${ms[c]}" "${hb[c]}" "${hbad[c]}" "${hs[c]}" "${pb[c]}" "${hnw[c]}"; do
		[ -n "$v" ] || fail "vCPU $c: a figure is missing from the agent's or lhv's summary lines"
	done
	say "vCPU $c: agent balloons=${ab[c]} (${ms[c]} ms) speeds=${as[c]} last_speed=${sp[c]};" \
		"lhv balloon=${hb[c]} (${hnw[c]} ended before blocking) lspeed=${hs[c]}, policy balloons=${pb[c]}"
	[ "${hbad[c]}" = 0 ] || fail "vCPU $c: lhv refused ${hbad[c]} balloons"
	[ "${hb[c]}" = "${ab[c]}" ] || fail "vCPU $c: LHV_BALLOON: lhv counted ${hb[c]}, the agent ${ab[c]}"
	# A balloon that a pending interrupt ends before the vCPU blocks never
	# reaches the policy (docs/hypercalls.md, balloon_nowait).
	[ "${pb[c]}" = "$((ab[c] - hnw[c]))" ] ||
		fail "vCPU $c: the policy saw ${pb[c]} balloons, the agent made ${ab[c]}, ${hnw[c]} of them ended before blocking"
	[ "${hs[c]}" = "${as[c]}" ] || fail "vCPU $c: LHV_SPEED: lhv counted ${hs[c]}, the agent ${as[c]}"
done
[ "${ab[1]}" -gt 0 ] || fail "the agent inflated no balloon on the capped vCPU 1"
[ "${ab[1]}" -gt "${ab[0]}" ] || fail "vCPU 1 (capped) got ${ab[1]} balloons, not more than vCPU 0's ${ab[0]}"
pass
