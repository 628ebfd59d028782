/* Synthetic guest: each vCPU loops { compute; lock; hold; unlock; maybe HLT }.
 * Guest time advances only while the vCPU runs. A waiter spins (stays
 * runnable, burns its slice) until it owns the lock:
 * - ticket: FIFO; at release the lock passes to the oldest waiter even if it
 *   is descheduled (it then holds the lock without running: lock-waiter
 *   preemption, counted as lwp);
 * - tas: at release a running spinner chosen at random takes it; spinners
 *   that are descheduled only try again when they run.
 * A wait is long when the waiter spent more than the threshold *running*
 * (spinning) before getting the lock: that is the CPU time lock-holder
 * preemption wastes. Waits longer than the threshold in wall time are
 * counted separately (long_waits_wall). */
#include "sched/sim/sim.h"

static void post_phase_end(struct sim *s, struct sim_vcpu *v)
{
	v->phase_end = s->now + v->remaining;
	sim_evq_post(&s->q, v->phase_end, EV_GUEST, v->id, ++v->gen);
}

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

/* v owns the lock and runs: close its wait and start the critical section. */
static void enter_cs(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;

	if (v->phase == PH_SPIN) {
		v->spin_run += s->now - v->seg_start;
		v->spin_ns += s->now - v->seg_start;
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
	post_phase_end(s, v);
}

static void start_compute(struct sim *s, struct sim_vcpu *v)
{
	v->phase = PH_COMPUTE;
	v->remaining = sim_rng_exp_ns(&v->rng, s->cfg->compute_ns);
}

void guest_init(struct sim *s, struct sim_vcpu *v)
{
	start_compute(s, v);
}

static void release(struct sim *s, struct sim_vcpu *v)
{
	struct sim_lock *l = lock_of(s, v);
	struct sim_vcpu *w = NULL;

	l->holder = NULL;
	if (s->cfg->lock == SIM_LOCK_TICKET) {
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
		return;
	waiter_remove(l, w);
	if (w->running) {
		enter_cs(s, w);
	} else {
		l->holder = w; /* ticket: granted to a descheduled waiter */
		w->lwp++;
	}
}

void guest_dispatch(struct sim *s, struct sim_vcpu *v)
{
	v->running = true;
	v->seg_start = s->now;
	if (v->phase == PH_SLEEP)
		start_compute(s, v); /* a wake-up raced with the HLT */
	if (v->phase == PH_COMPUTE || v->phase == PH_CS) {
		post_phase_end(s, v);
		return;
	}
	struct sim_lock *l = lock_of(s, v);
	if (l->holder == v) {
		enter_cs(s, v); /* ticket: granted while descheduled */
	} else if (s->cfg->lock == SIM_LOCK_TAS && !l->holder) {
		waiter_remove(l, v);
		enter_cs(s, v);
	}
}

void guest_deschedule(struct sim *s, struct sim_vcpu *v)
{
	v->running = false;
	v->gen++; /* its pending phase-end event is stale now */
	if (v->phase == PH_COMPUTE || v->phase == PH_CS)
		v->remaining = v->phase_end - s->now;
	if (v->phase == PH_CS)
		v->lhp++;
	if (v->phase == PH_SPIN) {
		v->spin_run += s->now - v->seg_start;
		v->spin_ns += s->now - v->seg_start;
	}
}

bool guest_event(struct sim *s, struct sim_vcpu *v)
{
	const struct sim_config *c = s->cfg;

	if (v->phase == PH_COMPUTE) {
		v->lock = v->vm * c->locks + (uint32_t)sim_rng_below(&v->rng, c->locks);
		v->wait_start = s->now;
		v->spin_run = 0;
		struct sim_lock *l = lock_of(s, v);
		if (!l->holder && !l->head) {
			enter_cs(s, v); /* uncontended: no wait */
			return false;
		}
		v->phase = PH_SPIN;
		v->seg_start = s->now;
		waiter_add(l, v);
		return false;
	}
	/* end of the critical section */
	v->cs++;
	release(s, v);
	if (c->sleep_prob > 0 && sim_rng_unit(&v->rng) < c->sleep_prob) {
		v->phase = PH_SLEEP;
		return true;
	}
	start_compute(s, v);
	post_phase_end(s, v);
	return false;
}

void guest_wake(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase == PH_SLEEP)
		start_compute(s, v);
}

/* End of the run: a wait still going on counts its spinning so far. */
void guest_finish(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase != PH_SPIN)
		return;
	uint64_t run = v->spin_run + (v->running ? s->now - v->seg_start : 0);
	v->spin_ns += v->running ? s->now - v->seg_start : 0;
	if (run > s->cfg->long_wait_ns)
		v->long_spin_ns += run;
}
