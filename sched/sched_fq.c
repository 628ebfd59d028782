/* The fair queue (sched/sched_fq.h): weighted virtual time, caps, idle
 * pCPUs. Serves the VMs in SCHED_MODE_FREE. */
#include "sched/sched_fq.h"

struct fq_vcpu *fq_vcpu(const struct sched_fq *q, struct sched_vcpu *v)
{
	return (struct fq_vcpu *)(void *)(v->priv.bytes + q->vcpu_off);
}
static struct fq_vm *fm(const struct sched_fq *q, struct sched_vm *vm)
{
	return (struct fq_vm *)(void *)(vm->priv.bytes + q->vm_off);
}
static struct fq_pcpu *fp(const struct sched_fq *q, struct sched_pcpu *p)
{
	return (struct fq_pcpu *)(void *)(p->priv.bytes + q->pcpu_off);
}
static struct sched_vcpu *node_vcpu(const struct sched_fq *q, struct sched_heap_node *n)
{
	char *priv = (char *)n - offsetof(struct fq_vcpu, node) - q->vcpu_off;
	return container_of((union sched_priv_vcpu *)(void *)priv, struct sched_vcpu, priv);
}

void fq_init(struct sched_fq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off)
{
	memset(q, 0, sizeof(*q));
	q->vcpu_off = vcpu_off;
	q->vm_off = vm_off;
	q->pcpu_off = pcpu_off;
	sched_heap_init(&q->rq);
}

/* ---- idle pCPUs: a list, so kicks are deterministic ---- */

static void idle_remove(struct sched_fq *q, struct sched_pcpu *p)
{
	struct fq_pcpu *f = fp(q, p);

	if (!f->idle)
		return;
	if (f->idle_prev)
		fp(q, f->idle_prev)->idle_next = f->idle_next;
	else
		q->idle = f->idle_next;
	if (f->idle_next)
		fp(q, f->idle_next)->idle_prev = f->idle_prev;
	f->idle = false;
	f->idle_prev = f->idle_next = NULL;
}

/* Push at the head: the most recently idled pCPU is kicked first (O(1)). */
static void idle_add(struct sched_fq *q, struct sched_pcpu *p)
{
	struct fq_pcpu *f = fp(q, p);

	if (f->idle)
		return;
	f->idle = true;
	f->idle_prev = NULL;
	f->idle_next = q->idle;
	if (q->idle)
		fp(q, q->idle)->idle_prev = p;
	q->idle = p;
}

/* Someone became runnable: wake an idle pCPU, preferably v's last one. */
static void kick_idle(struct sched_fq *q, struct sched_vcpu *v)
{
	struct sched_pcpu *p = q->idle;

	if (!p)
		return;
	if (v && v->pcpu != SCHED_NO_PCPU && fp(q, sched_pcpu(v->pcpu))->idle)
		p = sched_pcpu(v->pcpu);
	idle_remove(q, p);
	sched_env_kick(p->id);
}

/* ---- caps ---- */

static uint64_t cap_quota(const struct sched_vm *vm)
{
	return SCHED_CAP_PERIOD_NS / 100 * vm->cap;
}

/* Bring a capped VM's budget up to the period containing `now`. */
static void cap_refill(struct sched_fq *q, struct sched_vm *vm, uint64_t now)
{
	struct fq_vm *m = fm(q, vm);
	uint64_t per = now / SCHED_CAP_PERIOD_NS;

	if (!vm->cap || per <= m->period)
		return;
	int64_t quota = (int64_t)cap_quota(vm);
	uint64_t n = per - m->period;
	m->budget = n > 1000 ? quota : MIN(m->budget + (int64_t)n * quota, quota);
	m->period = per;
}

static bool cap_exhausted(struct sched_fq *q, struct sched_vm *vm, uint64_t now)
{
	cap_refill(q, vm, now);
	return vm->cap && fm(q, vm)->budget <= 0;
}

static uint64_t next_boundary(uint64_t now)
{
	return (now / SCHED_CAP_PERIOD_NS + 1) * SCHED_CAP_PERIOD_NS;
}

static void park(struct sched_fq *q, struct sched_vcpu *v)
{
	struct fq_vm *m = fm(q, v->vm);

	fq_vcpu(q, v)->parked = true;
	fq_vcpu(q, v)->park_next = m->parked;
	m->parked = v;
	if (!m->on_parked_list) {
		if (!q->parked_vms)
			q->refill_at = next_boundary(v->state_since);
		m->on_parked_list = true;
		m->parked_next = q->parked_vms;
		q->parked_vms = v->vm;
	}
}

static void unpark(struct sched_fq *q, struct sched_vcpu *v)
{
	struct sched_vcpu **pp = &fm(q, v->vm)->parked;

	while (*pp != v)
		pp = &fq_vcpu(q, *pp)->park_next;
	*pp = fq_vcpu(q, v)->park_next;
	fq_vcpu(q, v)->parked = false;
}

static void enqueue(struct sched_fq *q, struct sched_vcpu *v)
{
	struct fq_vcpu *f = fq_vcpu(q, v);

	f->node.tie = (uint64_t)v->vm->id << 32 | v->index;
	f->queued = true;
	sched_heap_insert(&q->rq, &f->node);
}

