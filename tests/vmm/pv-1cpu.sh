#!/usr/bin/env bash
# KVM's paravirtual interface (docs/hypercalls.md) under Bochs with one
# pCPU, so every vCPU waits for it in turn (steal time, `preempted`):
# - pv: pv=all, 3 vCPUs; every call and the steal-time MSR with good and
#   bad arguments (pvcpuid, hcall, kick, pvyield, pvipi, steal, preempt),
#   the kick -> wake latency (kicklat);
# - pvnone: pv=none; every call -KVM_ENOSYS, the MSR #GP, CPL 3 -KVM_EPERM;
# - pvsome: pv=steal,realtime; the realtime hint, steal without the
#   others: a FLUSH_TLB flag is cleared but never acted on;
# - hog: a busy VM, so the others have a pCPU to wait for.
# The guest cannot see what lhv did for it, so the "summary: pv" lines must
# count exactly what the tests did (where the schedule decides, as between
# kick_wake and kick_early, their sum): bad kicks and yields, refused MSR
# writes, bad ICRs, CPL 3 and unknown calls, flushes; and nothing for the
# VMs that made no such call (no call reaches another VM).
# timeout: 300
. "$(dirname "$0")/lib.sh"
boot_init
guest pv "vm=pv vcpus=3 mem=16M -- test=smp,steal,pvcpuid,hcall,kick,pvyield,pvipi,preempt,kicklat cpus=3 contended=1 steal_min_ms=10 hv=1"
guest pvnone "vm=pvnone vcpus=1 mem=8M pv=none -- test=pvcpuid,hcall,kick,pvyield,pvipi,steal pv=none hv=1"
guest pvsome "vm=pvsome vcpus=2 mem=8M pv=steal,realtime -- test=smp,pvcpuid,kick,pvyield,pvipi,steal,preempt cpus=2 pv=steal,realtime hv=1"
guest hog "vm=hog vcpus=1 mem=8M -- test=spin spin_every=1000000 iters=200 hv=1"
need_iso "${GUEST_MODS[@]}"
run_bochs --iso "$ISO" --cpus 1
expect_vm_pass pv pvnone pvsome hog
# lhv's LHP keys (appended after KVM's): none of these VMs makes an LHP call.
LHP0="hint_set=0 hint_bad=0 lyield=0 lspin=0 lspin_bad=0 balloon=0 balloon_bad=0 balloon_early=0 lspeed=0 balloon_nowait=0"
pvline() { echo "^\\[ *[0-9.]+\\] cpu[0-9]+: summary: pv vm $1 vcpu$2 $3 $LHP0\$"; }
zero="kick_tx=0 kick_rx=0 kick_wake=0 kick_early=0 kick_bad=0 steal_ns=0 st_set=0 st_bad=0 tlb_flush=0 yield=0 yield_to=0 yield_bad=0 ipi=0 ipi_dest=0 ipi_bad=0 eperm=0 enosys=0"
check_log --expect '^HV READY pcpus=1$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
	"${CHECKS[@]}" \
	--forbid '^\[pv[a-z]*\] TEST [a-z]+ SKIP' \
	--expect '^\[pv\] INFO preempt seen=[1-9][0-9]* flagged=1 consumed=1 ' \
	--expect '^\[pvsome\] INFO preempt seen=[1-9][0-9]* flagged=1 consumed=1 ' \
	--expect '^\[pv\] KICKLAT rounds=16 min=[1-9]' \
	--expect 'summary: pv vm pv features=unhalt,steal,tlb,yield,ipi$' \
	--expect 'summary: pv vm pvnone features=none$' \
	--expect 'summary: pv vm pvsome features=steal,realtime$' \
	--expect "$(pvline pv 0 'kick_tx=1025 kick_rx=1017 kick_wake=([0-9]+) kick_early=([0-9]+) kick_bad=6 steal_ns=[1-9][0-9]* st_set=13 st_bad=8 tlb_flush=0 yield=23 yield_to=[0-9]+ yield_bad=2 ipi=12 ipi_dest=5 ipi_bad=4 eperm=10 enosys=9')" \
	--expect "$(pvline pv 1 'kick_tx=16 kick_rx=18 kick_wake=([0-9]+) kick_early=([0-9]+) kick_bad=0 steal_ns=[1-9][0-9]* st_set=2 st_bad=0 tlb_flush=1 yield=0 yield_to=[0-9]+ yield_bad=0 ipi=0 ipi_dest=0 ipi_bad=0 eperm=0 enosys=0')" \
	--expect "$(pvline pv 2 "$zero")" \
	--expect "$(pvline pvnone 0 'kick_tx=0 kick_rx=0 kick_wake=0 kick_early=0 kick_bad=0 steal_ns=0 st_set=0 st_bad=0 tlb_flush=0 yield=0 yield_to=0 yield_bad=0 ipi=0 ipi_dest=0 ipi_bad=0 eperm=10 enosys=12')" \
	--expect "$(pvline pvsome 0 'kick_tx=0 kick_rx=0 kick_wake=0 kick_early=0 kick_bad=0 steal_ns=[1-9][0-9]* st_set=13 st_bad=8 tlb_flush=0 yield=0 yield_to=0 yield_bad=0 ipi=0 ipi_dest=0 ipi_bad=0 eperm=0 enosys=3')" \
	--expect "$(pvline pvsome 1 'kick_tx=0 kick_rx=0 kick_wake=0 kick_early=0 kick_bad=0 steal_ns=[1-9][0-9]* st_set=2 st_bad=0 tlb_flush=0 yield=0 yield_to=0 yield_bad=0 ipi=0 ipi_dest=0 ipi_bad=0 eperm=0 enosys=0')" \
	--expect "$(pvline hog 0 "$zero")"
# Whether a kick finds its target halted (kick_wake) or comes just before
# its HLT (kick_early) depends on the policy's directed yield; each of the
# 18 kicked halts of vCPUs 0 and 1 is one or the other.
for i in 0 1; do
	n=$(grep -a "summary: pv vm pv vcpu$i " "$LOG" | sed -E 's/.* kick_wake=([0-9]+) kick_early=([0-9]+) .*/\1 \2/' |
		awk '{ print $1 + $2 }')
	[ "$n" = 18 ] || fail "pv vcpu$i: kick_wake + kick_early = ${n:-none}, want 18"
done
pass
