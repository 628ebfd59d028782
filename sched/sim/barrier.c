/* The barrier workload: a parallel job of --threads guest threads per vCPU
 * that meet at a barrier after each phase of --work per thread. Its
 * completion time depends on where the guest puts its threads, so this file
 * also models the guest's scheduler and the balloon agent:
 * - a vCPU shares its run time equally among its threads (processor
 *   sharing), guest time advancing only while it runs; one thread per vCPU
 *   is current and cannot be moved;
 * - at each barrier the guest's balancer places the next phase's threads
 *   one by one on the vCPU with the least load, a thread counting 1 and the
 *   vCPU's balloon its size; a vCPU without threads first steals a queued
 *   thread (the one with most work left) from the busiest vCPU, then halts;
 * - the balloon agent sizes each vCPU's balloon from the published speeds
 *   (sched_vcpu_speed: 0 = not published, no balloon): threads-per-vCPU *
 *   (1 - speed / fastest sibling's speed). Its thread only runs when the
 *   vCPU has nothing else to do, and then gives the pCPU back for one agent
 *   period with LHV_BALLOON instead of halting.
 * A stock guest's balancer sees every vCPU as equally fast (steal time
 * does not reach it, docs/scheduling.md), so without balloons a slow vCPU
 * gets as many threads as a fast one. */
#include "sched/sim/sim.h"
#include <stdio.h>
#include <stdlib.h>

static struct sim_vcpu *vcpu_at(struct sim *s, const struct sim_vm *vm, uint32_t i)
{
	return &s->vcpus[vm->first + i];
}

/* Balloons from the published speeds, at the start of a phase. */
static void size_balloons(struct sim *s, struct sim_vm *vm)
{
	uint32_t fastest = 0;

	for (uint32_t i = 0; i < vm->sv.nr_vcpus; i++)
		fastest = MAX(fastest, sched_vcpu_speed(vm->ptrs[i]));
	for (uint32_t i = 0; i < vm->sv.nr_vcpus; i++) {
		uint32_t sp = sched_vcpu_speed(vm->ptrs[i]);
		vcpu_at(s, vm, i)->balloon = fastest ? s->cfg->threads * (1.0 - (double)sp / fastest) : 0;
	}
}

/* The guest's balancer at a barrier: every thread gets --work and goes to
 * the least loaded vCPU (ties: the lowest index). */
static void place_threads(struct sim *s, struct sim_vm *vm)
{
	size_balloons(s, vm);
	for (uint32_t i = 0; i < vm->sv.nr_vcpus; i++)
		vcpu_at(s, vm, i)->nthreads = 0;
	for (uint32_t t = 0; t < vm->nthreads; t++) {
		uint32_t best = 0;
		for (uint32_t i = 1; i < vm->sv.nr_vcpus; i++) {
			struct sim_vcpu *a = vcpu_at(s, vm, i), *b = vcpu_at(s, vm, best);
			if (a->nthreads + a->balloon < b->nthreads + b->balloon)
				best = i;
		}
		vm->threads[t] = (struct sim_thread){ .vcpu = best, .left = s->cfg->work_ns };
		vcpu_at(s, vm, best)->nthreads++;
	}
	vm->arrived = 0;
	vm->phase_start = s->now;
}

void barrier_init(struct sim *s, struct sim_vm *vm)
{
	vm->nthreads = vm->sv.nr_vcpus * s->cfg->threads;
	vm->threads = calloc(vm->nthreads, sizeof(*vm->threads));
	if (!vm->threads) {
		fprintf(stderr, "hvsim: out of memory\n");
		exit(1);
	}
	place_threads(s, vm);
}

/* Work done by v's threads since its running stretch began (or was last
 * brought up to date). */
