/* "adaptive": adaptive co-scheduling after ASMan (Weng et al., HPDC 2011).
 *
 * Every VM starts in free mode, scheduled by the fair queue
 * (sched/sched_fq.h). Evidence of long lock waits moves it to co-scheduled
 * mode, where the round builder (sched/sched_gq.h) runs it as a gang:
 * - a PAUSE-loop exit (SCHED_HINT_SPIN) while a sibling waits for a pCPU
 *   (the lock holder may be the preempted one; a spin with every sibling
 *   running is ordinary contention, which co-scheduling would not cure);
 * - an LHV_SPIN long-spin report (SCHED_HINT_LONG_SPIN);
 * - a kick of a sibling halted in a PV spinlock's slow path (it waited
 *   through the whole spin threshold).
 * Evidence is counted per VM in windows of adaptive.window; adaptive.threshold
 * events within a window switch the VM to co-scheduling at once. It stays
 * co-scheduled for at least adaptive.hold, renewed by every window that still
 * sees half the threshold (hysteresis), and returns to free mode at a round
 * boundary once the hold ran out. Co-scheduling removes what it reacts to,
 * so a VM that needs it comes back after a free spell; the hold time sets
 * how rare those spells are. Mode changes are counted and timed by the
 * framework (sched_vm_mode).
 *
 * Both halves share the machine: co-scheduled gangs start at round
 * boundaries while their vtime does not lead the free side's (the round
 * builder's limit); pCPUs no gang holds, and pCPUs whose gang member is
 * blocked, run free-mode vCPUs. A VM that could never run as a gang (larger
 * than the machine, or affinities without a placement) stays free. */
#include "sched/sched_fq.h"
#include "sched/sched_gq.h"

struct ad_vcpu {
	struct fq_vcpu fq;
	struct gq_vcpu gq;
};

struct ad_vm {
	struct fq_vm fq;
	struct gq_vm gq;
	uint64_t win_start;  /* current evidence window */
	uint64_t hold_until; /* co-scheduled at least until */
	uint32_t count;      /* evidence in the current window */
	bool no_gang;        /* could never run as a gang (size, affinities) */
};

struct ad_pcpu {
	struct fq_pcpu fq;
	struct gq_pcpu gq;
};

static struct sched_fq F;
static struct sched_gq G;
static uint64_t threshold, window, hold, dyield;

static const struct sched_param adaptive_params[] = {
	{ "threshold", SCHED_PARAM_UINT, 1, 1000000, 20, &threshold, NULL,
	  "evidence events within a window that switch a VM to co-scheduling" },
	{ "window", SCHED_PARAM_TIME, 1000000, 10000000000ull, 100000000, &window, NULL,
	  "length of an evidence window" },
	{ "hold", SCHED_PARAM_TIME, 0, 100000000000ull, 1000000000, &hold, NULL,
	  "co-scheduled at least this long after the evidence (renewed by half the threshold)" },
	FQ_PARAM_DYIELD(&dyield),
	{ 0 },
};

static struct ad_vm *am(struct sched_vm *vm) { return sched_vm_priv(vm); }
static bool cosched(const struct sched_vm *vm) { return vm->mode == SCHED_MODE_COSCHED; }

static void adaptive_init(void)
{
	fq_init(&F, offsetof(struct ad_vcpu, fq), offsetof(struct ad_vm, fq), offsetof(struct ad_pcpu, fq));
	gq_init(&G, offsetof(struct ad_vcpu, gq), offsetof(struct ad_vm, gq), offsetof(struct ad_pcpu, gq));
	F.dyield = &dyield;
}

/* Close the windows that ended before `now`; one that still saw half the
 * threshold renews the hold. */
static void roll(struct sched_vm *vm, uint64_t now)
{
	struct ad_vm *m = am(vm);

	if (now < m->win_start + window)
		return;
	if (m->count >= MAX(threshold / 2, 1ull))
		m->hold_until = MAX(m->hold_until, m->win_start + window + hold);
	m->count = 0;
	m->win_start = now - (now - m->win_start) % window;
}

/* vm goes co-scheduled: its vCPUs leave the fair queue and its gang starts
 * in the free pCPUs if it fits now, else at the next round; running members
 * that got no reservation are sent off, so it never runs as a partial gang. */
static void to_cosched(struct sched_vm *vm, uint64_t now, struct sched_pcpu *self)
{
	uint64_t vtime = fq_vm_vtime(&F, vm);

	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		fq_sleep(&F, vm->vcpus[i]);
	sched_vm_set_mode(vm, SCHED_MODE_COSCHED, now);
	gq_vm_enter(&G, vm, vtime);
	G.limit = fq_min_vtime(&F, now);
	gq_fill(&G, now, self);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNING && gq_owner(&G, sched_pcpu(v->pcpu)) != v &&
		    sched_pcpu(v->pcpu) != self)
			sched_env_kick(v->pcpu);
	}
}

/* vm goes back to free mode: running members go on as free vCPUs with a
 * fresh slice, waiting ones join the fair queue at the gang's vtime. */
