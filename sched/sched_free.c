/* "free": proportional share by weight, work-conserving, vCPUs migrate freely.
 *
 * One global run queue (pairing heap) ordered by weighted virtual time: a
 * vCPU's vtime advances by run time * 256 * n / weight (n = vCPUs of its VM),
 * so busy VMs get CPU in proportion to their weights. Any pCPU picks the
 * vCPU with the least vtime at its scheduling point; at slice end the
 * outgoing vCPU competes again with its new vtime. A vCPU that wakes is placed
 * no further than half a slice behind the smallest vtime dispatched so far,
 * so sleeping builds no unbounded credit, and an idle pCPU is kicked for it.
 *
 * Caps: a capped VM gets cap% * 100 ms of budget per 100 ms period (aligned
 * to multiples of the period); slices are cut to the remaining budget, an
 * overrun is carried as debt into the next period, and vCPUs of a VM out of
 * budget are parked until the period boundary. Idle pCPUs arm their timer
 * at the next boundary while anything is parked. */
#include "sched/sched_heap.h"
#include "sched/sched_ops.h"

struct free_vcpu {
	struct sched_heap_node node; /* key = vtime */
	struct sched_vcpu *park_next;
	bool queued, parked;
};

struct free_vm {
	int64_t budget;               /* ns left in this period (capped VMs) */
	uint64_t period;              /* index of the period budget refers to */
	struct sched_vcpu *parked;    /* parked vCPUs */
	struct sched_vm *parked_next; /* list of VMs with parked vCPUs */
	bool on_parked_list;
};

struct free_pcpu {
	struct sched_pcpu *idle_prev, *idle_next;
	bool idle;
};

_Static_assert(sizeof(struct free_vcpu) <= sizeof(union sched_priv64), "free_vcpu");
_Static_assert(sizeof(struct free_vm) <= sizeof(union sched_priv64), "free_vm");
_Static_assert(sizeof(struct free_pcpu) <= sizeof(union sched_priv32), "free_pcpu");

static struct {
	struct sched_heap rq;
	uint64_t vmin;               /* largest vtime dispatched so far */
	struct sched_pcpu *idle;     /* idle pCPUs not yet kicked, by id */
	struct sched_vm *parked_vms;
	uint64_t refill_at;          /* next period boundary to look at parked VMs */
} F;

static struct free_vcpu *fv(struct sched_vcpu *v) { return (struct free_vcpu *)(void *)v->priv.bytes; }
static struct free_vm *fm(struct sched_vm *vm) { return (struct free_vm *)(void *)vm->priv.bytes; }
static struct free_pcpu *fp(struct sched_pcpu *p) { return (struct free_pcpu *)(void *)p->priv.bytes; }
static struct sched_vcpu *node_vcpu(struct sched_heap_node *n)
{
	return container_of((union sched_priv64 *)(void *)n, struct sched_vcpu, priv);
}

static void free_init(void)
{
	memset(&F, 0, sizeof(F));
	sched_heap_init(&F.rq);
}

/* ---- idle pCPUs: a list ordered by id, so kicks are deterministic ---- */

static void idle_remove(struct sched_pcpu *p)
{
	struct free_pcpu *f = fp(p);

	if (!f->idle)
		return;
	if (f->idle_prev)
		fp(f->idle_prev)->idle_next = f->idle_next;
	else
		F.idle = f->idle_next;
	if (f->idle_next)
		fp(f->idle_next)->idle_prev = f->idle_prev;
	f->idle = false;
	f->idle_prev = f->idle_next = NULL;
}

/* Push at the head: the most recently idled pCPU is kicked first (O(1)). */
static void idle_add(struct sched_pcpu *p)
{
	struct free_pcpu *f = fp(p);

	if (f->idle)
		return;
	f->idle = true;
	f->idle_prev = NULL;
	f->idle_next = F.idle;
	if (F.idle)
		fp(F.idle)->idle_prev = p;
	F.idle = p;
}

