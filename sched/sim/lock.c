/* The spinlock workload: each vCPU loops { compute; lock; hold; unlock;
 * maybe HLT }. Guest time advances only while the vCPU runs. A waiter spins
 * (stays runnable, burns its slice) until it owns the lock:
 * - ticket: FIFO; at release the lock passes to the oldest waiter even if it
 *   is descheduled (it then holds the lock without running: lock-waiter
 *   preemption, counted as lwp);
 * - tas: at release a running spinner chosen at random takes it; spinners
 *   that are descheduled only try again when they run;
 * - pv: FIFO like ticket, but a waiter that has spun --pv-spin halts (a PV
 *   halt) and the unlocker kicks it when it hands it the lock (Linux's
 *   paravirtual spinlocks, KVM_HC_KICK_CPU).
 * A spinning vCPU meets the hypervisor three more ways: a spin longer than
 * the PAUSE-loop exit window (--ple) exits to it (SCHED_HINT_SPIN, yield),
 * a guest with --hints spin reports a spin longer than --report with LHV_SPIN
 * naming the holder (SCHED_HINT_LONG_SPIN, yield), and a guest with
 * --hints cs that leaves its critical section while the hypervisor has set
 * "preemption pending" yields (LHV_YIELD).
 * The CPU-bound workload is the compute phase alone (counted in chunks).
 * A wait is long when the waiter spent more than the threshold *running*
 * (spinning) before getting the lock: that is the CPU time lock-holder
 * preemption wastes. Waits longer than the threshold in wall time are
 * counted separately (long_waits_wall). */
#include "sched/sim/sim.h"

static struct sim_lock *lock_of(struct sim *s, struct sim_vcpu *v) { return &s->locks[v->lock]; }

static void waiter_add(struct sim_lock *l, struct sim_vcpu *v)
{
	v->wnext = NULL;
	v->wprev = l->tail;
	if (l->tail)
		l->tail->wnext = v;
	else
		l->head = v;
	l->tail = v;
}

static void waiter_remove(struct sim_lock *l, struct sim_vcpu *v)
{
	if (v->wprev)
		v->wprev->wnext = v->wnext;
	else
		l->head = v->wnext;
	if (v->wnext)
		v->wnext->wprev = v->wprev;
	else
		l->tail = v->wprev;
	v->wprev = v->wnext = NULL;
}

/* Spin time of the current wait so far. */
static uint64_t spun(const struct sim *s, const struct sim_vcpu *v)
{
	return v->spin_run + (v->running && v->phase == PH_SPIN ? s->now - v->seg_start : 0);
}

/* The next thing that can happen to a running spinner: the pv halt, the
 * LHV_SPIN report, the PAUSE-loop exit. */
static void arm_spin(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;
	uint64_t done = spun(s, v), at = UINT64_MAX;

	if (c->lock == SIM_LOCK_PV)
		at = s->now + (c->pv_spin_ns > done ? c->pv_spin_ns - done : 0);
	if ((c->hints[v->vm] & SIM_HINT_SPIN) && !v->reported)
		at = MIN(at, s->now + (c->report_ns > done ? c->report_ns - done : 0));
	if (c->ple_ns)
		at = MIN(at, MAX(v->ple_since + v->ple_window, s->now));
	if (at != UINT64_MAX)
		guest_post(s, v, at);
}

/* v owns the lock and runs: close its wait and start the critical section. */
static void enter_cs(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;

	if (v->phase == PH_SPIN || v->phase == PH_PV_WAIT) {
		if (v->phase == PH_SPIN) {
			v->spin_run += s->now - v->seg_start;
			v->spin_ns += s->now - v->seg_start;
		}
		if (v->spin_run > c->long_wait_ns) {
			v->long_waits++;
			v->long_spin_ns += v->spin_run;
		}
		if (s->now - v->wait_start > c->long_wait_ns)
			v->long_waits_wall++;
	}
	lock_of(s, v)->holder = v;
	v->phase = PH_CS;
	v->seg_start = s->now;
	v->remaining = sim_rng_exp_ns(&v->rng, c->hold_ns);
	guest_post(s, v, s->now + v->remaining);
}

void lock_compute(struct sim *s, struct sim_vcpu *v)
{
	v->phase = PH_COMPUTE;
	v->remaining = sim_rng_exp_ns(&v->rng, s->cfg->compute_ns);
	v->kernel = sim_rng_unit(&v->ctx_rng) < s->cfg->kernel_frac;
	v->irq_off = false;
}

/* The lock goes to its next owner; true if the unlocker should yield (it
 * kicked a halted waiter and the policy wants it to give way). */
