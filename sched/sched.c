/* Framework: state machine and accounting of vCPUs around the active policy.
 * Every entry point takes the global lock, reads the clock once, and keeps
 * per-vCPU time buckets exact: each state change closes the interval of the
 * previous state. Hints, directed yield and speeds: sched/sched_hint.c;
 * knobs: sched/sched_param.c. */
#include "sched/sched_internal.h"
#include "core/fmt.h"

struct sched_global sched_g;
#define S sched_g

uint32_t sched_nr_pcpus(void) { return S.nr_pcpus; }
struct sched_pcpu *sched_pcpu(uint32_t id) { return &S.pcpus[id]; }
struct sched_vm *sched_vm_list(void) { return S.vms; }
const char *sched_active_name(void) { return S.ops ? S.ops->name : "none"; }

const char *sched_policy_names(void)
{
	static char names[160];
	size_t len = 0;

	names[0] = 0;
	for (uint32_t i = 0; i < sched_policy_count(); i++)
		len += (size_t)fmt_snprintf(names + MIN(len, sizeof(names)), sizeof(names) - MIN(len, sizeof(names)),
					    "%s%s", i ? ", " : "", sched_policy(i)->name);
	return names;
}

int sched_init(struct sched_pcpu *pcpus, uint32_t nr, const char **err)
{
	if (!nr || !pcpus) {
		*err = "sched_init: need at least one pCPU";
		return -1;
	}
	const struct sched_ops *def = sched_policy_default(err);
	if (!def)
		return -1;
	memset(&S, 0, sizeof(S));
	sched_env_lock_init(&S.lock);
	S.pcpus = pcpus;
	S.nr_pcpus = nr;
	memset(pcpus, 0, sizeof(*pcpus) * nr);
	for (uint32_t i = 0; i < nr; i++)
		pcpus[i].id = i;
	sched_params_reset();
	S.ops = def;
	S.ops->init();
	return 0;
}

int sched_select(const char *name, const char **err)
{
	const struct sched_ops *ops = sched_policy_find(name);

	if (!ops) {
		fmt_snprintf(S.err, sizeof(S.err), "unknown scheduler '%s' (available: %s)", name,
			     sched_policy_names());
		*err = S.err;
		return -1;
	}
	if (S.vms) {
		*err = "sched_select: remove all VMs before changing policy";
		return -1;
	}
	sched_env_lock(&S.lock);
	S.ops = ops;
	for (uint32_t p = 0; p < S.nr_pcpus; p++)
		memset(&S.pcpus[p].priv, 0, sizeof(S.pcpus[p].priv));
	S.ops->init();
	sched_env_unlock(&S.lock);
	return 0;
}

/* d ns more of v's current state, into st. */
static void add_state_time(const struct sched_vcpu *v, struct sched_stats *st, uint64_t d)
{
	switch (v->state) {
	case SCHED_RUNNING: st->run_ns += d; break;
	case SCHED_RUNNABLE: st->steal_ns += d; break;
	case SCHED_BLOCKED:
		st->blocked_ns += d;
		if (v->in_balloon)
			st->balloon_ns += d;
		break;
	case SCHED_STOPPED: break;
	}
}

/* Close the interval of v's current state at `now` and open a new one. */
static void account(struct sched_vcpu *v, uint64_t now)
{
	uint64_t d = now > v->state_since ? now - v->state_since : 0;

	add_state_time(v, &v->stats, d);
	sched_speed_account(v, v->state, d, now);
	v->state_since = now;
}

static void set_state(struct sched_vcpu *v, enum sched_state st, uint64_t now)
{
	account(v, now);
	v->vm->nr_waiting += (st == SCHED_RUNNABLE) - (v->state == SCHED_RUNNABLE);
	v->state = st;
}

