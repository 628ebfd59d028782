/* "gang": strict co-scheduling of all vCPUs of a VM.
 *
 * Time is cut into rounds. At a round boundary (the first pCPU whose timer
 * reaches it) the policy chooses the set of gangs for the next round: VMs
 * with at least one runnable vCPU, in order of weighted virtual time (VM run
 * time * 256 / weight), each taken if all its vCPUs fit in the pCPUs still
 * free (so a big gang is never split and smaller ones backfill). A chosen
 * gang reserves one pCPU per vCPU, blocked ones included: a blocked member
 * leaves its pCPU idle, which is what strict co-scheduling means, and gets
 * it back at once when it wakes. Gangs chosen again keep their pCPUs (no
 * migration); the others take the lowest free pCPUs. Every pCPU whose
 * assignment changed is kicked, so a gang starts and stops together.
 *
 * Mid-round, a gang whose members all blocked gives its pCPUs back and
 * waiting gangs that fit whole are started for the rest of the round.
 * A VM with more vCPUs than pCPUs is refused at vm_add. */
#include "sched/sched_ops.h"

struct gang_vcpu {
	uint32_t pcpu; /* reserved pCPU while the gang is on */
};

struct gang_vm {
	uint64_t vtime;
	uint64_t key;      /* vtime including run time not charged yet */
	struct sched_vm *sort_next;
	uint32_t runnable; /* members RUNNABLE or RUNNING */
	bool on;           /* holds a reservation */
	bool picked;       /* chosen for the round being built */
};

struct gang_pcpu {
	struct sched_vcpu *owner; /* vCPU reserved here, NULL = free */
};

_Static_assert(sizeof(struct gang_vcpu) <= sizeof(union sched_priv64), "gang_vcpu");
_Static_assert(sizeof(struct gang_vm) <= sizeof(union sched_priv64), "gang_vm");
_Static_assert(sizeof(struct gang_pcpu) <= sizeof(union sched_priv32), "gang_pcpu");

static struct {
	uint64_t round_end; /* 0: no round in progress */
	uint64_t vmin;      /* smallest vtime chosen at the last boundary */
	uint32_t nr_free;   /* pCPUs without owner */
	char err[128];
} G;

static struct gang_vcpu *gv(struct sched_vcpu *v) { return (struct gang_vcpu *)(void *)v->priv.bytes; }
static struct gang_vm *gm(struct sched_vm *vm) { return (struct gang_vm *)(void *)vm->priv.bytes; }
static struct gang_pcpu *gp(struct sched_pcpu *p) { return (struct gang_pcpu *)(void *)p->priv.bytes; }

static void gang_init(void)
{
	memset(&G, 0, sizeof(G));
	G.nr_free = sched_nr_pcpus();
}

/* ---- ordering: merge sort of a VM list by (vtime, id) ---- */

static bool vm_before(struct sched_vm *a, struct sched_vm *b)
{
	return gm(a)->key != gm(b)->key ? gm(a)->key < gm(b)->key : a->id < b->id;
}

static struct sched_vm *merge(struct sched_vm *a, struct sched_vm *b)
{
	struct sched_vm *head = NULL, **tail = &head;

	while (a && b) {
		struct sched_vm **take = vm_before(b, a) ? &b : &a;
		*tail = *take;
		tail = &gm(*take)->sort_next;
		*take = gm(*take)->sort_next;
	}
	*tail = a ? a : b;
	return head;
}

/* Bottom-up merge sort: O(n log n) and no recursion or allocation. */
static struct sched_vm *sort_vms(struct sched_vm *list)
{
	struct sched_vm *bins[64] = { 0 };

	while (list) {
		struct sched_vm *one = list;
		list = gm(list)->sort_next;
		gm(one)->sort_next = NULL;
		uint32_t i = 0;
		for (; i < 63 && bins[i]; i++) {
			one = merge(bins[i], one);
			bins[i] = NULL;
		}
		bins[i] = one;
	}
	struct sched_vm *out = NULL;
	for (uint32_t i = 0; i < 64; i++)
		if (bins[i])
			out = merge(bins[i], out);
	return out;
}

/* A running gang's members are charged only when their pCPUs pass through
 * the scheduler, which at a round boundary happens after the first pCPU has
 * already ranked the gangs: rank by vtime plus the run time not charged
 * yet, or a gang would keep the machine for extra rounds. */