/* Someone became runnable: wake an idle pCPU, preferably v's last one. */
static void kick_idle(struct sched_vcpu *v)
{
	struct sched_pcpu *p = F.idle;

	if (!p)
		return;
	if (v && v->pcpu != SCHED_NO_PCPU && fp(sched_pcpu(v->pcpu))->idle)
		p = sched_pcpu(v->pcpu);
	idle_remove(p);
	sched_env_kick(p->id);
}

/* ---- caps ---- */

static uint64_t cap_quota(const struct sched_vm *vm)
{
	return SCHED_CAP_PERIOD_NS / 100 * vm->cap;
}

/* Bring a capped VM's budget up to the period containing `now`. */
static void cap_refill(struct sched_vm *vm, uint64_t now)
{
	struct free_vm *m = fm(vm);
	uint64_t per = now / SCHED_CAP_PERIOD_NS;

	if (!vm->cap || per <= m->period)
		return;
	int64_t quota = (int64_t)cap_quota(vm);
	uint64_t n = per - m->period;
	m->budget = n > 1000 ? quota : MIN(m->budget + (int64_t)n * quota, quota);
	m->period = per;
}

static bool cap_exhausted(struct sched_vm *vm, uint64_t now)
{
	cap_refill(vm, now);
	return vm->cap && fm(vm)->budget <= 0;
}

static uint64_t next_boundary(uint64_t now)
{
	return (now / SCHED_CAP_PERIOD_NS + 1) * SCHED_CAP_PERIOD_NS;
}

static void park(struct sched_vcpu *v)
{
	struct free_vm *m = fm(v->vm);

	fv(v)->parked = true;
	fv(v)->park_next = m->parked;
	m->parked = v;
	if (!m->on_parked_list) {
		if (!F.parked_vms)
			F.refill_at = next_boundary(v->state_since);
		m->on_parked_list = true;
		m->parked_next = F.parked_vms;
		F.parked_vms = v->vm;
	}
}

static void unpark(struct sched_vcpu *v)
{
	struct sched_vcpu **pp = &fm(v->vm)->parked;

	while (*pp != v)
		pp = &fv(*pp)->park_next;
	*pp = fv(v)->park_next;
	fv(v)->parked = false;
}

static void enqueue(struct sched_vcpu *v)
{
	fv(v)->node.tie = (uint64_t)v->vm->id << 32 | v->index;
	fv(v)->queued = true;
	sched_heap_insert(&F.rq, &fv(v)->node);
}

/* At a period boundary, return the parked vCPUs of VMs with budget again. */
static void unpark_due(uint64_t now)
{
	struct sched_vm **pp = &F.parked_vms;

	F.refill_at = next_boundary(now);
	while (*pp) {
		struct sched_vm *vm = *pp;
		struct free_vm *m = fm(vm);
		if (cap_exhausted(vm, now)) {
			pp = &m->parked_next;
			continue;
		}
		*pp = m->parked_next;
		m->on_parked_list = false;
		while (m->parked) {
			struct sched_vcpu *v = m->parked;
			m->parked = fv(v)->park_next;
			fv(v)->parked = false;
			enqueue(v);
			kick_idle(v);
		}
	}
}

/* ---- hooks ---- */

static int free_vm_add(struct sched_vm *vm, const char **err)
{
	uint64_t now = sched_env_now();

	fm(vm)->period = now / SCHED_CAP_PERIOD_NS;
	fm(vm)->budget = (int64_t)cap_quota(vm);
	return 0;
}

static void free_vm_remove(struct sched_vm *vm)
{
	struct free_vm *m = fm(vm);

	if (!m->on_parked_list)
		return;
	for (struct sched_vm **pp = &F.parked_vms; *pp; pp = &fm(*pp)->parked_next) {
		if (*pp == vm) {
			*pp = m->parked_next;
			break;
		}
	}
	m->on_parked_list = false;
}