/* Knobs of one vCPU; fills v->pin from its affinity. */
static int vcpu_knobs_ok(struct sched_vcpu *v, uint32_t i)
{
	if (v->cap > 100) {
		fmt_snprintf(S.err, sizeof(S.err), "sched_vm_add: vCPU %u: cap %u%% is above 100%%", i, v->cap);
		return -1;
	}
	uint32_t allowed = 0;
	v->pin = SCHED_NO_PCPU;
	for (uint32_t p = 0; p < S.nr_pcpus; p++) {
		if (!v->affinity && p)
			break;
		if (sched_vcpu_allowed(v, p) && !allowed++)
			v->pin = p;
	}
	if (!allowed) {
		fmt_snprintf(S.err, sizeof(S.err), "sched_vm_add: vCPU %u: its affinity allows none of the %u pCPUs",
			     i, S.nr_pcpus);
		return -1;
	}
	if (allowed > 1 || !v->affinity)
		v->pin = SCHED_NO_PCPU;
	return 0;
}

static int vm_knobs_ok(struct sched_vm *vm, const char **err)
{
	*err = S.err;
	if (!vm->nr_vcpus || !vm->vcpus) {
		*err = "sched_vm_add: VM has no vCPUs";
		return -1;
	}
	if (vm->slice_ns && vm->slice_ns < SCHED_MIN_SLICE_NS) {
		*err = "sched_vm_add: slice below 100 us";
		return -1;
	}
	if (vm->weight > 65536) {
		*err = "sched_vm_add: weight above 65536";
		return -1;
	}
	for (struct sched_vm *o = S.vms; o; o = o->next) {
		if (o == vm || o->id == vm->id) {
			*err = "sched_vm_add: VM id already added";
			return -1;
		}
	}
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vcpu_knobs_ok(vm->vcpus[i], i))
			return -1;
	return 0;
}

static void vcpu_reset(struct sched_vcpu *v, struct sched_vm *vm, uint32_t i, uint64_t now)
{
	v->vm = vm;
	v->index = i;
	v->state = SCHED_STOPPED;
	v->pcpu = SCHED_NO_PCPU;
	v->state_since = now;
	v->wake_latency_open = v->wake_pending = v->stop_pending = false;
	v->hint_cs = v->hint_spin = false;
	v->preempt_pending = v->preempted = v->costopped = v->pv_halted = v->in_balloon = false;
	v->yield_reason = 0;
	v->yield_to = SCHED_NO_VCPU;
	v->speed = SCHED_SPEED_ONE;
	v->speed_start = now;
	v->speed_run = v->speed_wait = 0;
	memset(&v->stats, 0, sizeof(v->stats));
	memset(&v->priv, 0, sizeof(v->priv));
}

int sched_vm_add(struct sched_vm *vm, const char **err)
{
	if (vm_knobs_ok(vm, err))
		return -1;
	sched_env_lock(&S.lock);
	uint64_t now = sched_env_now();
	memset(&vm->priv, 0, sizeof(vm->priv));
	vm->mode = S.ops->vm_mode;
	vm->mode_since = now;
	vm->mode_changes = 0;
	memset(vm->mode_ns, 0, sizeof(vm->mode_ns));
	vm->last_boosted = vm->nr_waiting = 0;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vcpu_reset(vm->vcpus[i], vm, i, now);
	int rc = S.ops->vm_add(vm, err);
	if (!rc) {
		/* Keep the list ordered by id: iteration order never depends on
		 * the order the environment added VMs in. */
		struct sched_vm **pp = &S.vms;
		while (*pp && (*pp)->id < vm->id)
			pp = &(*pp)->next;
		vm->next = *pp;
		*pp = vm;
		S.nr_vms++;
	}
	sched_env_unlock(&S.lock);
	return rc;
}

/* v leaves the runnable set (or the framework's view of it) for `st`. */
static void leave(struct sched_vcpu *v, enum sched_state st, uint64_t now)
{
	if (v->costopped)
		sched_vcpu_costop(v, false, now);
	v->preempted = v->preempt_pending = false;
	set_state(v, st, now);
}

int sched_vm_remove(struct sched_vm *vm, const char **err)
{
	sched_env_lock(&S.lock);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i]->state == SCHED_RUNNING) {
			sched_env_unlock(&S.lock);
			*err = "sched_vm_remove: a vCPU is still running";
			return -1;
		}
	}
	uint64_t now = sched_env_now();
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNABLE)
			S.ops->sleep(v, now);
		leave(v, SCHED_STOPPED, now);
	}
	S.ops->vm_remove(vm);
	for (struct sched_vm **pp = &S.vms; *pp; pp = &(*pp)->next) {
		if (*pp == vm) {
			*pp = vm->next;
			S.nr_vms--;
			break;
		}
	}
	sched_env_unlock(&S.lock);
	return 0;
}

