/* The fair queue (sched/sched_fq.h): weighted virtual time, affinity, caps,
 * idle pCPUs, directed yield. Serves the VMs in SCHED_MODE_FREE. */
#include "sched/sched_fq.h"

const char *const fq_off_on[] = { "off", "on", NULL };
const char *const fq_dyield_values[] = { "off", "on", "only", NULL };

struct fq_vcpu *fq_vcpu(const struct sched_fq *q, struct sched_vcpu *v)
{
	return (struct fq_vcpu *)(void *)(v->priv.bytes + q->vcpu_off);
}
struct fq_pcpu *fq_pcpu(const struct sched_fq *q, struct sched_pcpu *p)
{
	return (struct fq_pcpu *)(void *)(p->priv.bytes + q->pcpu_off);
}
static struct fq_vm *fm(const struct sched_fq *q, struct sched_vm *vm)
{
	return (struct fq_vm *)(void *)(vm->priv.bytes + q->vm_off);
}
#define fv fq_vcpu
#define fp fq_pcpu
static struct sched_vcpu *node_vcpu(const struct sched_fq *q, struct sched_heap_node *n)
{
	char *priv = (char *)n - offsetof(struct fq_vcpu, node) - q->vcpu_off;
	return container_of((union sched_priv_vcpu *)(void *)priv, struct sched_vcpu, priv);
}
/* The queue v waits in: its pCPU's own when pinned to one, else the global. */
static struct sched_heap *queue_of(struct sched_fq *q, struct sched_vcpu *v)
{
	return v->pin != SCHED_NO_PCPU ? &fp(q, sched_pcpu(v->pin))->local : &q->rq;
}

