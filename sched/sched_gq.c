/* Co-scheduling rounds (sched/sched_gq.h). Serves the VMs in
 * SCHED_MODE_COSCHED. */
#include "sched/sched_gq.h"
#include "core/fmt.h"

static struct gq_vcpu *gv(const struct sched_gq *q, struct sched_vcpu *v)
{
	return (struct gq_vcpu *)(void *)(v->priv.bytes + q->vcpu_off);
}
static struct gq_vm *gm(const struct sched_gq *q, struct sched_vm *vm)
{
	return (struct gq_vm *)(void *)(vm->priv.bytes + q->vm_off);
}
static struct gq_pcpu *gp(const struct sched_gq *q, struct sched_pcpu *p)
{
	return (struct gq_pcpu *)(void *)(p->priv.bytes + q->pcpu_off);
}

void gq_init(struct sched_gq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off)
{
	memset(q, 0, sizeof(*q));
	q->vcpu_off = vcpu_off;
	q->vm_off = vm_off;
	q->pcpu_off = pcpu_off;
	q->nr_free = sched_nr_pcpus();
}

/* ---- ordering: merge sort of a VM list by (vtime, id) ---- */

static bool vm_before(struct sched_gq *q, struct sched_vm *a, struct sched_vm *b)
{
	return gm(q, a)->key != gm(q, b)->key ? gm(q, a)->key < gm(q, b)->key : a->id < b->id;
}

static struct sched_vm *merge(struct sched_gq *q, struct sched_vm *a, struct sched_vm *b)
{
	struct sched_vm *head = NULL, **tail = &head;

	while (a && b) {
		struct sched_vm **take = vm_before(q, b, a) ? &b : &a;
		*tail = *take;
		tail = &gm(q, *take)->sort_next;
		*take = gm(q, *take)->sort_next;
	}
	*tail = a ? a : b;
	return head;
}

/* Bottom-up merge sort: O(n log n) and no recursion or allocation. */
static struct sched_vm *sort_vms(struct sched_gq *q, struct sched_vm *list)
{
	struct sched_vm *bins[64] = { 0 };

	while (list) {
		struct sched_vm *one = list;
		list = gm(q, list)->sort_next;
		gm(q, one)->sort_next = NULL;
		uint32_t i = 0;
		for (; i < 63 && bins[i]; i++) {
			one = merge(q, bins[i], one);
			bins[i] = NULL;
		}
		bins[i] = one;
	}
	struct sched_vm *out = NULL;
	for (uint32_t i = 0; i < 64; i++)
		if (bins[i])
			out = merge(q, bins[i], out);
	return out;
}

/* A running gang's members are charged only when their pCPUs pass through
 * the scheduler, which at a round boundary happens after the first pCPU has
 * already ranked the gangs: rank by vtime plus the run time not charged
 * yet, or a gang would keep the machine for extra rounds. */
static uint64_t rank_key(struct sched_gq *q, struct sched_vm *vm, uint64_t now)
{
	uint64_t pending = 0;

	for (uint32_t i = 0; gm(q, vm)->on && i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNING && now > v->state_since)
			pending += now - v->state_since;
	}
	return gm(q, vm)->vtime + sched_vtime_delta(pending, 1, sched_vm_weight(vm));
}

/* Waiting gangs (runnable, not on), sorted; long sleepers are pulled up to
 * one slice behind vmin so they cannot monopolise the machine on return. */
static struct sched_vm *waiting_gangs(struct sched_gq *q, bool include_on, uint64_t now)
{
	struct sched_vm *list = NULL;

	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		struct gq_vm *m = gm(q, vm);
		if (vm->mode != SCHED_MODE_COSCHED || !m->runnable || (m->on && !include_on))
			continue;
		uint64_t lag = sched_vtime_delta(sched_vm_slice(vm), 1, sched_vm_weight(vm));
		if (!m->on && q->vmin > lag && m->vtime < q->vmin - lag)
			m->vtime = q->vmin - lag;
		m->key = rank_key(q, vm, now);
		m->sort_next = list;
		list = vm;
	}
	return sort_vms(q, list);
}

