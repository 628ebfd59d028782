/* "relaxed": relaxed co-scheduling as in VMware ESX 3 and later, on top of
 * the fair queue.
 *
 * The vCPUs of a VM run independently, but each keeps a progress clock (its
 * run time) and a vCPU whose progress leads its slowest runnable sibling by
 * relaxed.skew is co-stopped: held out of the run queue until the laggards
 * have caught up to half the skew, then co-started (requeued). Only the
 * leaders stop; the laggards keep running (ESX's relaxed scheme, not the
 * strict one that stops the whole VM). Idle vCPUs accrue no skew: a blocked
 * sibling is not a laggard, and a vCPU that wakes starts level with its
 * slowest runnable sibling. A running leader's timer is set so its lead
 * cannot pass the skew unseen; a preempted vCPU becomes a laggard, so the
 * pCPUs of its running siblings are kicked when their lead could pass it.
 * Each of these looks at the VM's vCPUs once: O(vCPUs of the VM).
 * Counters: costops, costop_ns (ESX's %CSTP). */
#include "sched/sched_fq.h"

/* Smallest timer step, so a leader at its bound does not spin in the
 * scheduler. */
#define MIN_STEP_NS 20000ull

struct relaxed_vcpu {
	struct fq_vcpu fq;
	uint64_t prog; /* progress: run time charged */
};

struct relaxed_vm {
	struct fq_vm fq;
	uint32_t costopped; /* how many of its vCPUs are co-stopped */
};

static struct sched_fq Q;
static uint64_t skew, dyield;
static const struct sched_param relaxed_params[] = {
	{ "skew", SCHED_PARAM_TIME, 100000, 1000000000, 3000000, &skew, NULL,
	  "lead over the slowest runnable sibling that co-stops a vCPU" },
	FQ_PARAM_DYIELD(&dyield),
	{ 0 },
};

static struct relaxed_vcpu *rv(struct sched_vcpu *v) { return sched_vcpu_priv(v); }
static struct relaxed_vm *rm(struct sched_vm *vm) { return sched_vm_priv(vm); }

static uint64_t prog(struct sched_vcpu *v, uint64_t now)
{
	return rv(v)->prog + sched_vcpu_pending_ns(v, now);
}

/* The two slowest runnable vCPUs of a VM, leaving out `gone` (about to
 * block): the slowest sibling of v is `min1` unless v is it. */
struct slow {
	uint64_t min1, min2;
	struct sched_vcpu *v1;
};

static void scan(struct sched_vm *vm, struct sched_vcpu *gone, uint64_t now, struct slow *s)
{
	*s = (struct slow){ UINT64_MAX, UINT64_MAX, NULL };
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *u = vm->vcpus[i];
		if (u == gone || (u->state != SCHED_RUNNABLE && u->state != SCHED_RUNNING))
			continue;
		uint64_t p = prog(u, now);
		if (p < s->min1) {
			s->min2 = s->min1;
			s->min1 = p;
			s->v1 = u;
		} else if (p < s->min2) {
			s->min2 = p;
		}
	}
}

static uint64_t lead(const struct slow *s, struct sched_vcpu *v, uint64_t now)
{
	uint64_t other = v == s->v1 ? s->min2 : s->min1, p = prog(v, now);
	return other != UINT64_MAX && p > other ? p - other : 0;
}

static void costop(struct sched_vcpu *v, bool stop, uint64_t now)
{
	sched_vcpu_costop(v, stop, now);
	rm(v->vm)->costopped += stop ? 1 : (uint32_t)-1;
}

/* fq's veto: co-stop a vCPU that leads by the skew. */
static bool relaxed_hold(struct sched_fq *q, struct sched_vcpu *v, uint64_t now)
{
	struct slow s;

	scan(v->vm, NULL, now, &s);
	if (lead(&s, v, now) < skew)
		return false;
	costop(v, true, now);
	return true;
}

/* Co-start the co-stopped vCPUs of vm whose lead fell to half the skew
 * (or that have no runnable sibling left to wait for). */