void fq_init(struct sched_fq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off)
{
	memset(q, 0, sizeof(*q));
	q->vcpu_off = vcpu_off;
	q->vm_off = vm_off;
	q->pcpu_off = pcpu_off;
	sched_heap_init(&q->rq);
	for (uint32_t i = 0; i < sched_nr_pcpus(); i++)
		sched_heap_init(&fp(q, sched_pcpu(i))->local);
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

void fq_pcpu_busy(struct sched_fq *q, struct sched_pcpu *p) { idle_remove(q, p); }

/* v became runnable: wake an idle pCPU it may run on, its last one first. */
static void kick_idle(struct sched_fq *q, struct sched_vcpu *v)
{
	struct sched_pcpu *p = q->idle;

	if (v->pin != SCHED_NO_PCPU) {
		p = fp(q, sched_pcpu(v->pin))->idle ? sched_pcpu(v->pin) : NULL;
	} else if (v->pcpu != SCHED_NO_PCPU && fp(q, sched_pcpu(v->pcpu))->idle &&
		   sched_vcpu_allowed(v, v->pcpu)) {
		p = sched_pcpu(v->pcpu);
	} else {
		while (p && !sched_vcpu_allowed(v, p->id))
			p = fp(q, p)->idle_next;
	}
	if (!p)
		return;
	idle_remove(q, p);
	sched_env_kick(p->id);
}

/* ---- caps ---- */

static uint64_t next_boundary(uint64_t now)
{
	return (now / SCHED_CAP_PERIOD_NS + 1) * SCHED_CAP_PERIOD_NS;
}

static void budget_init(struct fq_budget *b, uint32_t cap, uint64_t now)
{
	b->period = now / SCHED_CAP_PERIOD_NS;
	b->left = (int64_t)(SCHED_CAP_PERIOD_NS / 100 * cap);
}

/* Bring a budget up to the period containing `now`; false if exhausted. */
static bool budget_ok(struct fq_budget *b, uint32_t cap, uint64_t now)
{
	uint64_t per = now / SCHED_CAP_PERIOD_NS;

	if (!cap)
		return true;
	if (per > b->period) {
		int64_t quota = (int64_t)(SCHED_CAP_PERIOD_NS / 100 * cap);
		uint64_t n = per - b->period;
		b->left = n > 1000 ? quota : MIN(b->left + (int64_t)n * quota, quota);
		b->period = per;
	}
	return b->left > 0;
}

static bool has_budget(struct sched_fq *q, struct sched_vcpu *v, uint64_t now)
{
	bool vm_ok = budget_ok(&fm(q, v->vm)->cap, v->vm->cap, now);
	return budget_ok(&fv(q, v)->cap, v->cap, now) && vm_ok;
}

static void park(struct sched_fq *q, struct sched_vcpu *v)
{
	if (!q->parked)
		q->refill_at = next_boundary(v->state_since);
	fv(q, v)->parked = true;
	fv(q, v)->park_next = q->parked;
	q->parked = v;
}

/* O(parked vCPUs); only a stop or a VM removal takes a vCPU off early. */
static void unpark(struct sched_fq *q, struct sched_vcpu *v)
{
	struct sched_vcpu **pp = &q->parked;

	while (*pp != v)
		pp = &fv(q, *pp)->park_next;
	*pp = fv(q, v)->park_next;
	fv(q, v)->parked = false;
}

static void enqueue(struct sched_fq *q, struct sched_vcpu *v)
{
	struct fq_vcpu *f = fv(q, v);

	f->node.tie = (uint64_t)v->vm->id << 32 | v->index;
	f->queued = true;
	sched_heap_insert(queue_of(q, v), &f->node);
}

static void dequeue(struct sched_fq *q, struct sched_vcpu *v)
{
	sched_heap_remove(queue_of(q, v), &fv(q, v)->node);
	fv(q, v)->queued = false;
}

/* At a period boundary, return the parked vCPUs that have budget again. */
static void unpark_due(struct sched_fq *q, uint64_t now)
{
	struct sched_vcpu **pp = &q->parked;

	q->refill_at = next_boundary(now);
	while (*pp) {
		struct sched_vcpu *v = *pp;
		if (!has_budget(q, v, now)) {
			pp = &fv(q, v)->park_next;
			continue;
		}
		*pp = fv(q, v)->park_next;
		fv(q, v)->parked = false;
		enqueue(q, v);
		kick_idle(q, v);
	}
}

/* ---- hooks ---- */

void fq_vm_add(struct sched_fq *q, struct sched_vm *vm, uint64_t now)
{
	budget_init(&fm(q, vm)->cap, vm->cap, now);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		budget_init(&fv(q, vm->vcpus[i])->cap, vm->vcpus[i]->cap, now);
}

/* At most half a slice of credit behind the least vtime served: whatever
 * v did not use while it slept or yielded is not banked for later. */
static void limit_credit(struct sched_fq *q, struct sched_vcpu *v)
{
	struct sched_heap_node *n = &fv(q, v)->node;
	uint64_t lag = sched_vtime_delta(sched_vm_slice(v->vm) / 2, v->vm->nr_vcpus,
					 sched_vm_weight(v->vm));
	uint64_t vmin = v->pin != SCHED_NO_PCPU ? fp(q, sched_pcpu(v->pin))->vmin : q->vmin;

	if (vmin > lag && n->key < vmin - lag)
		n->key = vmin - lag;
}

void fq_wake(struct sched_fq *q, struct sched_vcpu *v, uint64_t now)
{
	limit_credit(q, v);
	enqueue(q, v);
	kick_idle(q, v);
}

void fq_requeue(struct sched_fq *q, struct sched_vcpu *v)
{
	enqueue(q, v);
	kick_idle(q, v);
}

void fq_sleep(struct sched_fq *q, struct sched_vcpu *v)
{
	if (fv(q, v)->queued)
		dequeue(q, v);
	else if (fv(q, v)->parked)
		unpark(q, v);
}

void fq_charge(struct sched_fq *q, struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	struct sched_vm *vm = v->vm;
	int64_t used = (int64_t)MIN(ran, 1ull << 40);

	fv(q, v)->node.key += sched_vtime_delta(ran, vm->nr_vcpus, sched_vm_weight(vm));
	if (vm->cap) {
		budget_ok(&fm(q, vm)->cap, vm->cap, now); /* refill first: debt is per period */
		fm(q, vm)->cap.left -= used;
	}
	if (v->cap) {
		budget_ok(&fv(q, v)->cap, v->cap, now);
		fv(q, v)->cap.left -= used;
	}
}

/* The queued vCPU p should run next: least vtime among p's own queue and
 * the global one (skipping vCPUs p may not run, which go back afterwards),
 * with budget (others are parked) and not held by the policy. */
static struct sched_vcpu *pop_eligible(struct sched_fq *q, struct sched_pcpu *p, uint64_t now)
{
	struct sched_heap *local = &fp(q, p)->local;
	struct sched_vcpu *skipped = NULL, *v = NULL;

	for (;;) {
		struct sched_heap_node *g, *l = sched_heap_min(local);
		while ((g = sched_heap_min(&q->rq)) && !sched_vcpu_allowed(node_vcpu(q, g), p->id)) {
			struct sched_vcpu *no = node_vcpu(q, g);
			dequeue(q, no);
			fv(q, no)->park_next = skipped;
			skipped = no;
		}
		struct sched_heap_node *n = !g ? l : !l ? g : sched_heap_less(l, g) ? l : g;
		if (!n)
			break;
		v = node_vcpu(q, n);
		dequeue(q, v);
		if (!has_budget(q, v, now))
			park(q, v);
		else if (!q->hold || !q->hold(q, v, now))
			break;
		v = NULL;
	}
	while (skipped) {
		struct sched_vcpu *s = skipped;
		skipped = fv(q, s)->park_next;
		enqueue(q, s);
	}
	return v;
}

static uint64_t slice_for(struct sched_fq *q, struct sched_vcpu *v)
{
	uint64_t slice = sched_vm_slice(v->vm);

	if (v->vm->cap)
		slice = MIN(slice, (uint64_t)MAX(fm(q, v->vm)->cap.left, (int64_t)SCHED_MIN_SLICE_NS / 2));
	if (v->cap)
		slice = MIN(slice, (uint64_t)MAX(fv(q, v)->cap.left, (int64_t)SCHED_MIN_SLICE_NS / 2));
	return slice;
}

static bool dyield_on(const struct sched_fq *q) { return q->dyield && *q->dyield; }

bool fq_hint(struct sched_fq *q, struct sched_vcpu *v, enum sched_hint hint, uint32_t arg)
{
	if (hint != SCHED_HINT_KICK_VCPU || !dyield_on(q) || arg >= v->vm->nr_vcpus)
		return false;
	/* The kick comes before its sched_wake: a halted target is about to
	 * wait in the queue. */
	struct sched_vcpu *t = v->vm->vcpus[arg];
	return fv(q, t)->queued || t->state == SCHED_BLOCKED;
}

bool fq_contended(struct sched_fq *q, struct sched_pcpu *p)
{
	return sched_heap_min(&q->rq) || sched_heap_min(&fp(q, p)->local);
}

struct dy_ctx {
	struct sched_fq *q;
	struct sched_pcpu *p;
	uint64_t now, limit;
};

/* A directed yield may only go to a vCPU whose vtime leads the least one
 * waiting by at most half a slice (as CFS takes its "next buddy" only within
 * the wake-up granularity), or spinning siblings could bounce the pCPU
 * between themselves and starve everyone else. */
static bool dy_ok(void *ctx, struct sched_vcpu *c)
{
	struct dy_ctx *d = ctx;
	return fv(d->q, c)->queued && fv(d->q, c)->node.key <= d->limit &&
	       sched_vcpu_allowed(c, d->p->id) && has_budget(d->q, c, d->now);
}

static uint64_t dy_limit(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *prev)
{
	struct sched_heap_node *g = sched_heap_min(&q->rq), *l = sched_heap_min(&fp(q, p)->local);
	struct sched_heap_node *min = !g ? l : !l ? g : sched_heap_less(l, g) ? l : g;

	if (!min)
		return UINT64_MAX;
	return min->key + sched_vtime_delta(sched_vm_slice(prev->vm) / 2, prev->vm->nr_vcpus,
					    sched_vm_weight(prev->vm));
}

static struct sched_vcpu *start(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *next,
				uint64_t now, uint64_t *deadline)
{
	if (next->pin == SCHED_NO_PCPU)
		q->vmin = MAX(q->vmin, fv(q, next)->node.key);
	fp(q, p)->vmin = MAX(fp(q, p)->vmin, fv(q, next)->node.key);
	fp(q, p)->slice_end = *deadline = now + slice_for(q, next);
	/* Work conservation: runnable vCPUs left while pCPUs idle (after a
	 * yield or a refill) get one more pCPU. */
	if (sched_heap_min(&q->rq))
		kick_idle(q, node_vcpu(q, sched_heap_min(&q->rq)));
	return next;
}

struct sched_vcpu *fq_pick(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   enum sched_why why, uint64_t now, uint64_t *deadline)
{
	struct fq_pcpu *f = fp(q, p);

	idle_remove(q, p);
	if (q->parked && now >= q->refill_at)
		unpark_due(q, now);
	if (prev && q->hold && q->hold(q, prev, now))
		prev = NULL;
	/* A kick before the slice ends (stop of another vCPU, spurious IPI)
	 * does not cut the slice: the queue never kicks busy pCPUs to preempt. */
	if (prev && why == SCHED_TICK && now < f->slice_end && has_budget(q, prev, now)) {
		*deadline = f->slice_end;
		return prev;
	}
	struct sched_vcpu *to = NULL;
	if (prev && why == SCHED_YIELD && prev->yield_reason && dyield_on(q)) {
		struct dy_ctx ctx = { q, p, now, dy_limit(q, p, prev) };
		if ((to = sched_yield_candidate(prev, dy_ok, &ctx))) {
			dequeue(q, to);
			prev->stats.directed_yields++;
		}
	}
	if (to) {
		enqueue(q, prev);
		return start(q, p, to, now, deadline);
	}
	/* dyield=only: a spin hint or a guest's yield without a sibling to
	 * help goes on spinning rather than handing its slice to another VM
	 * (the lock holder is running; KVM re-enters the guest likewise). */
	if (prev && why == SCHED_YIELD && prev->yield_reason && dyield_on(q) &&
	    *q->dyield == FQ_DYIELD_ONLY && now < f->slice_end && has_budget(q, prev, now)) {
		*deadline = f->slice_end;
		return prev;
	}
	/* A yield lets the others go first this once: prev competes only if
	 * nobody else may run here. Yielding costs it no share (a spinning VM
	 * yields often), but, as for a wake-up, no more than half a slice of
	 * credit survives: a vCPU that yields at every PAUSE-loop exit must not
	 * bank the time the others ran and then hold the pCPU for as long. */
	if (prev && why != SCHED_YIELD)
		enqueue(q, prev);
	struct sched_vcpu *next = pop_eligible(q, p, now);
	if (prev && why == SCHED_YIELD) {
		limit_credit(q, prev);
		enqueue(q, prev);
		if (!next)
			next = pop_eligible(q, p, now);
	}
	if (!next) {
		idle_add(q, p);
		f->slice_end = 0;
		*deadline = q->parked ? q->refill_at : 0;
		return NULL;
	}
	return start(q, p, next, now, deadline);
}

uint64_t fq_min_vtime(struct sched_fq *q, uint64_t now)
{
	uint64_t min = sched_heap_min(&q->rq) ? sched_heap_min(&q->rq)->key : UINT64_MAX;

	for (uint32_t i = 0; i < sched_nr_pcpus(); i++) {
		struct sched_pcpu *p = sched_pcpu(i);
		struct sched_heap_node *l = sched_heap_min(&fp(q, p)->local);
		struct sched_vcpu *c = p->curr;
		if (l)
			min = MIN(min, l->key);
		if (c && c->vm->mode == SCHED_MODE_FREE)
			min = MIN(min, fv(q, c)->node.key + sched_vtime_delta(sched_vcpu_pending_ns(c, now),
									      c->vm->nr_vcpus,
									      sched_vm_weight(c->vm)));
	}
	return min;
}

uint64_t fq_vm_vtime(struct sched_fq *q, struct sched_vm *vm)
{
	uint64_t min = UINT64_MAX;

	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		min = MIN(min, fv(q, vm->vcpus[i])->node.key);
	return min;
}

int fq_check(const struct sched_fq *q, const char **err)
{
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		if (vm->mode != SCHED_MODE_FREE)
			continue;
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			struct sched_vcpu *v = vm->vcpus[i];
			bool waiting = fv(q, v)->queued || fv(q, v)->parked;
			if (waiting != (v->state == SCHED_RUNNABLE && !v->costopped)) {
				*err = "fq: a free-mode vCPU is queued iff it is RUNNABLE and not co-stopped";
				return -1;
			}
		}
	}
	return 0;
}
