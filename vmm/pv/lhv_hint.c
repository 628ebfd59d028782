/* lhv's own LHP interface, version 1 (docs/hypercalls.md, "lhv's LHP
 * interface"): the per-vCPU hint area (critical-section count, preemption
 * pending, speed) and the calls LHV_HINT_REGISTER, LHV_YIELD, LHV_SPIN,
 * LHV_BALLOON and LHV_SPEED, which turn into the scheduling framework's hints
 * (docs/scheduling.md, "What the hypervisor must do"). The area is only
 * ever written from the vCPU's own pCPU (its registration, its dispatch)
 * and only inside the VM's RAM. */
#include "vmm/pv/hypercall.h"
#include "vmm/pv/pv.h"
#include "vmm/vm/backend.h"
#include "vmm/vm/gpa.h"
#include "hw/x86_defs.h"

static volatile uint32_t *hint_field(struct vcpu *v, unsigned off)
{
	uint8_t *a = v->pv.hint_on ? gpa_to_hva(v->vm, v->pv.hint_gpa, LHV_HINT_SIZE) : NULL;
	return a ? (volatile uint32_t *)(void *)(a + off) : NULL;
}

void pv_guest_snapshot(struct vcpu *v)
{
	const struct vmm_backend *b = backend;
	struct sched_guest *g = &v->sched.guest;
	g->kernel = b->get_cpl(v) == 0;
	g->irq_off = !(b->get_reg(v, VREG_RFLAGS) & RFLAGS_IF);
	volatile uint32_t *cs = hint_field(v, LHV_HINT_CS);
	g->cs = cs ? *cs : 0;
}

void pv_hint_publish(struct vcpu *v)
{
	volatile uint32_t *a = hint_field(v, 0);
	if (!a)
		return;
	a[LHV_HINT_PENDING / 4] = v->sched.preempt_pending ? 1 : 0;
	a[LHV_HINT_SPEED / 4] = sched_vcpu_speed(&v->sched);
	a[LHV_HINT_DISPATCHES / 4] = ++v->pv.hint_dispatches;
}

/* a0: GPA of the 64-byte area (0: unregister), a1: interface version. */
uint64_t hc_lhv_hint_register(struct vcpu *v, struct hc_call *c)
{
	v->pv.stats.hint_set++;
	enum lhv_hint_err e = lhv_hint_check(c->a[0], c->a[1]);
	if (e == LHV_HINT_OK && c->a[0] && !gpa_to_hva(v->vm, c->a[0], LHV_HINT_SIZE))
		e = LHV_HINT_NOT_RAM;   /* aligned, so not RAM at all (never half of it) */
	if (e != LHV_HINT_OK) {
		v->pv.stats.hint_bad++;
		return HC_EINVAL;       /* the old registration stays */
	}
	v->pv.hint_on = c->a[0] != 0;
	v->pv.hint_gpa = c->a[0];
	v->pv.hint_dispatches = 0;
	if (!v->pv.hint_on)
		return 0;
	volatile uint32_t *a = hint_field(v, 0);
	a[LHV_HINT_VERSION / 4] = LHV_LHP_VERSION;
	a[LHV_HINT_CS / 4] = 0;
	pv_hint_publish(v);
	/* From now on the scheduler reads this VM's critical-section counts
	 * (pdelay.form=auto becomes intrusive for it). Never cleared: other
	 * vCPUs may still keep theirs. */
	__atomic_fetch_or(&v->vm->sched.flags, SCHED_VM_CS_HINTS, __ATOMIC_RELAXED);
	return 0;
}

/* The guest left its critical section and found preemption pending: give
 * the pCPU back (the framework counts a yield on time). */
uint64_t hc_lhv_yield(struct vcpu *v, struct hc_call *c)
{
	v->pv.stats.lyield++;
	c->result = HC_YIELD;
	return 0;
}

/* a0: the holder's vCPU index, or LHV_NO_VCPU. */
uint64_t hc_lhv_spin(struct vcpu *v, struct hc_call *c)
{
	uint32_t holder;
	v->pv.stats.lspin++;
	if (!lhv_spin_holder(c->a[0], v->vm->nvcpus, &holder)) {
		v->pv.stats.lspin_bad++;
		return HC_EINVAL;
	}
	pv_guest_snapshot(v);
	sched_hint(&v->sched, SCHED_HINT_LONG_SPIN, holder);
	c->result = HC_YIELD;   /* the hint always asks for it */
	return 0;
}

static void balloon_over(struct timer *t, void *arg)
{
	struct vcpu *v = arg;
	uint32_t given = 1;
	/* Only the balloon still running ends (a late timer after an early
	 * end finds 0 and does nothing). */
	if (__atomic_compare_exchange_n(&v->pv.balloon, &given, 2, false, __ATOMIC_ACQ_REL,
					__ATOMIC_RELAXED))
		vcpu_kick(v);
}

/* a0: microseconds. The vCPU halts for that long, or less if an interrupt
 * it can take arrives (as for a HLT with its RFLAGS.IF). */
uint64_t hc_lhv_balloon(struct vcpu *v, struct hc_call *c)
{
	v->pv.stats.balloon++;
	if (!lhv_balloon_ok(c->a[0])) {
		v->pv.stats.balloon_bad++;
		return HC_EINVAL;
	}
	v->pv.balloon_us = (uint32_t)c->a[0];
	__atomic_store_n(&v->pv.balloon, 1, __ATOMIC_RELEASE);
	timer_set(&v->pv.balloon_timer, time_now() + c->a[0] * 1000);
	v->halt_if_off = !(backend->get_reg(v, VREG_RFLAGS) & RFLAGS_IF);
	c->result = HC_BLOCK;
	return 0;
}

/* No arguments: the vCPU's speed now (0..LHV_SPEED_ONE, 0 when the policy
 * publishes none), the hint area's `speed` without the shared page: a
 * guest agent in user space reads it each period through a register, so
 * nothing of lhv's ever lands in memory the guest kernel may move. */
uint64_t hc_lhv_speed(struct vcpu *v, struct hc_call *c)
{
	v->pv.stats.lspeed++;
	return lhv_speed_result(sched_vcpu_speed(&v->sched));
}

void pv_balloon_end(struct vcpu *v, bool blocked)
{
	uint32_t old = __atomic_exchange_n(&v->pv.balloon, 0, __ATOMIC_ACQ_REL);
	if (old == 1) {
		timer_cancel(&v->pv.balloon_timer);
		v->pv.stats.balloon_early++;
		if (!blocked)
			v->pv.stats.balloon_nowait++;
	}
}

bool pv_in_balloon(struct vcpu *v, uint32_t *us)
{
	*us = v->pv.balloon_us;
	return __atomic_load_n(&v->pv.balloon, __ATOMIC_ACQUIRE) == 1;
}

void pv_vcpu_init(struct vcpu *v)
{
	timer_init(&v->pv.balloon_timer, balloon_over, v);
}

void pv_lhv_reset(struct vcpu *v)
{
	v->pv.hint_on = false;
	v->pv.hint_gpa = 0;
	__atomic_store_n(&v->pv.balloon, 0, __ATOMIC_RELEASE);
	timer_cancel(&v->pv.balloon_timer);
}