void sched_wake(struct sched_vcpu *v)
{
	sched_env_lock(&S.lock);
	uint64_t now = sched_env_now();
	if (v->state == SCHED_RUNNING) {
		v->wake_pending = true;
	} else if (v->state == SCHED_BLOCKED || v->state == SCHED_STOPPED) {
		set_state(v, SCHED_RUNNABLE, now);
		v->pv_halted = v->in_balloon = false;
		v->stats.wakeups++;
		v->woken_at = now;
		v->wake_latency_open = true;
		S.ops->wake(v, now);
	}
	sched_env_unlock(&S.lock);
}

void sched_vcpu_set_blocked(struct sched_vcpu *v)
{
	sched_env_lock(&S.lock);
	if (v->state == SCHED_STOPPED)
		set_state(v, SCHED_BLOCKED, sched_env_now());
	sched_env_unlock(&S.lock);
}

void sched_vcpu_stop(struct sched_vcpu *v)
{
	sched_env_lock(&S.lock);
	uint64_t now = sched_env_now();
	if (v->state == SCHED_RUNNING) {
		v->stop_pending = true;
		sched_env_kick(v->pcpu);
	} else if (v->state != SCHED_STOPPED) {
		if (v->state == SCHED_RUNNABLE)
			S.ops->sleep(v, now);
		leave(v, SCHED_STOPPED, now);
	}
	sched_env_unlock(&S.lock);
}

/* The counters as of now, without accounting into v: only the stats are
 * copied under the lock (steal-time updates call this at every entry). */
void sched_vcpu_stats(const struct sched_vcpu *v, struct sched_stats *out)
{
	sched_env_lock(&S.lock);
	uint64_t now = sched_env_now();
	*out = v->stats;
	add_state_time(v, out, now > v->state_since ? now - v->state_since : 0);
	if (v->costopped)
		out->costop_ns += now - v->costop_since;
	sched_env_unlock(&S.lock);
}

void sched_vm_set_mode(struct sched_vm *vm, enum sched_vm_mode mode, uint64_t now)
{
	if (vm->mode == mode)
		return;
	vm->mode_ns[vm->mode] += now > vm->mode_since ? now - vm->mode_since : 0;
	vm->mode = mode;
	vm->mode_since = now;
	vm->mode_changes++;
	if (vm->nr_vcpus)
		sched_env_event(vm->vcpus[0], SCHED_EV_MODE, mode);
}

enum sched_vm_mode sched_vm_mode(const struct sched_vm *vm, uint64_t *changes, uint64_t *ns)
{
	sched_env_lock(&S.lock);
	enum sched_vm_mode mode = vm->mode;
	if (changes)
		*changes = vm->mode_changes;
	if (ns) {
		uint64_t now = sched_env_now();
		for (uint32_t m = 0; m < SCHED_NR_MODES; m++)
			ns[m] = vm->mode_ns[m];
		ns[mode] += now > vm->mode_since ? now - vm->mode_since : 0;
	}
	sched_env_unlock(&S.lock);
	return mode;
}

const char *sched_mode_name(enum sched_vm_mode mode)
{
	return mode == SCHED_MODE_COSCHED ? "cosched" : mode == SCHED_MODE_FREE ? "free" : "?";
}

/* The outgoing vCPU of a scheduling point: charge it, apply `why`, and say
 * whether it is still a candidate to continue. */
static struct sched_vcpu *put_prev(struct sched_vcpu *prev, enum sched_why why, uint64_t now)
{
	uint64_t ran = now > prev->state_since ? now - prev->state_since : 0;

	account(prev, now);
	S.ops->charge(prev, ran, now);
	if (why == SCHED_YIELD && prev->preempt_pending) {
		/* The guest left its critical section and gave the pCPU back
		 * as the delayed-preemption protocol asks. */
		prev->stats.yields_on_time++;
		prev->preempt_pending = false;
	}
	if (prev->stop_pending) {
		prev->stop_pending = prev->wake_pending = false;
		S.ops->sleep(prev, now);
		leave(prev, SCHED_STOPPED, now);
		return NULL;
	}
	if (why == SCHED_BLOCK && !prev->wake_pending) {
		S.ops->sleep(prev, now);
		leave(prev, SCHED_BLOCKED, now);
		return NULL;
	}
	/* A wake-up that raced with HLT turns the block into a no-op. */
	prev->wake_pending = prev->pv_halted = prev->in_balloon = false;
	return prev;
}