static uint64_t rank_key(struct sched_vm *vm, uint64_t now)
{
	uint64_t pending = 0;

	for (uint32_t i = 0; gm(vm)->on && i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNING && now > v->state_since)
			pending += now - v->state_since;
	}
	return gm(vm)->vtime + sched_vtime_delta(pending, 1, sched_vm_weight(vm));
}

/* Waiting gangs (runnable, not on), sorted; long sleepers are pulled up to
 * one slice behind vmin so they cannot monopolise the machine on return. */
static struct sched_vm *waiting_gangs(bool include_on, uint64_t now)
{
	struct sched_vm *list = NULL;

	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		struct gang_vm *m = gm(vm);
		if (!m->runnable || (m->on && !include_on))
			continue;
		uint64_t lag = sched_vtime_delta(sched_vm_slice(vm), 1, sched_vm_weight(vm));
		if (!m->on && G.vmin > lag && m->vtime < G.vmin - lag)
			m->vtime = G.vmin - lag;
		m->key = rank_key(vm, now);
		m->sort_next = list;
		list = vm;
	}
	return sort_vms(list);
}

/* ---- reservations ---- */

static void kick_if_other(struct sched_pcpu *p, struct sched_pcpu *self)
{
	if (p != self)
		sched_env_kick(p->id);
}

/* Give a gang's pCPUs back; `kick` makes its running members leave. */
static void release(struct sched_vm *vm, struct sched_pcpu *self, bool kick)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_pcpu *p = sched_pcpu(gv(vm->vcpus[i])->pcpu);
		gp(p)->owner = NULL;
		if (kick)
			kick_if_other(p, self);
	}
	gm(vm)->on = false;
	G.nr_free += vm->nr_vcpus;
}

/* Reserve the lowest free pCPUs at or after *cursor for vm's members
 * (nr_free >= nr_vcpus); the cursor keeps a whole round build O(pCPUs). */
static void place(struct sched_vm *vm, struct sched_pcpu *self, uint32_t *cursor)
{
	uint32_t p = *cursor;

	for (uint32_t i = 0; i < vm->nr_vcpus; i++, p++) {
		while (gp(sched_pcpu(p))->owner)
			p++;
		gp(sched_pcpu(p))->owner = vm->vcpus[i];
		gv(vm->vcpus[i])->pcpu = p;
		kick_if_other(sched_pcpu(p), self);
	}
	*cursor = p;
	gm(vm)->on = true;
	G.nr_free -= vm->nr_vcpus;
}

/* Start waiting gangs that fit whole into the free pCPUs. */
static void fill(uint64_t now, struct sched_pcpu *self)
{
	uint64_t slice = 0;
	uint32_t cursor = 0;

	for (struct sched_vm *vm = waiting_gangs(false, now); vm && G.nr_free; vm = gm(vm)->sort_next) {
		if (vm->nr_vcpus > G.nr_free)
			continue;
		place(vm, self, &cursor);
		slice = slice ? MIN(slice, sched_vm_slice(vm)) : sched_vm_slice(vm);
	}
	if (slice && !G.round_end)
		G.round_end = now + slice;
}

/* Round boundary: choose the gangs of the next round and move them in. */
static void new_round(uint64_t now, struct sched_pcpu *self)
{
	struct sched_vm *order = waiting_gangs(true, now);
	uint32_t left = sched_nr_pcpus(), cursor = 0;
	uint64_t slice = 0;

	if (order)
		G.vmin = MAX(G.vmin, gm(order)->key);
	for (struct sched_vm *vm = order; vm; vm = gm(vm)->sort_next) {
		gm(vm)->picked = vm->nr_vcpus <= left;
		if (gm(vm)->picked) {
			left -= vm->nr_vcpus;
			slice = slice ? MIN(slice, sched_vm_slice(vm)) : sched_vm_slice(vm);
		}
	}
	/* Gangs staying on keep their pCPUs; the others are sent off first. */
	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next)
		if (gm(vm)->on && !gm(vm)->picked)
			release(vm, self, true);
	for (struct sched_vm *vm = order; vm; vm = gm(vm)->sort_next) {
		if (gm(vm)->picked && !gm(vm)->on)
			place(vm, self, &cursor);
		gm(vm)->picked = false;
	}
	G.round_end = slice ? now + slice : 0;
}

/* ---- hooks ---- */

