/* Machine model and event loop. pCPUs call sched_schedule() exactly where the
 * hypervisor will: at timer expiry, on a kick, and when their vCPU halts.
 * Kicks are delivered at the same virtual time they are sent (after the
 * current event), timers at their deadline plus a random interrupt latency. */
#include "sched/sim/sim.h"
#include "sched/sim/simenv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sim *cur; /* the machine the env hooks talk to */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "hvsim: out of memory\n");
		exit(1);
	}
	return p;
}

static void hook_timer(unsigned pcpu, uint64_t deadline)
{
	struct sim_pcpu *pc = &cur->pcpus[pcpu];

	pc->timer_gen++;
	if (!deadline)
		return;
	uint64_t at = MAX(deadline, cur->now);
	if (cur->cfg->jitter_ns > 0)
		at += (uint64_t)(sim_rng_unit(&cur->rng) * cur->cfg->jitter_ns);
	sim_evq_post(&cur->q, at, EV_TIMER, pcpu, pc->timer_gen);
}

static void hook_kick(unsigned pcpu)
{
	struct sim_pcpu *pc = &cur->pcpus[pcpu];

	if (pc->kick_pending)
		return;
	pc->kick_pending = true;
	sim_evq_post(&cur->q, cur->now, EV_KICK, pcpu, 0);
}

static struct sim_vcpu *to_sim(struct sched_vcpu *v)
{
	return v ? container_of(v, struct sim_vcpu, sv) : NULL;
}

/* A scheduling point of pCPU p, as the hypervisor's pCPU loop makes it. */
static void sched_point(struct sim *s, uint32_t p, enum sched_why why)
{
	struct sim_pcpu *pc = &s->pcpus[p];
	struct sim_vcpu *prev = pc->curr;
	struct sim_vcpu *next = to_sim(sched_schedule(p, why));

	if (next == prev) {
		if (next && why == SCHED_BLOCK) { /* the HLT raced with a wake-up */
			guest_wake(s, next);
			guest_dispatch(s, next);
		}
		return;
	}
	if (prev && prev->running)
		guest_deschedule(s, prev);
	pc->curr = next;
	if (next)
		guest_dispatch(s, next);
}

static void on_guest(struct sim *s, const struct sim_ev *ev)
{
	struct sim_vcpu *v = &s->vcpus[ev->id];

	if (ev->gen != v->gen || !v->running)
		return;
	if (guest_event(s, v)) {
		uint32_t p = v->sv.pcpu;
		sim_evq_post(&s->q, s->now + sim_rng_exp_ns(&v->rng, s->cfg->sleep_ns), EV_WAKE, v->id, 0);
		v->running = false;
		v->gen++;
		sched_point(s, p, SCHED_BLOCK);
	}
}

static void on_event(struct sim *s, const struct sim_ev *ev)
{
	switch (ev->kind) {
	case EV_TIMER:
		if (ev->gen == s->pcpus[ev->id].timer_gen)
			sched_point(s, ev->id, SCHED_TICK);
		break;
	case EV_KICK:
		s->pcpus[ev->id].kick_pending = false;
		sched_point(s, ev->id, SCHED_TICK);
		break;
	case EV_BOOT:
		sched_point(s, ev->id, SCHED_TICK);
		break;
	case EV_GUEST:
		on_guest(s, ev);
		break;
	case EV_WAKE:
		guest_wake(s, &s->vcpus[ev->id]);
		sched_wake(&s->vcpus[ev->id].sv);
		break;
	}
}

static int check_step(struct sim *s)
{
	const char *err = NULL;

	s->checks++;
	if (!sched_check(&err))
		return 0;
	fprintf(stderr, "hvsim: invariant broken at t=%llu ns: %s\n", (unsigned long long)s->now, err);
	return -1;
}

static int build(struct sim *s, const struct sim_config *c)
{
	const char *err;

	s->cfg = c;
	s->spcpus = xcalloc(c->pcpus, sizeof(*s->spcpus));
	s->pcpus = xcalloc(c->pcpus, sizeof(*s->pcpus));
	s->vms = xcalloc(c->nr_vms, sizeof(*s->vms));
	s->locks = xcalloc((size_t)c->nr_vms * c->locks, sizeof(*s->locks));
	for (uint32_t i = 0; i < c->nr_vms; i++)
		s->nr_vcpus += c->vcpus[i];
	s->vcpus = xcalloc(s->nr_vcpus, sizeof(*s->vcpus));
	sim_rng_seed(&s->rng, c->seed, 0);
	sim_evq_init(&s->q);
	if (sched_init(s->spcpus, c->pcpus, &err) || (c->sched && sched_select(c->sched, &err))) {
		fprintf(stderr, "hvsim: %s\n", err);
		return -1;
	}
	for (uint32_t i = 0, id = 0; i < c->nr_vms; i++) {
		struct sim_vm *vm = &s->vms[i];
		vm->first = id;
		vm->ptrs = xcalloc(c->vcpus[i], sizeof(*vm->ptrs));
		for (uint32_t k = 0; k < c->vcpus[i]; k++, id++) {
			struct sim_vcpu *v = &s->vcpus[id];
			v->id = id;
			v->vm = i;
			sim_rng_seed(&v->rng, c->seed, id + 1);
			vm->ptrs[k] = &v->sv;
		}
		vm->sv = (struct sched_vm){ .id = i, .nr_vcpus = c->vcpus[i], .vcpus = vm->ptrs,
			.weight = c->weight[i], .cap = c->cap[i], .slice_ns = c->slice_ns };
		if (sched_vm_add(&vm->sv, &err)) {
			fprintf(stderr, "hvsim: VM %u: %s\n", i, err);
			return -1;
		}
	}
	return 0;
}

/* Boot: every pCPU enters its loop at t=0 (and idles); each vCPU is started
 * at a random time within the first slice, so slices are not synchronised
 * across pCPUs as they would not be on a machine that has been running. */
static void boot(struct sim *s)
{
	uint64_t slice = s->cfg->slice_ns ? s->cfg->slice_ns : SCHED_DEFAULT_SLICE_NS;

	for (uint32_t p = 0; p < s->cfg->pcpus; p++)
		sim_evq_post(&s->q, 0, EV_BOOT, p, 0);
	for (uint32_t i = 0; i < s->nr_vcpus; i++) {
		guest_init(s, &s->vcpus[i]);
		sim_evq_post(&s->q, sim_rng_below(&s->rng, slice), EV_WAKE, i, 0);
	}
	sim_evq_post(&s->q, s->cfg->duration_ns, EV_END, 0, 0);
}

int sim_run(struct sim *s, const struct sim_config *c, int *exit_code)
{
	struct sim_ev ev;

	cur = s;
	simenv_now = 0;
	simenv_timer_hook = hook_timer;
	simenv_kick_hook = hook_kick;
	if (build(s, c)) {
		*exit_code = 2;
		return -1;
	}
	boot(s);
	while (sim_evq_pop(&s->q, &ev)) {
		s->now = simenv_now = ev.time;
		if (ev.kind == EV_END)
			break;
		s->events++;
		on_event(s, &ev);
		if (c->check && sim_evq_next_time(&s->q) > s->now && check_step(s)) {
			*exit_code = 3;
			return -1;
		}
	}
	for (uint32_t i = 0; i < s->nr_vcpus; i++)
		guest_finish(s, &s->vcpus[i]);
	return 0;
}
