/* The paravirtual interface guests see: KVM's (CPUID leaves 0x40000000+,
 * kvmclock, steal time, PV unhalt/kick, PV TLB flush, PV sched yield, PV
 * IPIs) for stock Linux, and lhv's own (docs/hypercalls.md). The generic
 * CPUID, MSR, HLT and hypercall paths and the run loop hand every request
 * in this space to these functions; which features a VM gets is its pv=
 * (vm->cfg.pv). */
#ifndef VMM_PV_PV_H
#define VMM_PV_PV_H
#include "vmm/vm/vm.h"

/* The hypervisor leaves 0x40000000-0x4fffffff. */
void pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* steal.c: MSR_KVM_STEAL_TIME (false = #GP). */
bool pv_steal_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool pv_steal_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* At every dispatch of v, on its pCPU before it enters: publish its steal
 * time, clear `preempted`, and post a TLB flush the guest asked for there. */
void pv_vcpu_load(struct vcpu *v);
/* When v leaves its pCPU: runnable says it is taken off while it still
 * wants to run (not halted, not stopped), which the guest sees as
 * preempted = 1 until it runs again. */
void pv_vcpu_put(struct vcpu *v, bool runnable);
/* INIT or creation: no steal-time record, no pending kick (KVM's reset). */
void pv_vcpu_reset(struct vcpu *v);

/* lhv_hint.c: lhv's LHP interface. */
/* Creation: set up the balloon timer (before any reset). */
void pv_vcpu_init(struct vcpu *v);
/* INIT or creation: no hint area, no balloon (pv_vcpu_reset calls it). */
void pv_lhv_reset(struct vcpu *v);
/* Fill v->sched.guest (CPL 0, RFLAGS.IF clear, the hint area's critical-
 * section count) from v's state at its last exit; v must be loaded on
 * this pCPU. Before every sched_schedule() and sched_hint() for v. */
void pv_guest_snapshot(struct vcpu *v);
/* At every dispatch: copy preempt_pending and the speed into the area. */
void pv_hint_publish(struct vcpu *v);
/* Is v halted in an LHV_BALLOON still running (its length in *us)? */
bool pv_in_balloon(struct vcpu *v, uint32_t *us);
/* The halt of a balloon ended (its time, or earlier by an interrupt or a
 * kick): disarm it, count an early end, and one that ended before the vCPU
 * blocked (!blocked: the policy was never told of it). Harmless without a
 * balloon. */
void pv_balloon_end(struct vcpu *v, bool blocked);

/* hc_kvm.c: PV unhalt. A HLT that a kick sent before it must not let
 * block: true (and the kick consumed) if there is one. */
bool pv_hlt_skip(struct vcpu *v);
/* A HLT of v ended (halted: v had blocked and was woken; otherwise the
 * HLT never blocked): consume a kick that ended it, and count it. Called
 * under v->lock by the run loop. */
void pv_halt_ended(struct vcpu *v, bool halted);

/* The "summary: pv vm <name> vcpu<i> key=value ..." line of v, without
 * the prefix "summary: " (docs/console.md). */
void pv_stats_line(const struct vcpu *v, char *buf, size_t len);

#endif