/* At a period boundary, return the parked vCPUs of VMs with budget again. */
static void unpark_due(struct sched_fq *q, uint64_t now)
{
	struct sched_vm **pp = &q->parked_vms;

	q->refill_at = next_boundary(now);
	while (*pp) {
		struct sched_vm *vm = *pp;
		struct fq_vm *m = fm(q, vm);
		if (cap_exhausted(q, vm, now)) {
			pp = &m->parked_next;
			continue;
		}
		*pp = m->parked_next;
		m->on_parked_list = false;
		while (m->parked) {
			struct sched_vcpu *v = m->parked;
			m->parked = fq_vcpu(q, v)->park_next;
			fq_vcpu(q, v)->parked = false;
			enqueue(q, v);
			kick_idle(q, v);
		}
	}
}

/* ---- hooks ---- */

void fq_vm_add(struct sched_fq *q, struct sched_vm *vm, uint64_t now)
{
	fm(q, vm)->period = now / SCHED_CAP_PERIOD_NS;
	fm(q, vm)->budget = (int64_t)cap_quota(vm);
}

void fq_vm_remove(struct sched_fq *q, struct sched_vm *vm)
{
	struct fq_vm *m = fm(q, vm);

	if (!m->on_parked_list)
		return;
	for (struct sched_vm **pp = &q->parked_vms; *pp; pp = &fm(q, *pp)->parked_next) {
		if (*pp == vm) {
			*pp = m->parked_next;
			break;
		}
	}
	m->on_parked_list = false;
}

void fq_wake(struct sched_fq *q, struct sched_vcpu *v, uint64_t now)
{
	struct sched_heap_node *n = &fq_vcpu(q, v)->node;
	uint64_t lag = sched_vtime_delta(sched_vm_slice(v->vm) / 2, v->vm->nr_vcpus,
					 sched_vm_weight(v->vm));

	if (q->vmin > lag && n->key < q->vmin - lag)
		n->key = q->vmin - lag;
	enqueue(q, v);
	kick_idle(q, v);
}

void fq_sleep(struct sched_fq *q, struct sched_vcpu *v)
{
	struct fq_vcpu *f = fq_vcpu(q, v);

	if (f->queued) {
		sched_heap_remove(&q->rq, &f->node);
		f->queued = false;
	} else if (f->parked) {
		unpark(q, v);
	}
}

void fq_charge(struct sched_fq *q, struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	struct sched_vm *vm = v->vm;

	fq_vcpu(q, v)->node.key += sched_vtime_delta(ran, vm->nr_vcpus, sched_vm_weight(vm));
	if (vm->cap) {
		cap_refill(q, vm, now);
		fm(q, vm)->budget -= (int64_t)MIN(ran, 1ull << 40);
	}
}

/* Least-vtime vCPU with budget; vCPUs of VMs out of budget are parked. */
static struct sched_vcpu *pop_eligible(struct sched_fq *q, uint64_t now)
{
	struct sched_heap_node *n;

	while ((n = sched_heap_pop(&q->rq))) {
		struct sched_vcpu *v = node_vcpu(q, n);
		fq_vcpu(q, v)->queued = false;
		if (!cap_exhausted(q, v->vm, now))
			return v;
		park(q, v);
	}
	return NULL;
}

static uint64_t slice_for(struct sched_fq *q, struct sched_vcpu *v)
{
	uint64_t slice = sched_vm_slice(v->vm);

	if (v->vm->cap) {
		uint64_t left = (uint64_t)MAX(fm(q, v->vm)->budget, 0);
		slice = MIN(slice, MAX(left, SCHED_MIN_SLICE_NS / 2));
	}
	return slice;
}

struct sched_vcpu *fq_pick(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   enum sched_why why, uint64_t now, uint64_t *deadline)
{
	struct fq_pcpu *f = fp(q, p);

	idle_remove(q, p);
	if (q->parked_vms && now >= q->refill_at)
		unpark_due(q, now);
	/* A kick before the slice ends (stop of another vCPU, spurious IPI)
	 * does not cut the slice: free never kicks busy pCPUs to preempt. */
	if (prev && why == SCHED_TICK && now < f->slice_end && !cap_exhausted(q, prev->vm, now)) {
		*deadline = f->slice_end;
		return prev;
	}
	if (prev) {
		struct sched_heap_node *min = sched_heap_min(&q->rq);
		if (why == SCHED_YIELD && min && fq_vcpu(q, prev)->node.key <= min->key)
			fq_vcpu(q, prev)->node.key = min->key + 1; /* let the others go first */
		enqueue(q, prev);
	}
	struct sched_vcpu *next = pop_eligible(q, now);
	if (!next) {
		idle_add(q, p);
		f->slice_end = 0;
		*deadline = q->parked_vms ? q->refill_at : 0;
		return NULL;
	}
	q->vmin = MAX(q->vmin, fq_vcpu(q, next)->node.key);
	f->slice_end = *deadline = now + slice_for(q, next);
	/* Work conservation: runnable vCPUs left while pCPUs idle (after a
	 * yield or a refill) get one more pCPU. */
	if (sched_heap_min(&q->rq))
		kick_idle(q, node_vcpu(q, sched_heap_min(&q->rq)));
	return next;
}

int fq_check(const struct sched_fq *q, const char **err)
{
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		if (vm->mode != SCHED_MODE_FREE)
			continue;
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			struct sched_vcpu *v = vm->vcpus[i];
			bool waiting = fq_vcpu(q, v)->queued || fq_vcpu(q, v)->parked;
			if (waiting != (v->state == SCHED_RUNNABLE)) {
				*err = "fq: a free-mode vCPU is queued iff it is RUNNABLE";
				return -1;
			}
		}
	}
	return 0;
}