static void free_wake(struct sched_vcpu *v, uint64_t now)
{
	struct sched_heap_node *n = &fv(v)->node;
	uint64_t lag = sched_vtime_delta(sched_vm_slice(v->vm) / 2, v->vm->nr_vcpus,
					 sched_vm_weight(v->vm));

	if (F.vmin > lag && n->key < F.vmin - lag)
		n->key = F.vmin - lag;
	enqueue(v);
	kick_idle(v);
}

static void free_sleep(struct sched_vcpu *v, uint64_t now)
{
	if (fv(v)->queued) {
		sched_heap_remove(&F.rq, &fv(v)->node);
		fv(v)->queued = false;
	} else if (fv(v)->parked) {
		unpark(v);
	}
}

static void free_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	struct sched_vm *vm = v->vm;

	fv(v)->node.key += sched_vtime_delta(ran, vm->nr_vcpus, sched_vm_weight(vm));
	if (vm->cap) {
		cap_refill(vm, now);
		fm(vm)->budget -= (int64_t)MIN(ran, 1ull << 40);
	}
}

/* Least-vtime vCPU with budget; vCPUs of VMs out of budget are parked. */
static struct sched_vcpu *pop_eligible(uint64_t now)
{
	struct sched_heap_node *n;

	while ((n = sched_heap_pop(&F.rq))) {
		struct sched_vcpu *v = node_vcpu(n);
		fv(v)->queued = false;
		if (!cap_exhausted(v->vm, now))
			return v;
		park(v);
	}
	return NULL;
}

static uint64_t slice_for(struct sched_vcpu *v)
{
	uint64_t slice = sched_vm_slice(v->vm);

	if (v->vm->cap) {
		uint64_t left = (uint64_t)MAX(fm(v->vm)->budget, 0);
		slice = MIN(slice, MAX(left, SCHED_MIN_SLICE_NS / 2));
	}
	return slice;
}

static struct sched_vcpu *free_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				    enum sched_why why, uint64_t now, uint64_t *deadline)
{
	idle_remove(p);
	if (F.parked_vms && now >= F.refill_at)
		unpark_due(now);
	/* A kick before the slice ends (stop of another vCPU, spurious IPI)
	 * does not cut the slice: free never kicks busy pCPUs to preempt. */
	if (prev && why == SCHED_TICK && now < p->deadline && !cap_exhausted(prev->vm, now)) {
		*deadline = p->deadline;
		return prev;
	}
	if (prev) {
		struct sched_heap_node *min = sched_heap_min(&F.rq);
		if (why == SCHED_YIELD && min && fv(prev)->node.key <= min->key)
			fv(prev)->node.key = min->key + 1; /* let the others go first */
		enqueue(prev);
	}
	struct sched_vcpu *next = pop_eligible(now);
	if (!next) {
		idle_add(p);
		*deadline = F.parked_vms ? F.refill_at : 0;
		return NULL;
	}
	F.vmin = MAX(F.vmin, fv(next)->node.key);
	*deadline = now + slice_for(next);
	/* Work conservation: runnable vCPUs left while pCPUs idle (after a
	 * yield or a refill) get one more pCPU. */
	if (sched_heap_min(&F.rq))
		kick_idle(node_vcpu(sched_heap_min(&F.rq)));
	return next;
}

static int free_check(const char **err)
{
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			struct sched_vcpu *v = vm->vcpus[i];
			bool waiting = fv(v)->queued || fv(v)->parked;
			if (waiting != (v->state == SCHED_RUNNABLE)) {
				*err = "free: a vCPU is queued iff it is RUNNABLE";
				return -1;
			}
		}
	}
	return 0;
}

const struct sched_ops sched_free_ops = {
	.name = "free",
	.init = free_init,
	.vm_add = free_vm_add,
	.vm_remove = free_vm_remove,
	.wake = free_wake,
	.sleep = free_sleep,
	.charge = free_charge,
	.pick = free_pick,
	.check = free_check,
};
