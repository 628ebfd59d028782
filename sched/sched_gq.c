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
	q->limit = UINT64_MAX;
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

/* Reserve pCPU p for member v (not yet kicked). */
static void reserve(struct sched_gq *q, struct sched_vcpu *v, uint32_t p)
{
	gp(q, sched_pcpu(p))->owner = v;
	gv(q, v)->pcpu = p;
}

/* Find a free pCPU for restricted member v (an affinity, not pinned) among
 * those it allows, moving restricted members placed before it along an
 * augmenting path (Kuhn's bipartite matching; members are marked visited, so
 * each search looks at every member's pCPUs once). Its current pCPU first,
 * so a running member keeps it when it can. Recursion depth: at most the
 * VM's restricted members. */
static bool match(struct sched_gq *q, struct sched_vcpu *v);

/* Reserve p for v if v may run there and p is free or its owner, a
 * restricted member of the same VM not yet visited, finds another. */
static bool take(struct sched_gq *q, struct sched_vcpu *v, uint32_t p)
{
	if (!sched_vcpu_allowed(v, p))
		return false;
	struct sched_vcpu *o = gp(q, sched_pcpu(p))->owner;
	if (o && (o->vm != v->vm || o->pin != SCHED_NO_PCPU || !o->affinity || gv(q, o)->visit == q->visit ||
		  !match(q, o)))
		return false;
	reserve(q, v, p);
	return true;
}

static bool match(struct sched_gq *q, struct sched_vcpu *v)
{
	gv(q, v)->visit = q->visit;
	if (v->state == SCHED_RUNNING && v->pcpu < sched_nr_pcpus() && take(q, v, v->pcpu))
		return true;
	for (uint32_t p = 0; p < sched_nr_pcpus(); p++)
		if (take(q, v, p))
			return true;
	return false;
}

/* Reserve one free pCPU per member of vm, kick them, and mark the gang on.
 * Members pinned to one pCPU need that one; members with a wider affinity
 * are matched to the free pCPUs they allow (match()); then members that
 * may run anywhere keep the free pCPU they run on (a VM that was just moved
 * to co-scheduling) or take the lowest free ones from *cursor (which keeps a
 * round build O(pCPUs)). Placing the constrained members first means a gang
 * is placed whenever any placement exists. false, with nothing reserved, if
 * none does. */
static bool place(struct sched_gq *q, struct sched_vm *vm, struct sched_pcpu *self, uint32_t *cursor)
{
	uint32_t i, n = vm->nr_vcpus, P = sched_nr_pcpus();

	if (n > q->nr_free)
		return false;
	for (i = 0; i < n; i++)
		gv(q, vm->vcpus[i])->pcpu = SCHED_NO_PCPU;
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->pin == SCHED_NO_PCPU)
			continue;
		if (gp(q, sched_pcpu(v->pin))->owner)
			goto fail;
		reserve(q, v, v->pin);
	}
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->pin != SCHED_NO_PCPU || !v->affinity)
			continue;
		q->visit++;
		if (!match(q, v))
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (gv(q, v)->pcpu == SCHED_NO_PCPU && v->state == SCHED_RUNNING && !gp(q, sched_pcpu(v->pcpu))->owner)
			reserve(q, v, v->pcpu);
	}
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (gv(q, v)->pcpu != SCHED_NO_PCPU)
			continue;
		uint32_t p = *cursor;
		while (p < P && gp(q, sched_pcpu(p))->owner)
			p++;
		if (p == P) /* the cursor passed pCPUs freed since: look again */
			for (p = 0; p < P && gp(q, sched_pcpu(p))->owner; p++)
				;
		if (p == P)
			goto fail;
		reserve(q, v, p);
		*cursor = p + 1;
	}
	/* Members still running elsewhere are sent off first, so that (with
	 * kicks handled in order) they are RUNNABLE when their new pCPUs look. */
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNING && v->pcpu != gv(q, v)->pcpu)
			kick_if_other(sched_pcpu(v->pcpu), self);
	}
	for (i = 0; i < n; i++)
		kick_if_other(sched_pcpu(gv(q, vm->vcpus[i])->pcpu), self);
	gm(q, vm)->on = true;
	q->nr_free -= n;
	return true;
