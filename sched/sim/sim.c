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

/* A scheduling point of pCPU p, as the hypervisor's pCPU loop makes it:
 * refresh the outgoing vCPU's guest context, call the scheduler, copy the
 * chosen vCPU's "preemption pending" into its hint area. */
static void sched_point(struct sim *s, uint32_t p, enum sched_why why)
{
	struct sim_pcpu *pc = &s->pcpus[p];
	struct sim_vcpu *prev = pc->curr;

	if (prev)
		guest_context(s, prev, &prev->sv.guest);
	struct sim_vcpu *next = to_sim(sched_schedule(p, why));
	if (next)
		next->pending = next->sv.preempt_pending;
	if (next == prev) {
		if (next && why == SCHED_BLOCK) { /* the HLT raced with a wake-up */
			guest_wake(s, next);
			guest_dispatch(s, next);
		}
		return;
	}
	if (prev && prev->running)
		guest_deschedule(s, prev);
	if (prev)
		prev->pending = false;
	pc->curr = next;
	if (next)
		guest_dispatch(s, next);
}

bool sim_hint(struct sim *s, struct sim_vcpu *v, enum sched_hint hint, uint32_t arg)
{
	guest_context(s, v, &v->sv.guest);
	return sched_hint(&v->sv, hint, arg);
}

void sim_wake(struct sim *s, struct sim_vcpu *v)
{
	v->wake_gen++; /* a timed wake-up still pending is void */
	guest_wake(s, v);
	sched_wake(&v->sv);
}

bool sim_kick(struct sim *s, struct sim_vcpu *v, struct sim_vcpu *to)
{
	bool yield = sim_hint(s, v, SCHED_HINT_KICK_VCPU, to->sv.index);
	sim_wake(s, to);
	return yield;
}

/* The vCPU halts (HLT, a PV halt, a balloon): hint, timed wake-up, block. */
static void halt(struct sim *s, struct sim_vcpu *v, uint32_t p)
{
	uint32_t arg = 0;
	uint64_t wake_at;
	int hint = guest_halt_hint(s, v, &arg, &wake_at);

	if (hint >= 0)
		sim_hint(s, v, (enum sched_hint)hint, arg);
	if (wake_at)
		sim_evq_post(&s->q, wake_at, EV_WAKE, v->id, ++v->wake_gen);
	v->running = false;
	v->gen++;
	sched_point(s, p, SCHED_BLOCK);
}

static void on_guest(struct sim *s, const struct sim_ev *ev)
{
	struct sim_vcpu *v = &s->vcpus[ev->id];

	if (ev->gen != v->gen || !v->running)
		return;
	uint32_t p = v->sv.pcpu;
	switch (guest_event(s, v)) {
	case NEXT_RUN:
		break;
	case NEXT_HALT:
		halt(s, v, p);
		break;
	case NEXT_YIELD:
		sched_point(s, p, SCHED_YIELD);
		break;
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
		if (ev->gen == s->vcpus[ev->id].wake_gen)
			sim_wake(s, &s->vcpus[ev->id]);
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

/* The env's part of sched_vcpu: affinity from --pin, cap from --vcpu-cap. */
static void set_affinity(struct sim *s, struct sim_vcpu *v, uint32_t vm, uint32_t k)
{
	const struct sim_config *c = s->cfg;
	uint64_t *mask = s->affinity ? s->affinity + (size_t)v->id * s->words_per_mask : NULL;
	bool pinned = false;

	for (uint32_t i = 0; i < c->nr_pins; i++) {
		const struct sim_pin *p = &c->pins[i];
		if (p->vm != vm || (p->vcpu != SIM_ALL_VCPUS && p->vcpu != k))
			continue;
		for (uint32_t b = p->lo; b <= p->hi; b++)
			mask[b / 64] |= 1ull << (b % 64);
		pinned = true;
	}
	v->sv.affinity = pinned ? mask : NULL;
	for (uint32_t i = 0; i < c->nr_vcaps; i++)
		if (c->vcaps[i].vm == vm && c->vcaps[i].vcpu == k)
			v->sv.cap = c->vcaps[i].cap;
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
	for (uint32_t i = 0; i < c->nr_knobs; i++) {
		char knob[128];
		const char *eq = strchr(c->knobs[i], '=');
		snprintf(knob, sizeof(knob), "%.*s", (int)(eq - c->knobs[i]), c->knobs[i]);
		if (sched_set_param(knob, eq + 1, &err)) {
			fprintf(stderr, "hvsim: --knob: %s\n", err);
			return -1;
		}
	}
	if (c->nr_pins) {
		s->words_per_mask = (c->pcpus + 63) / 64;
		s->affinity = xcalloc((size_t)s->nr_vcpus * s->words_per_mask, sizeof(uint64_t));
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
			sim_rng_seed(&v->ctx_rng, c->seed, id + 1 + (1ull << 32));
			vm->ptrs[k] = &v->sv;
			set_affinity(s, v, i, k);
		}
		vm->workload = (enum sim_workload)c->workload[i];
		vm->sv = (struct sched_vm){ .id = i, .nr_vcpus = c->vcpus[i], .vcpus = vm->ptrs,
			.weight = c->weight[i], .cap = c->cap[i], .slice_ns = c->slice_ns,
			.flags = c->hints[i] & SIM_HINT_CS ? SCHED_VM_CS_HINTS : 0 };
		if (vm->workload == SIM_WL_BARRIER)
			barrier_init(s, vm);
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
		sim_evq_post(&s->q, sim_rng_below(&s->rng, slice), EV_WAKE, i, s->vcpus[i].wake_gen);
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
