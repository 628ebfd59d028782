/* The guest of one vCPU: routes its events to its VM's workload (spinlock
 * and CPU-bound: lock.c; barrier: barrier.c) and tells the environment what
 * the scheduler needs to know about it (its context, its halts). */
#include "sched/sim/sim.h"

void guest_post(struct sim *s, struct sim_vcpu *v, uint64_t at)
{
	v->phase_end = at;
	sim_evq_post(&s->q, at, EV_GUEST, v->id, ++v->gen);
}

void guest_init(struct sim *s, struct sim_vcpu *v)
{
	if (sim_vm_of(s, v)->workload == SIM_WL_BARRIER)
		v->phase = v->nthreads ? PH_THREADS : PH_IDLE;
	else
		lock_compute(s, v);
}

void guest_dispatch(struct sim *s, struct sim_vcpu *v)
{
	v->running = true;
	v->seg_start = v->ple_since = s->now;
	v->ple_window = s->cfg->ple_ns; /* KVM resets the window when a vCPU is scheduled in */
	if (sim_vm_of(s, v)->workload == SIM_WL_BARRIER)
		barrier_dispatch(s, v);
	else
		lock_dispatch(s, v);
}

void guest_deschedule(struct sim *s, struct sim_vcpu *v)
{
	if (sim_vm_of(s, v)->workload == SIM_WL_BARRIER)
		barrier_deschedule(s, v);
	else
		lock_deschedule(s, v);
	v->running = false;
	v->gen++; /* its pending guest event is stale now */
}

enum sim_next guest_event(struct sim *s, struct sim_vcpu *v)
{
	switch (sim_vm_of(s, v)->workload) {
	case SIM_WL_CPU:
		v->chunks++;
		lock_compute(s, v);
		guest_post(s, v, s->now + v->remaining);
		return NEXT_RUN;
	case SIM_WL_BARRIER:
		return barrier_event(s, v);
	case SIM_WL_SPIN:
		break;
	}
	return lock_event(s, v);
}

int guest_halt_hint(struct sim *s, struct sim_vcpu *v, uint32_t *arg, uint64_t *wake_at)
{
	*wake_at = 0;
	switch (v->phase) {
	case PH_SLEEP:
		*wake_at = s->now + sim_rng_exp_ns(&v->rng, s->cfg->sleep_ns);
		return -1;
	case PH_PV_WAIT:
		return SCHED_HINT_PV_HALT;
	case PH_IDLE:
		/* The balloon agent's thread runs when nothing else does and
		 * gives the pCPU back for one agent period. */
		if (v->balloon <= 0)
			return -1;
		*arg = (uint32_t)(s->cfg->agent_ns / 1000);
		*wake_at = s->now + s->cfg->agent_ns;
		return SCHED_HINT_BALLOON;
	default:
		return -1;
	}
}

void guest_wake(struct sim *s, struct sim_vcpu *v)
{
	if (v->phase == PH_SLEEP)
		lock_compute(s, v);
}

void guest_context(const struct sim *s, const struct sim_vcpu *v, struct sched_guest *g)
{
	g->kernel = v->kernel;
	g->irq_off = v->irq_off;
	g->cs = (s->cfg->hints[v->vm] & SIM_HINT_CS) && v->phase == PH_CS;
}

void guest_finish(struct sim *s, struct sim_vcpu *v)
{
	if (sim_vm_of(s, v)->workload == SIM_WL_SPIN)
		lock_finish(s, v);
}
