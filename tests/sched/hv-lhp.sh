#!/usr/bin/env bash
# lhv's LHP interface and the policies' counters under Bochs, 2 pCPUs, once
# per policy (sched=free, gang, pdelay, balloon, relaxed, adaptive): two
# test-kernel VMs of 2 vCPUs each run the SMP spinlock workload with the
# protocol (test=lock proto=1: hint area, critical-section count,
# LHV_YIELD when preemption is pending, LHV_SPIN after long spins; no PAUSE
# in the spin so slice ends decide), and VM p then tests every LHP call
# with good and bad arguments (test=lhp). Checked per run: both VMs pass
# (mutual exclusion held), the "summary: policy" lines exist for every
# vCPU, p's "summary: pv" keys count exactly what lhp did (9 refused
# registrations, 2 bad holders, 3 absurd balloons, LHV_SPEED, CPL 3
# refused or, with user_hc=lhp, allowed), the framework saw p's balloon and LHV_SPIN calls
# and the APs' PV halts, and the 2 ms balloon ended after 2-5 ms (not
# when the pCPU next idled); per policy: pdelay delays preemptions and gets
# yields on time (with a knob from the command line, logged), balloon
# publishes speeds (the guest sees a non-zero speed, other policies 0),
# gang co-schedules, free honours pin=, adaptive (threshold 2 in 1 s from
# the command line) switches p to co-scheduling on its LHV_SPIN reports and
# runs it as a gang for a while. Last, a bad knob is an HV ERROR that names
# it and nothing starts. HV_LHP_POLICIES="adaptive" runs only some.
# timeout: 600
# Each emulator run below the script limit, so a hang still shows its log.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
. "$(dirname "$0")/../vmm/lib.sh"

LOCK="test=smp,lock cpus=2 proto=1 lock_ms=300 cs_len=20000 out_len=4000 long_spin=200000 pause=0 hv=1"
pol() { echo "summary: policy vm $1 vcpu$2 delays=[0-9]+ delay_us=[0-9]+ ontime=[0-9]+ overruns=[0-9]+ costops=[0-9]+ costop_us=[0-9]+ spin_exits=[0-9]+ spin_reports=[0-9]+ pv_halts=[0-9]+ kicks=[0-9]+ dyield=[0-9]+ balloons=[0-9]+ balloon_us=[0-9]+ yields=[0-9]+\$"; }
N='[1-9][0-9]*'

boot_init
for P in ${HV_LHP_POLICIES:-free gang pdelay balloon relaxed adaptive}; do
	GUEST_MODS=()
	CHECKS=()
	speed=0 user=0 uhc= qpin= knob=
	extra=()
	case $P in
	balloon) speed=1 user=1 uhc=" user_hc=lhp" ;;
	free) qpin=" pin=0:0,1:1"
		extra=(--expect "summary: vm q vcpu0 run .* migr 0 " --expect "summary: vm q vcpu1 run .* migr 0 ") ;;
	gang) extra=(--expect 'summary: policy vm p mode=cosched changes=0 cosched_ms=[0-9]+$') ;;
	pdelay) knob=" pdelay.step=50us"
		extra=(--expect 'cpu0: sched: pdelay.step=50us$' --then 'sched: policy pdelay$'
			--expect-min 1 "summary: policy vm [pq] vcpu[01] delays=$N "
			--expect-min 1 "summary: policy vm [pq] vcpu[01] .* ontime=$N "
			--expect "^\\[[pq]\\] LOCK vcpus=2 acq=$N yields=$N ") ;;
	# p's lhp test sends 2 valid LHV_SPIN reports microseconds apart: the
	# evidence (1 s windows, aligned to the VM's start, make a window edge
	# between them unlikely). The lock test's own waits rarely reach
	# long_spin here.
	adaptive) knob=" adaptive.threshold=2 adaptive.window=1s"
		extra=(--expect 'sched: vm p mode=cosched changes=1$'
			--expect 'summary: policy vm p mode=(free|cosched) changes=[1-9][0-9]* cosched_ms=[1-9][0-9]*$') ;;
	esac
	guest p "vm=p vcpus=2 mem=16M slice=1ms$uhc -- ${LOCK/test=smp,lock/test=smp,lock,lhp} want_speed=$speed user_lhp=$user"
	guest q "vm=q vcpus=2 mem=16M slice=1ms$qpin -- $LOCK"
	expect_vm_pass p q
	if [ "$user" = 1 ]; then
		pv0="eperm=0 enosys=0 hint_set=13 hint_bad=9 lyield=([2-9]|[1-9][0-9]+) lspin=([4-9]|[1-9][0-9]+) lspin_bad=2 balloon=5 balloon_bad=4 balloon_early=0 lspeed=2 balloon_nowait=0"
	else
		pv0="eperm=3 enosys=0 hint_set=13 hint_bad=9 lyield=$N lspin=([4-9]|[1-9][0-9]+) lspin_bad=2 balloon=4 balloon_bad=3 balloon_early=0 lspeed=1 balloon_nowait=0"
	fi
	need_iso -c "sched=$P$knob" "${GUEST_MODS[@]}"
	LOG=$OUT/$P.log
	run_bochs --iso "$ISO" --cpus 2
	check_boot 2 "${CHECKS[@]}" "${extra[@]}" \
		--expect "cpu0: sched: policy $P\$" \
		--expect "^\\[p\\] LOCK vcpus=2 acq=$N .* proto=1\$" --expect "^\\[q\\] LOCK vcpus=2 acq=$N .* proto=1\$" \
		--expect "^\\[p\\] INFO lhp balloon_ticks=$N user=$user speed=" \
		--expect "$(pol p 0)" --expect "$(pol p 1)" --expect "$(pol q 0)" --expect "$(pol q 1)" \
		--expect 'summary: policy vm [pq] mode=(free|cosched) changes=[0-9]+ cosched_ms=[0-9]+$' \
		--expect "summary: pv vm p vcpu0 .* $pv0\$" \
		--expect 'summary: pv vm p vcpu1 .* hint_set=2 hint_bad=0 lyield=[0-9]+ lspin=[0-9]+ lspin_bad=0 balloon=0 balloon_bad=0 balloon_early=0 lspeed=0 balloon_nowait=0$' \
		--expect 'summary: pv vm q vcpu[01] .* hint_set=2 hint_bad=0 lyield=[0-9]+ lspin=[0-9]+ lspin_bad=0 balloon=0 balloon_bad=0 balloon_early=0 lspeed=0 balloon_nowait=0$' \
		--expect "summary: policy vm p vcpu0 .* spin_reports=([2-9]|[1-9][0-9]+) .* balloons=1 balloon_us=(199[0-9]|[2-4][0-9]{3}) " \
		--expect-count 2 "summary: policy vm [pq] vcpu1 .* pv_halts=$N "
	say "$P: $(tr -d '\r' < "$LOG" | grep -cE 'summary: policy vm') policy lines; $(tr -d '\r' < "$LOG" | grep -E '\] LOCK ' | tr '\n' ' ')"
done

# A knob out of range names itself; nothing starts.
GUEST_MODS=()
guest a "vm=a vcpus=1 mem=16M -- test=cpuid hv=1"
need_iso -c "sched=pdelay pdelay.bound=2s" "${GUEST_MODS[@]}"
LOG=$OUT/badknob.log
run_bochs --iso "$ISO" --cpus 2
check_sched_refused 2 '^HV ERROR pdelay.bound: 2s is out of range \(10us\.\.100ms\)$'
pass