static bool release(struct sim *s, struct sim_vcpu *v)
{
	struct sim_lock *l = lock_of(s, v);
	struct sim_vcpu *w = NULL;

	l->holder = NULL;
	if (s->cfg->lock != SIM_LOCK_TAS) {
		w = l->head;
	} else {
		uint32_t n = 0;
		for (struct sim_vcpu *x = l->head; x; x = x->wnext)
			n += x->running;
		uint64_t k = sim_rng_below(&s->rng, n);
		for (w = l->head; w; w = w->wnext)
			if (w->running && !k--)
				break;
	}
	if (!w)
		return false;
	waiter_remove(l, w);
	if (w->running && w->phase == PH_SPIN) {
		enter_cs(s, w);
		return false;
	}
	l->holder = w; /* FIFO: granted to a descheduled (or halted) waiter */
	w->lwp++;
	return w->phase == PH_PV_WAIT && sim_kick(s, v, w);
}

void lock_dispatch(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase == PH_SLEEP)
		lock_compute(s, v); /* a wake-up raced with the HLT */
	if (v->phase == PH_COMPUTE || v->phase == PH_CS) {
		guest_post(s, v, s->now + v->remaining);
		return;
	}
	struct sim_lock *l = lock_of(s, v);
	if (l->holder == v) {
		enter_cs(s, v); /* granted while descheduled or halted */
		return;
	}
	if (v->phase == PH_PV_WAIT) { /* woken without the lock: spin again */
		v->phase = PH_SPIN;
		v->spin_run = 0;
	}
	if (s->cfg->lock == SIM_LOCK_TAS && !l->holder) {
		waiter_remove(l, v);
		enter_cs(s, v);
		return;
	}
	arm_spin(s, v);
}

void lock_deschedule(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase == PH_COMPUTE || v->phase == PH_CS)
		v->remaining = v->phase_end - s->now;
	if (v->phase == PH_CS)
		v->lhp++;
	if (v->phase == PH_SPIN) {
		v->spin_run += s->now - v->seg_start;
		v->spin_ns += s->now - v->seg_start;
	}
}

/* A spin timer fired (arm_spin): halt, report, or exit to the hypervisor. */
static enum sim_next spin_event(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;
	uint64_t done = spun(s, v);

	if (c->lock == SIM_LOCK_PV && done >= c->pv_spin_ns) {
		v->spin_run = done;
		v->spin_ns += s->now - v->seg_start;
		v->seg_start = s->now;
		v->phase = PH_PV_WAIT;
		return NEXT_HALT;
	}
	enum sim_next next = NEXT_RUN;
	if ((c->hints[v->vm] & SIM_HINT_SPIN) && !v->reported && done >= c->report_ns) {
		struct sim_vcpu *h = lock_of(s, v)->holder;
		v->reported = true;
		if (sim_hint(s, v, SCHED_HINT_LONG_SPIN, h && h->vm == v->vm ? h->sv.index : SCHED_NO_VCPU))
			next = NEXT_YIELD;
	}
	if (c->ple_ns && s->now >= v->ple_since + v->ple_window) {
		sim_hint(s, v, SCHED_HINT_SPIN, 1);
		sim_hint(s, v, SCHED_HINT_SPIN, 0); /* withdrawn at the exit, as the hypervisor does */
		v->ple_since = s->now;
		v->ple_window *= 2;
		next = NEXT_YIELD;
	}
	arm_spin(s, v);
	return next;
}

enum sim_next lock_event(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;

	if (v->phase == PH_SPIN)
		return spin_event(s, v);
	if (v->phase == PH_COMPUTE) {
		v->lock = v->vm * c->locks + (uint32_t)sim_rng_below(&v->rng, c->locks);
		v->wait_start = s->now;
		v->spin_run = 0;
		v->reported = false;
		v->kernel = true;
		v->irq_off = sim_rng_unit(&v->ctx_rng) < c->irqoff_frac;
		struct sim_lock *l = lock_of(s, v);
		/* A free lock is taken at once: by anyone with test-and-set, only
		 * if nobody queues before us with FIFO locks. */
		if (!l->holder && (c->lock == SIM_LOCK_TAS || !l->head)) {
			enter_cs(s, v);
			return NEXT_RUN;
		}
		v->phase = PH_SPIN;
		v->seg_start = v->ple_since = s->now;
		waiter_add(l, v);
		arm_spin(s, v);
		return NEXT_RUN;
	}
	/* end of the critical section */
	v->cs++;
	bool yield = release(s, v);
	if (c->sleep_prob > 0 && sim_rng_unit(&v->rng) < c->sleep_prob) {
		v->phase = PH_SLEEP;
		return NEXT_HALT;
	}
	lock_compute(s, v);
	guest_post(s, v, s->now + v->remaining);
	if (v->pending && (c->hints[v->vm] & SIM_HINT_CS))
		yield = true; /* LHV_YIELD: preemption was pending */
	return yield ? NEXT_YIELD : NEXT_RUN;
}

/* End of the run: a wait still going on counts its spinning so far. */
void lock_finish(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase != PH_SPIN && v->phase != PH_PV_WAIT)
		return;
	uint64_t run = spun(s, v);
	v->spin_ns += v->running && v->phase == PH_SPIN ? s->now - v->seg_start : 0;
	if (run > s->cfg->long_wait_ns)
		v->long_spin_ns += run;
}