static void costart(struct sched_vm *vm, struct sched_vcpu *gone, uint64_t now)
{
	struct slow s;

	if (!rm(vm)->costopped)
		return;
	scan(vm, gone, now, &s);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v != gone && v->costopped && lead(&s, v, now) <= skew / 2) {
			costop(v, false, now);
			fq_requeue(&Q, v);
		}
	}
}

static void relaxed_init(void)
{
	fq_init(&Q, offsetof(struct relaxed_vcpu, fq), offsetof(struct relaxed_vm, fq), 0);
	Q.dyield = &dyield;
	Q.hold = relaxed_hold;
}

FQ_POLICY_HOOKS(relaxed, &Q)

static void relaxed_wake(struct sched_vcpu *v, uint64_t now)
{
	struct slow s;

	scan(v->vm, v, now, &s);
	if (s.min1 != UINT64_MAX && rv(v)->prog < s.min1)
		rv(v)->prog = s.min1; /* it idled: that was progress too */
	fq_wake(&Q, v, now);
}

static void relaxed_sleep(struct sched_vcpu *v, uint64_t now)
{
	if (v->costopped) /* stopped while co-stopped: the framework clears the flag */
		rm(v->vm)->costopped--;
	fq_sleep(&Q, v);
	costart(v->vm, v, now); /* v no longer holds its siblings back */
}

static void relaxed_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	rv(v)->prog += ran;
	fq_charge(&Q, v, ran, now);
	costart(v->vm, NULL, now);
}

/* When must the scheduler look at v (running from now) again? Before its
 * lead reaches the skew while a sibling waits, and when a co-stopped
 * sibling could be co-started because v catches up. */
static uint64_t relaxed_deadline(struct sched_vcpu *v, uint64_t now, uint64_t deadline)
{
	struct slow s;

	scan(v->vm, NULL, now, &s);
	uint64_t l = lead(&s, v, now), p = prog(v, now), cap = UINT64_MAX;
	for (uint32_t i = 0; i < v->vm->nr_vcpus; i++) {
		struct sched_vcpu *u = v->vm->vcpus[i];
		if (u == v || u->state != SCHED_RUNNABLE)
			continue;
		if (u->costopped && prog(u, now) > p + skew / 2)
			cap = MIN(cap, prog(u, now) - skew / 2 - p); /* v's progress co-starts u */
		else if (!u->costopped)
			cap = MIN(cap, skew > l ? skew - l : 0);     /* u waits: v's lead grows */
	}
	if (cap == UINT64_MAX)
		return deadline;
	cap = now + MAX(cap, MIN_STEP_NS);
	return deadline ? MIN(deadline, cap) : cap;
}

static struct sched_vcpu *relaxed_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				       enum sched_why why, uint64_t now, uint64_t *deadline)
{
	struct sched_vcpu *next = fq_pick(&Q, p, prev, why, now, deadline);

	if (next)
		*deadline = relaxed_deadline(next, now, *deadline);
	if (prev && next != prev && !prev->costopped) {
		/* prev waits now: its running siblings must not lead it past
		 * the skew before their pCPUs look again. */
		uint64_t pp = prog(prev, now);
		for (uint32_t i = 0; i < prev->vm->nr_vcpus; i++) {
			struct sched_vcpu *u = prev->vm->vcpus[i];
			struct sched_pcpu *up = u->state == SCHED_RUNNING ? sched_pcpu(u->pcpu) : NULL;
			if (up && up != p && (!up->deadline || prog(u, now) + (up->deadline - now) > pp + skew))
				sched_env_kick(up->id);
		}
	}
	return next;
}

static const struct sched_ops sched_relaxed_ops = {
	.name = "relaxed", .params = relaxed_params, .init = relaxed_init, .vm_add = relaxed_fq_vm_add,
	.vm_remove = relaxed_fq_vm_remove, .wake = relaxed_wake, .sleep = relaxed_sleep,
	.charge = relaxed_charge, .pick = relaxed_pick, .hint = relaxed_fq_hint, .check = relaxed_fq_check,
};
SCHED_REGISTER(sched_relaxed_ops, struct relaxed_vcpu, struct relaxed_vm, struct fq_pcpu);