/* ---- reservations ---- */

static void kick_if_other(struct sched_pcpu *p, struct sched_pcpu *self)
{
	if (p != self)
		sched_env_kick(p->id);
}

/* Give a gang's pCPUs back; `kick` makes its running members leave. */
static void release(struct sched_gq *q, struct sched_vm *vm, struct sched_pcpu *self, bool kick)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_pcpu *p = sched_pcpu(gv(q, vm->vcpus[i])->pcpu);
		gp(q, p)->owner = NULL;
		if (kick)
			kick_if_other(p, self);
	}
	gm(q, vm)->on = false;
	q->nr_free += vm->nr_vcpus;
}

/* Reserve the lowest free pCPUs at or after *cursor for vm's members
 * (nr_free >= nr_vcpus); the cursor keeps a whole round build O(pCPUs). */
static void place(struct sched_gq *q, struct sched_vm *vm, struct sched_pcpu *self, uint32_t *cursor)
{
	uint32_t p = *cursor;

	for (uint32_t i = 0; i < vm->nr_vcpus; i++, p++) {
		while (gp(q, sched_pcpu(p))->owner)
			p++;
		gp(q, sched_pcpu(p))->owner = vm->vcpus[i];
		gv(q, vm->vcpus[i])->pcpu = p;
		kick_if_other(sched_pcpu(p), self);
	}
	*cursor = p;
	gm(q, vm)->on = true;
	q->nr_free -= vm->nr_vcpus;
}

/* Start waiting gangs that fit whole into the free pCPUs. */
static void fill(struct sched_gq *q, uint64_t now, struct sched_pcpu *self)
{
	uint64_t slice = 0;
	uint32_t cursor = 0;

	for (struct sched_vm *vm = waiting_gangs(q, false, now); vm && q->nr_free; vm = gm(q, vm)->sort_next) {
		if (vm->nr_vcpus > q->nr_free)
			continue;
		place(q, vm, self, &cursor);
		slice = slice ? MIN(slice, sched_vm_slice(vm)) : sched_vm_slice(vm);
	}
	if (slice && !q->round_end)
		q->round_end = now + slice;
}

/* Round boundary: choose the gangs of the next round and move them in. */
static void new_round(struct sched_gq *q, uint64_t now, struct sched_pcpu *self)
{
	struct sched_vm *order = waiting_gangs(q, true, now);
	uint32_t left = sched_nr_pcpus(), cursor = 0;
	uint64_t slice = 0;

	if (order)
		q->vmin = MAX(q->vmin, gm(q, order)->key);
	for (struct sched_vm *vm = order; vm; vm = gm(q, vm)->sort_next) {
		gm(q, vm)->picked = vm->nr_vcpus <= left;
		if (gm(q, vm)->picked) {
			left -= vm->nr_vcpus;
			slice = slice ? MIN(slice, sched_vm_slice(vm)) : sched_vm_slice(vm);
		}
	}
	/* Gangs staying on keep their pCPUs; the others are sent off first. */
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next)
		if (vm->mode == SCHED_MODE_COSCHED && gm(q, vm)->on && !gm(q, vm)->picked)
			release(q, vm, self, true);
	for (struct sched_vm *vm = order; vm; vm = gm(q, vm)->sort_next) {
		if (gm(q, vm)->picked && !gm(q, vm)->on)
			place(q, vm, self, &cursor);
		gm(q, vm)->picked = false;
	}
	q->round_end = slice ? now + slice : 0;
}

/* ---- hooks ---- */

int gq_vm_fits(struct sched_gq *q, const struct sched_vm *vm, const char **err)
{
	if (vm->nr_vcpus <= sched_nr_pcpus())
		return 0;
	fmt_snprintf(q->err, sizeof(q->err),
		     "gang: VM has %u vCPUs but there are only %u pCPUs; a gang must fit on distinct pCPUs",
		     vm->nr_vcpus, sched_nr_pcpus());
	*err = q->err;
	return -1;
}