static void to_free(struct sched_vm *vm, uint64_t now)
{
	uint64_t vtime = gq_vm_leave(&G, vm);

	sched_vm_set_mode(vm, SCHED_MODE_FREE, now);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (fq_vcpu(&F, v)->node.key < vtime)
			fq_set_vtime(&F, v, vtime);
		if (v->state == SCHED_RUNNABLE)
			fq_requeue(&F, v);
		else if (v->state == SCHED_RUNNING)
			fq_pcpu(&F, sched_pcpu(v->pcpu))->slice_end = now + sched_vm_slice(vm);
	}
}

static void evidence(struct sched_vm *vm, uint64_t now, struct sched_pcpu *self)
{
	struct ad_vm *m = am(vm);

	roll(vm, now);
	if (++m->count < threshold || cosched(vm) || m->no_gang)
		return;
	m->hold_until = now + hold;
	to_cosched(vm, now, self);
}

/* Round boundary: VMs whose hold ran out go back to free mode, then the
 * round builder runs with the free side's vtime as its limit. */
static void round_boundary(uint64_t now, struct sched_pcpu *self)
{
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		if (!cosched(vm))
			continue;
		roll(vm, now);
		if (now >= am(vm)->hold_until)
			to_free(vm, now);
	}
	G.limit = fq_min_vtime(&F, now);
	gq_new_round(&G, now, self);
}

static int adaptive_vm_add(struct sched_vm *vm, const char **err)
{
	uint64_t now = sched_env_now();

	const char *why;

	am(vm)->no_gang = gq_vm_fits(&G, vm, &why) != 0; /* stays free */
	fq_vm_add(&F, vm, now);
	gq_vm_add(&G, vm);
	am(vm)->win_start = now;
	return 0;
}

static void adaptive_vm_remove(struct sched_vm *vm)
{
	if (cosched(vm))
		gq_vm_remove(&G, vm);
}

static void adaptive_wake(struct sched_vcpu *v, uint64_t now)
{
	if (cosched(v->vm))
		gq_wake(&G, v, now);
	else
		fq_wake(&F, v, now);
}

static void adaptive_sleep(struct sched_vcpu *v, uint64_t now)
{
	if (cosched(v->vm))
		gq_sleep(&G, v, now);
	else
		fq_sleep(&F, v);
}

static void adaptive_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	if (cosched(v->vm))
		gq_charge(&G, v, ran);
	else
		fq_charge(&F, v, ran, now);
}

static struct sched_vcpu *adaptive_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
					enum sched_why why, uint64_t now, uint64_t *deadline)
{
	if (gq_round_due(&G, now))
		round_boundary(now, p);
	struct sched_vcpu *owner = gq_owner(&G, p);
	if (prev && cosched(prev->vm)) {
		if (prev == owner) { /* a yield cannot give a gang's pCPU away */
			fq_pcpu_busy(&F, p);
			*deadline = G.round_end;
			return prev;
		}
		gq_leaving(&G, prev, p);
		prev = NULL; /* its gang is off or elsewhere: it waits for a round */
	}
	if (owner && (owner->state == SCHED_RUNNABLE || (owner->state == SCHED_RUNNING && owner != prev))) {
		/* The gang member reserved here takes the pCPU from a free vCPU
		 * (or, still leaving another pCPU, is waited for briefly). */
		if (prev)
			fq_requeue(&F, prev);
		fq_pcpu_busy(&F, p);
		if (owner->state == SCHED_RUNNING) {
			*deadline = now + SCHED_MIN_SLICE_NS;
			return NULL;
		}
		*deadline = G.round_end;
		return owner;
	}
	struct sched_vcpu *next = fq_pick(&F, p, prev, why, now, deadline);
	if (G.round_end && (!*deadline || G.round_end < *deadline))
		*deadline = G.round_end; /* someone must see the round boundary */
	return next;
}

static bool adaptive_hint(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg, uint64_t now)
{
	struct sched_vm *vm = v->vm;
	struct sched_vcpu *t = arg < vm->nr_vcpus ? vm->vcpus[arg] : NULL;
	if ((hint == SCHED_HINT_SPIN && arg && vm->nr_waiting) || hint == SCHED_HINT_LONG_SPIN ||
	    (hint == SCHED_HINT_KICK_VCPU && t && t->pv_halted))
		evidence(vm, now, NULL); /* kicks v's pCPU too if the gang goes elsewhere */
	return !cosched(vm) && fq_hint(&F, v, hint, arg);
}

static int adaptive_check(const char **err)
{
	return fq_check(&F, err) || gq_check(&G, err) ? -1 : 0;
}

static const struct sched_ops sched_adaptive_ops = {
	.name = "adaptive", .params = adaptive_params, .init = adaptive_init, .vm_add = adaptive_vm_add,
	.vm_remove = adaptive_vm_remove, .wake = adaptive_wake, .sleep = adaptive_sleep,
	.charge = adaptive_charge, .pick = adaptive_pick, .hint = adaptive_hint, .check = adaptive_check,
};
SCHED_REGISTER(sched_adaptive_ops, struct ad_vcpu, struct ad_vm, struct ad_pcpu);