fail:
	for (i = 0; i < n; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (gv(q, v)->pcpu != SCHED_NO_PCPU)
			gp(q, sched_pcpu(gv(q, v)->pcpu))->owner = NULL;
		gv(q, v)->pcpu = SCHED_NO_PCPU;
	}
	return false;
}

/* May this gang start now? Always, unless the policy set a limit: then its
 * vtime may lead the limit by at most one slice of its own. */
static bool eligible(const struct sched_gq *q, struct sched_vm *vm)
{
	uint64_t lead = sched_vtime_delta(sched_vm_slice(vm), 1, sched_vm_weight(vm));
	return q->limit == UINT64_MAX || gm(q, vm)->key <= q->limit + lead;
}

void gq_fill(struct sched_gq *q, uint64_t now, struct sched_pcpu *self)
{
	uint64_t slice = 0;
	uint32_t cursor = 0;
	struct sched_vm *waiting = waiting_gangs(q, false, now);

	for (struct sched_vm *vm = waiting; vm && q->nr_free; vm = gm(q, vm)->sort_next) {
		if (!eligible(q, vm) || !place(q, vm, self, &cursor))
			continue;
		slice = slice ? MIN(slice, sched_vm_slice(vm)) : sched_vm_slice(vm);
	}
	/* Without a round in progress, gangs left waiting need one to be
	 * looked at again. */
	if (!slice && waiting)
		slice = sched_vm_slice(waiting);
	if (slice && !q->round_end)
		q->round_end = now + slice;
}

void gq_new_round(struct sched_gq *q, uint64_t now, struct sched_pcpu *self)
{
	struct sched_vm *order = waiting_gangs(q, true, now);
	uint32_t left = sched_nr_pcpus(), cursor = 0;
	uint64_t slice = 0;
	bool missed = false;

	if (order)
		q->vmin = MAX(q->vmin, gm(q, order)->key);
	for (struct sched_vm *vm = order; vm; vm = gm(q, vm)->sort_next) {
		gm(q, vm)->picked = vm->nr_vcpus <= left && eligible(q, vm);
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
		if (gm(q, vm)->picked && !gm(q, vm)->on && !place(q, vm, self, &cursor))
			missed = true; /* its affinity did not fit the pCPUs left */
		gm(q, vm)->picked = false;
	}
	/* Gangs left waiting (not eligible yet, or their affinity did not fit)
	 * are looked at again after a round of their own length. */
	if (!slice && order)
		slice = sched_vm_slice(order);
	q->round_end = slice ? now + slice : 0;
	if (missed && q->nr_free)
		gq_fill(q, now, self);
}

bool gq_round_due(const struct sched_gq *q, uint64_t now)
{
	return q->round_end && now >= q->round_end;
}

struct sched_vcpu *gq_owner(const struct sched_gq *q, struct sched_pcpu *p) { return gp(q, p)->owner; }

void gq_vm_enter(struct sched_gq *q, struct sched_vm *vm, uint64_t vtime)
{
	struct gq_vm *m = gm(q, vm);

	m->runnable = 0;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		m->runnable += v->state == SCHED_RUNNABLE || v->state == SCHED_RUNNING;
		gv(q, v)->pcpu = SCHED_NO_PCPU;
	}
	m->vtime = vtime;
	m->on = false;
}

uint64_t gq_vm_leave(struct sched_gq *q, struct sched_vm *vm)
{
	if (gm(q, vm)->on)
		release(q, vm, NULL, false);
	return gm(q, vm)->vtime;
}

/* ---- hooks ---- */