void gq_vm_add(struct sched_gq *q, struct sched_vm *vm)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		gv(q, vm->vcpus[i])->pcpu = SCHED_NO_PCPU;
	gm(q, vm)->vtime = q->vmin;
}

void gq_vm_remove(struct sched_gq *q, struct sched_vm *vm)
{
	if (gm(q, vm)->on)
		release(q, vm, NULL, false);
}

void gq_wake(struct sched_gq *q, struct sched_vcpu *v, uint64_t now)
{
	struct gq_vm *m = gm(q, v->vm);

	m->runnable++;
	if (m->on)
		sched_env_kick(gv(q, v)->pcpu); /* its reserved pCPU idles: take it */
	else if (v->vm->nr_vcpus <= q->nr_free)
		fill(q, now, NULL);
}

void gq_sleep(struct sched_gq *q, struct sched_vcpu *v, uint64_t now)
{
	struct gq_vm *m = gm(q, v->vm);

	m->runnable--;
	if (m->on && !m->runnable) {
		/* Whole gang blocked: lend its pCPUs to waiting gangs that fit. */
		struct sched_pcpu *self = v->state == SCHED_RUNNING ? sched_pcpu(v->pcpu) : NULL;
		release(q, v->vm, self, false);
		fill(q, now, self);
	}
}

void gq_charge(struct sched_gq *q, struct sched_vcpu *v, uint64_t ran)
{
	gm(q, v->vm)->vtime += sched_vtime_delta(ran, 1, sched_vm_weight(v->vm));
}

struct sched_vcpu *gq_pick(struct sched_gq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   uint64_t now, uint64_t *deadline)
{
	if (q->round_end && now >= q->round_end)
		new_round(q, now, p);
	struct sched_vcpu *o = gp(q, p)->owner;
	*deadline = 0;
	if (!o || o->state == SCHED_BLOCKED || o->state == SCHED_STOPPED)
		return NULL;
	if (o->state == SCHED_RUNNING && o != prev) {
		/* Still leaving another pCPU (cannot happen with the
		 * environment's kicks being handled in order): retry soon. */
		*deadline = now + SCHED_MIN_SLICE_NS;
		return NULL;
	}
	*deadline = q->round_end;
	return o; /* a yield cannot give the pCPU to another VM: strict gang */
}

static int check_vcpu(const struct sched_gq *q, struct sched_vcpu *v, const char **err)
{
	bool on = gm(q, v->vm)->on;

	if (on && gp(q, sched_pcpu(gv(q, v)->pcpu))->owner != v)
		*err = "gang: member's reserved pCPU is owned by someone else";
	else if (v->state == SCHED_RUNNING && (!on || gv(q, v)->pcpu != v->pcpu))
		*err = "gang: vCPU runs outside its gang's reservation";
	else if (v->state == SCHED_RUNNABLE && on)
		*err = "gang: partial gang (member runnable but not running while its gang is on)";
	else
		return 0;
	return -1;
}

int gq_check(const struct sched_gq *q, const char **err)
{
	uint32_t reserved = 0;

	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		if (vm->mode != SCHED_MODE_COSCHED)
			continue;
		uint32_t runnable = 0;
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			struct sched_vcpu *v = vm->vcpus[i];
			if (check_vcpu(q, v, err))
				return -1;
			runnable += v->state == SCHED_RUNNABLE || v->state == SCHED_RUNNING;
		}
		if (runnable != gm(q, vm)->runnable) {
			*err = "gang: runnable count out of step";
			return -1;
		}
		reserved += gm(q, vm)->on ? vm->nr_vcpus : 0;
	}
	if (reserved + q->nr_free != sched_nr_pcpus()) {
		*err = "gang: pCPU reservations out of step";
		return -1;
	}
	return 0;
}
