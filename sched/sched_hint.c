/* Guest hints, directed yield, co-stops and vCPU speeds: what the framework
 * keeps about a vCPU beyond its state, for the policies that react to the
 * guest (docs/scheduling.md, "Hints"). */
#include "sched/sched_internal.h"

#define S sched_g

/* Speeds are measured over windows of this much wall time and smoothed over
 * two windows: long enough to average over slices (10 ms), short enough to
 * follow a change of contention within a fraction of a second. */
#define SPEED_WINDOW_NS 50000000ull

void sched_speed_account(struct sched_vcpu *v, enum sched_state st, uint64_t d, uint64_t now)
{
	if (st == SCHED_RUNNING)
		v->speed_run += d;
	else if (st == SCHED_RUNNABLE)
		v->speed_wait += d;
	if (now - v->speed_start < SPEED_WINDOW_NS)
		return;
	uint64_t wanted = v->speed_run + v->speed_wait;
	/* A vCPU that mostly slept says little about its share: keep the old
	 * figure rather than one from a few microseconds. */
	if (wanted >= SPEED_WINDOW_NS / 4) {
		uint32_t now_speed = (uint32_t)(v->speed_run * SCHED_SPEED_ONE / wanted);
		v->speed = (v->speed + now_speed + 1) / 2;
	}
	v->speed_start = now;
	v->speed_run = v->speed_wait = 0;
}

uint32_t sched_vcpu_speed(const struct sched_vcpu *v)
{
	return S.ops && S.ops->publish_speed ? v->speed : 0;
}

void sched_vcpu_costop(struct sched_vcpu *v, bool stop, uint64_t now)
{
	if (v->costopped == stop)
		return;
	v->costopped = stop;
	if (stop) {
		v->stats.costops++;
		v->costop_since = now;
	} else {
		v->stats.costop_ns += now - v->costop_since;
	}
	sched_env_event(v, stop ? SCHED_EV_COSTOP : SCHED_EV_COSTART, 0);
}

/* Framework bookkeeping of a hint; true if the hint itself asks the vCPU
 * to leave (the guest called a yield hypercall). */
static bool note_hint(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg)
{
	struct sched_vcpu *target = arg < v->vm->nr_vcpus ? v->vm->vcpus[arg] : NULL;

	switch (hint) {
	case SCHED_HINT_CS:
		v->hint_cs = arg != 0;
		return false;
	case SCHED_HINT_SPIN:
		v->hint_spin = arg != 0;
		if (arg) {
			v->stats.spin_exits++;
			v->yield_reason = SCHED_HINT_SPIN + 1;
		}
		return false;
	case SCHED_HINT_KICK_VCPU:
		v->stats.kicks++;
		v->yield_reason = SCHED_HINT_KICK_VCPU + 1;
		v->yield_to = target ? arg : SCHED_NO_VCPU;
		return false;
	case SCHED_HINT_LONG_SPIN:
	case SCHED_HINT_YIELD_TO:
		if (hint == SCHED_HINT_LONG_SPIN)
			v->stats.spin_reports++;
		v->yield_reason = (uint8_t)(hint + 1);
		v->yield_to = target && target != v ? arg : SCHED_NO_VCPU;
		return true;
	case SCHED_HINT_PV_HALT:
		v->stats.pv_halts++;
		v->pv_halted = true;
		return false;
	case SCHED_HINT_BALLOON:
		v->stats.balloons++;
		v->in_balloon = true;
		return false;
	}
	return false;
}

bool sched_hint(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg)
{
	sched_env_lock(&S.lock);
	bool leave = note_hint(v, hint, arg);
	if (S.ops->hint && S.ops->hint(v, hint, arg, sched_env_now()))
		leave = true;
	sched_env_unlock(&S.lock);
	return leave;
}

/* 2: preempted inside a critical section (lhv's count, or the guest
 * kernel's own preemption count where the env read it), 1: in kernel mode,
 * 0: not a candidate (user mode, or not preempted, or not accepted). */
static int yield_rank(struct sched_vcpu *me, struct sched_vcpu *c,
		      bool (*ok)(void *ctx, struct sched_vcpu *c), void *ctx)
{
	if (c == me || !c->preempted || c->state != SCHED_RUNNABLE || !ok(ctx, c))
		return 0;
	if (c->guest.cs || (c->guest.kernel && c->guest.pc_known && c->guest.pc_off))
		return 2;
	return c->guest.kernel ? 1 : 0;
}

struct sched_vcpu *sched_yield_candidate(struct sched_vcpu *me,
					  bool (*ok)(void *ctx, struct sched_vcpu *c), void *ctx)
{
	struct sched_vm *vm = me->vm;
	struct sched_vcpu *best = NULL;
	int best_rank = 0;

	/* A target the guest named (KVM_HC_SCHED_YIELD, LHV_SPIN's holder, the
	 * kicked vCPU) only has to wait for a pCPU: KVM's `ready` covers a
	 * vCPU woken by the kick as well as a preempted one. */
	struct sched_vcpu *named = me->yield_to != SCHED_NO_VCPU ? vm->vcpus[me->yield_to] : NULL;
	if (named && named != me && named->state == SCHED_RUNNABLE && ok(ctx, named))
		best_rank = 3, best = named;
	for (uint32_t k = 1; k <= vm->nr_vcpus && best_rank < 2; k++) {
		struct sched_vcpu *c = vm->vcpus[(vm->last_boosted + k) % vm->nr_vcpus];
		int r = yield_rank(me, c, ok, ctx);
		if (r > best_rank) {
			best_rank = r;
			best = c;
		}
	}
	if (best)
		vm->last_boosted = best->index;
	return best;
}