/* gq_vm_fits' matching of the VM's restricted members to all pCPUs, in the
 * members' own gq_vcpu (the VM is not added yet): as match(), but the
 * holder of a pCPU is looked up among the members. */
static bool fit_member(struct sched_gq *q, const struct sched_vm *vm, struct sched_vcpu *v)
{
	gv(q, v)->visit = q->visit;
	for (uint32_t p = 0; p < sched_nr_pcpus(); p++) {
		if (!sched_vcpu_allowed(v, p))
			continue;
		struct sched_vcpu *o = NULL;
		for (uint32_t i = 0; i < vm->nr_vcpus && !o; i++)
			if (gv(q, vm->vcpus[i])->pcpu == p)
				o = vm->vcpus[i];
		if (o && (gv(q, o)->visit == q->visit || !fit_member(q, vm, o)))
			continue;
		gv(q, v)->pcpu = p;
		return true;
	}
	return false;
}

int gq_vm_fits(struct sched_gq *q, const struct sched_vm *vm, const char **err)
{
	*err = q->err;
	if (vm->nr_vcpus > sched_nr_pcpus()) {
		fmt_snprintf(q->err, sizeof(q->err),
			     "%s: VM has %u vCPUs but there are only %u pCPUs; a gang must fit on distinct pCPUs",
			     sched_active_name(), vm->nr_vcpus, sched_nr_pcpus());
		return -1;
	}
	/* Members pinned to one pCPU must not share it: the gang could never
	 * run whole. */
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		for (uint32_t k = 0; k < i; k++) {
			uint32_t a = vm->vcpus[i]->pin, b = vm->vcpus[k]->pin;
			if (a != SCHED_NO_PCPU && a == b) {
				fmt_snprintf(q->err, sizeof(q->err),
					     "%s: vCPUs %u and %u are both pinned to pCPU %u; a gang must fit on distinct pCPUs",
					     sched_active_name(), k, i, a);
				return -1;
			}
		}
	}
	/* Nor may wider affinities leave no placement at all (three members
	 * allowed on the same two pCPUs): such a gang would wait forever. */
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		gv(q, vm->vcpus[i])->pcpu = SCHED_NO_PCPU;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		if (!vm->vcpus[i]->affinity)
			continue;
		q->visit++;
		if (!fit_member(q, vm, vm->vcpus[i])) {
			fmt_snprintf(q->err, sizeof(q->err),
				     "%s: the affinities of vCPU %u and its siblings leave no distinct pCPUs for them; a gang must fit on distinct pCPUs",
				     sched_active_name(), i);
			return -1;
		}
	}
	return 0;
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
		gq_fill(q, now, NULL);
}

void gq_sleep(struct sched_gq *q, struct sched_vcpu *v, uint64_t now)
{
	struct gq_vm *m = gm(q, v->vm);

	m->runnable--;
	if (m->on && !m->runnable) {
		/* Whole gang blocked: lend its pCPUs to waiting gangs that fit. */
		struct sched_pcpu *self = v->state == SCHED_RUNNING ? sched_pcpu(v->pcpu) : NULL;
		release(q, v->vm, self, false);
		gq_fill(q, now, self);
	}
}

void gq_charge(struct sched_gq *q, struct sched_vcpu *v, uint64_t ran)
{
	gm(q, v->vm)->vtime += sched_vtime_delta(ran, 1, sched_vm_weight(v->vm));
}

void gq_leaving(struct sched_gq *q, struct sched_vcpu *prev, struct sched_pcpu *p)
{
	if (prev && gm(q, prev->vm)->on && gv(q, prev)->pcpu != p->id)
		sched_env_kick(gv(q, prev)->pcpu);
}

struct sched_vcpu *gq_pick(struct sched_gq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   uint64_t now, uint64_t *deadline)
{
	if (gq_round_due(q, now))
		gq_new_round(q, now, p);
	struct sched_vcpu *o = gp(q, p)->owner;
	if (prev != o)
		gq_leaving(q, prev, p);
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