static void dispatch(struct sched_pcpu *p, struct sched_vcpu *next, uint64_t now)
{
	set_state(next, SCHED_RUNNING, now);
	next->preempted = false;
	next->stats.dispatches++;
	if (next->pcpu != SCHED_NO_PCPU && next->pcpu != p->id)
		next->stats.migrations++;
	next->pcpu = p->id;
	if (next->wake_latency_open) {
		uint64_t lat = now - next->woken_at;
		next->wake_latency_open = false;
		next->stats.wakeups_dispatched++;
		next->stats.wake_lat_sum_ns += lat;
		if (lat > next->stats.wake_lat_max_ns)
			next->stats.wake_lat_max_ns = lat;
	}
}

struct sched_vcpu *sched_schedule(uint32_t pcpu, enum sched_why why)
{
	struct sched_pcpu *p = &S.pcpus[pcpu];
	uint64_t deadline = 0;

	sched_env_lock(&S.lock);
	uint64_t now = sched_env_now();
	struct sched_vcpu *prev = p->curr ? put_prev(p->curr, why, now) : NULL;
	struct sched_vcpu *next = S.ops->pick(p, prev, why, now, &deadline);

	p->decisions++;
	if (prev && next != prev) {
		set_state(prev, SCHED_RUNNABLE, now);
		prev->preempted = true;
		prev->preempt_pending = false;
		if (why == SCHED_YIELD)
			prev->stats.yields++;
		else
			prev->stats.preemptions++;
	}
	if (p->curr) {
		p->curr->yield_reason = 0;
		p->curr->yield_to = SCHED_NO_VCPU;
	}
	if (next != p->curr)
		p->switches++;
	if (next && next != prev)
		dispatch(p, next, now);
	p->curr = next;
	if (deadline != p->deadline || deadline) {
		p->deadline = deadline;
		sched_env_set_timer(pcpu, deadline);
	}
	sched_env_unlock(&S.lock);
	return next;
}

static int check_fail(const char **err, const char *msg)
{
	*err = msg;
	return -1;
}

/* The promise of a VM's mode, seen from outside the policy: a co-scheduled
 * VM with a running vCPU has all its runnable vCPUs running. */
static int check_vm(const struct sched_vm *vm, const char **err)
{
	uint32_t running = 0, waiting = 0;

	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		const struct sched_vcpu *v = vm->vcpus[i];
		if (v->state == SCHED_RUNNING &&
		    (v->pcpu >= S.nr_pcpus || S.pcpus[v->pcpu].curr != v))
			return check_fail(err, "RUNNING vCPU is not its pCPU's current vCPU");
		if (v->state == SCHED_RUNNING && !sched_vcpu_allowed(v, v->pcpu))
			return check_fail(err, "a vCPU runs on a pCPU its affinity excludes");
		if (v->costopped && v->state != SCHED_RUNNABLE)
			return check_fail(err, "a co-stopped vCPU is not RUNNABLE");
		running += v->state == SCHED_RUNNING;
		waiting += v->state == SCHED_RUNNABLE;
	}
	if (vm->mode == SCHED_MODE_COSCHED && running && waiting)
		return check_fail(err, "partial gang: a co-scheduled VM runs with some runnable vCPUs not running");
	return 0;
}

int sched_check(const char **err)
{
	int rc = 0;

	sched_env_lock(&S.lock);
	for (uint32_t i = 0; i < S.nr_pcpus && !rc; i++) {
		struct sched_vcpu *c = S.pcpus[i].curr;
		if (c && (c->state != SCHED_RUNNING || c->pcpu != i))
			rc = check_fail(err, "pCPU's current vCPU is not RUNNING there");
	}
	for (struct sched_vm *vm = S.vms; vm && !rc; vm = vm->next)
		rc = check_vm(vm, err);
	if (!rc && S.ops->check)
		rc = S.ops->check(err);
	sched_env_unlock(&S.lock);
	return rc;
}