static const char *u32_str(char *end, uint32_t x)
{
	*--end = 0;
	do {
		*--end = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	return end;
}

static int gang_vm_add(struct sched_vm *vm, const char **err)
{
	if (vm->nr_vcpus > sched_nr_pcpus()) {
		char a[12], b[12];
		size_t len = 0;
		const char *parts[] = { "gang: VM has ", u32_str(a + 12, vm->nr_vcpus),
			" vCPUs but there are only ", u32_str(b + 12, sched_nr_pcpus()),
			" pCPUs; a gang must fit on distinct pCPUs" };
		for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
			size_t n = MIN(strlen(parts[i]), sizeof(G.err) - 1 - len);
			memcpy(G.err + len, parts[i], n);
			len += n;
		}
		G.err[len] = 0;
		*err = G.err;
		return -1;
	}
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		gv(vm->vcpus[i])->pcpu = SCHED_NO_PCPU;
	gm(vm)->vtime = G.vmin;
	return 0;
}

static void gang_vm_remove(struct sched_vm *vm)
{
	if (gm(vm)->on)
		release(vm, NULL, false);
}

static void gang_wake(struct sched_vcpu *v, uint64_t now)
{
	struct gang_vm *m = gm(v->vm);

	m->runnable++;
	if (m->on)
		sched_env_kick(gv(v)->pcpu); /* its reserved pCPU idles: take it */
	else if (v->vm->nr_vcpus <= G.nr_free)
		fill(now, NULL);
}

static void gang_sleep(struct sched_vcpu *v, uint64_t now)
{
	struct gang_vm *m = gm(v->vm);

	m->runnable--;
	if (m->on && !m->runnable) {
		/* Whole gang blocked: lend its pCPUs to waiting gangs that fit. */
		struct sched_pcpu *self = v->state == SCHED_RUNNING ? sched_pcpu(v->pcpu) : NULL;
		release(v->vm, self, false);
		fill(now, self);
	}
}

static void gang_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	gm(v->vm)->vtime += sched_vtime_delta(ran, 1, sched_vm_weight(v->vm));
}

static struct sched_vcpu *gang_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				    enum sched_why why, uint64_t now, uint64_t *deadline)
{
	if (G.round_end && now >= G.round_end)
		new_round(now, p);
	struct sched_vcpu *o = gp(p)->owner;
	*deadline = 0;
	if (!o || o->state == SCHED_BLOCKED || o->state == SCHED_STOPPED)
		return NULL;
	if (o->state == SCHED_RUNNING && o != prev) {
		/* Still leaving another pCPU (cannot happen with the
		 * environment's kicks being handled in order): retry soon. */
		*deadline = now + SCHED_MIN_SLICE_NS;
		return NULL;
	}
	*deadline = G.round_end;
	return o; /* a yield cannot give the pCPU to another VM: strict gang */
}

static int gang_check_vcpu(struct sched_vcpu *v, const char **err)
{
	bool on = gm(v->vm)->on;

	if (on && gp(sched_pcpu(gv(v)->pcpu))->owner != v)
		*err = "gang: member's reserved pCPU is owned by someone else";
	else if (v->state == SCHED_RUNNING && (!on || gv(v)->pcpu != v->pcpu))
		*err = "gang: vCPU runs outside its gang's reservation";
	else if (v->state == SCHED_RUNNABLE && on)
		*err = "gang: partial gang (member runnable but not running while its gang is on)";
	else
		return 0;
	return -1;
}

static int gang_check(const char **err)
{
	uint32_t reserved = 0;

	for (struct sched_vm *vm = sched_vm_list(); vm; vm = vm->next) {
		uint32_t runnable = 0;
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			struct sched_vcpu *v = vm->vcpus[i];
			if (gang_check_vcpu(v, err))
				return -1;
			runnable += v->state == SCHED_RUNNABLE || v->state == SCHED_RUNNING;
		}
		if (runnable != gm(vm)->runnable) {
			*err = "gang: runnable count out of step";
			return -1;
		}
		reserved += gm(vm)->on ? vm->nr_vcpus : 0;
	}
	if (reserved + G.nr_free != sched_nr_pcpus()) {
		*err = "gang: pCPU reservations out of step";
		return -1;
	}
	return 0;
}

const struct sched_ops sched_gang_ops = {
	.name = "gang",
	.init = gang_init,
	.vm_add = gang_vm_add,
	.vm_remove = gang_vm_remove,
	.wake = gang_wake,
	.sleep = gang_sleep,
	.charge = gang_charge,
	.pick = gang_pick,
	.check = gang_check,
};