static void progress(struct sim *s, struct sim_vcpu *v)
{
	struct sim_vm *vm = sim_vm_of(s, v);
	double share = v->nthreads ? (double)(s->now - v->seg_start) / v->nthreads : 0;

	v->seg_start = s->now;
	if (!share)
		return;
	for (uint32_t t = 0; t < vm->nthreads; t++)
		if (!vm->threads[t].done && vm->threads[t].vcpu == v->sv.index)
			vm->threads[t].left -= share;
}

/* When v's first thread will finish, if v runs on. */
static void post_next(struct sim *s, struct sim_vcpu *v)
{
	struct sim_vm *vm = sim_vm_of(s, v);
	double least = -1;

	for (uint32_t t = 0; t < vm->nthreads; t++) {
		const struct sim_thread *th = &vm->threads[t];
		if (!th->done && th->vcpu == v->sv.index && (least < 0 || th->left < least))
			least = th->left;
	}
	if (least >= 0)
		guest_post(s, v, s->now + (uint64_t)(MAX(least, 0.0) * v->nthreads + 0.999));
}

/* An idle vCPU takes a queued thread (not the current one) from the
 * busiest sibling; true if it got one. */
static bool steal(struct sim *s, struct sim_vcpu *v)
{
	struct sim_vm *vm = sim_vm_of(s, v);
	struct sim_vcpu *victim = NULL;
	int64_t take = -1;

	for (uint32_t i = 0; i < vm->sv.nr_vcpus; i++) {
		struct sim_vcpu *u = vcpu_at(s, vm, i);
		if (u != v && u->nthreads >= 2 && (!victim || u->nthreads > victim->nthreads))
			victim = u;
	}
	if (!victim)
		return false;
	if (victim->running)
		progress(s, victim);
	bool first = true;
	for (uint32_t t = 0; t < vm->nthreads; t++) {
		struct sim_thread *th = &vm->threads[t];
		if (th->done || th->vcpu != victim->sv.index)
			continue;
		if (!first && (take < 0 || th->left > vm->threads[take].left))
			take = t;
		first = false;
	}
	vm->threads[take].vcpu = v->sv.index;
	victim->nthreads--;
	v->nthreads++;
	if (victim->running)
		post_next(s, victim); /* its threads now share among fewer */
	return true;
}

/* All threads arrived: the phase is over, the next one starts. */
static void next_phase(struct sim *s, struct sim_vm *vm)
{
	vm->phases++;
	vm->phase_sum += s->now - vm->phase_start;
	place_threads(s, vm);
	for (uint32_t i = 0; i < vm->sv.nr_vcpus; i++) {
		struct sim_vcpu *u = vcpu_at(s, vm, i);
		if (u->nthreads && u->phase == PH_IDLE && !u->running) {
			u->phase = PH_THREADS;
			sim_wake(s, u); /* the guest's IPI */
		}
	}
}

void barrier_dispatch(struct sim *s, struct sim_vcpu *v)
{
	if (!v->nthreads && !steal(s, v)) {
		v->phase = PH_IDLE;
		guest_post(s, v, s->now); /* nothing to do: halts at once */
		return;
	}
	v->phase = PH_THREADS;
	post_next(s, v);
}

void barrier_deschedule(struct sim *s, struct sim_vcpu *v)
{
	progress(s, v);
}

enum sim_next barrier_event(struct sim *s, struct sim_vcpu *v)
{
	struct sim_vm *vm = sim_vm_of(s, v);

	progress(s, v);
	for (uint32_t t = 0; t < vm->nthreads; t++) {
		struct sim_thread *th = &vm->threads[t];
		if (!th->done && th->vcpu == v->sv.index && th->left < 1) {
			th->done = true;
			v->nthreads--;
			vm->arrived++;
		}
	}
	if (vm->arrived == vm->nthreads)
		next_phase(s, vm);
	if (!v->nthreads && !steal(s, v)) {
		v->phase = PH_IDLE;
		return NEXT_HALT;
	}
	v->phase = PH_THREADS;
	post_next(s, v);
	return NEXT_RUN;
}
