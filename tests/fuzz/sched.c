/* Fuzz target: property fuzzing of the scheduling framework (sched/) under
 * every compiled-in policy, through the scripted environment of the unit
 * tests (tests/sched/fake_env.[ch]: settable clock, recorded per-pCPU
 * timers and kicks). The harness plays the hypervisor's part of the
 * contract in docs/scheduling.md ("What the hypervisor must do"): pCPU
 * loops that run what sched_schedule returns, guest snapshots before each
 * scheduling point and hint, hints only from running vCPUs, kicks delivered
 * at once, timers never early, balloon wake-ups from its own timers.
 *
 * Input: policy (index into sched_policy_names()), pCPUs (1-8, sometimes up
 * to 64), a timer lateness, up to 3 knob settings (valid, out of range,
 * malformed, unknown), up to 6 VMs (1-8 vCPUs, weight, cap, slice, flags,
 * per-vCPU affinity and cap, sometimes a duplicate id), then operations:
 * time steps, sched_schedule with TICK/YIELD/BLOCK after a guest snapshot
 * (kernel, irq_off, cs), every hint with in-range and out-of-range
 * arguments (followed by what the contract says: the yield, the block, the
 * kicked vCPU's wake, the balloon's timer), sched_wake, sched_vcpu_stop,
 * sched_vcpu_set_blocked, sched_vm_remove and re-adding the VM.
 *
 * Checked after every step (once the kicks are delivered):
 * - sched_check();
 * - every pCPU's current vCPU is RUNNING there, allowed there, of an added
 *   VM, and on no other pCPU; every RUNNING vCPU is some pCPU's current;
 * - the state machine: a wake-up takes a BLOCKED/STOPPED vCPU to RUNNABLE;
 *   SCHED_BLOCK blocks unless a wake-up came while running (never lost);
 *   TICK/YIELD leave it runnable; a stop takes effect at its pCPU's next
 *   scheduling point;
 * - accounting: per vCPU run, steal, blocked, balloon and co-stop time
 *   equal to what the harness saw the states do, and run + steal + blocked
 *   + stopped = time since the VM was added; counters never go back;
 *   delay <= run, co-stop <= steal, balloon <= blocked; speeds within
 *   0..1024 (0 where the policy publishes none);
 * - modes: time per mode adds up to the VM's age, the mode changes exactly
 *   when the change counter does, a co-scheduled VM never runs a partial
 *   gang;
 * - pdelay: a delayed vCPU never runs past its slice end by more than
 *   pdelay.bound (plus the timer's lateness), its pCPU's timer never points
 *   past that bound, and no delay lasts longer;
 * - knobs: accepted exactly when the value fits the knob's grammar and
 *   range (from sched_param_describe), which then shows the new value;
 *   refused with a message naming the knob, the old value kept;
 * - sched_vm_add refuses exactly what the framework and gang document;
 * - no timer or kick storm (a pCPU re-armed at the same instant forever).
 * At the end, liveness: the vCPUs then waiting for a pCPU (co-stopped ones
 * included) must all be dispatched once the others halt, within 1000 s of
 * simulated time. */
#include "tests/fuzz/fuzz.h"
#include "tests/sched/fake_env.h"
#include "sched/sched_ops.h"
/* pdelay's private state (the delay's start, its knobs) for its bound. */
#include "sched/policy/pdelay.c"

#define MAX_VMS 6
#define MAX_VCPUS 8
#define MAX_OPS 4096
#define LIVE_NS 1000000000000ull /* 1000 s */

struct fs_vcpu {
	uint64_t in_state[4]; /* time seen in each enum sched_state */
	uint64_t balloon, costop;
	struct sched_stats last;
	bool wake_pending;    /* woken while RUNNING: its next BLOCK is void */
	bool stop_pending;    /* stopped while RUNNING */
	uint64_t balloon_wake; /* the env's balloon timer, 0 = none */
	uint64_t on_pcpu_check; /* check_all() that saw it on a pCPU, */
	uint32_t on_pcpu;       /* and on which */
};

struct fs_vm {
	struct sched_vm vm;
	struct sched_vcpu vc[MAX_VCPUS];
	struct sched_vcpu *ptr[MAX_VCPUS];
	uint64_t *aff[MAX_VCPUS];
	struct fs_vcpu sh[MAX_VCPUS];
	uint32_t cap[MAX_VCPUS];
	bool added, ever;
	uint64_t added_at, changes;
	enum sched_vm_mode mode0;
};

static struct fs_vm vms[MAX_VMS];
static uint32_t nr_vms, nr_pcpus;
static uint64_t check_no; /* check_all() calls so far */
static uint64_t late_ns;
static const char *policy;
static bool publishes_speed, is_pdelay;

static const char *state_name(enum sched_state s)
{
	static const char *const n[] = { "STOPPED", "BLOCKED", "RUNNABLE", "RUNNING" };
	return s <= SCHED_RUNNING ? n[s] : "?";
}

#define for_each_vcpu(m, i) \
	for (struct fs_vm *m = vms; m < vms + nr_vms; m++) \
		for (uint32_t i = 0; m->added && i < m->vm.nr_vcpus; i++)

static struct fs_vcpu *shadow(struct sched_vcpu *v)
{
	struct fs_vm *m = (struct fs_vm *)(void *)((char *)v->vm - offsetof(struct fs_vm, vm));
	return &m->sh[v->index];
}

/* ---- time: the harness integrates what it sees the states do ---- */

static void advance(uint64_t t)
{
	if (t <= fake_now)
		return;
	uint64_t d = t - fake_now;
	for_each_vcpu(m, i) {
		struct sched_vcpu *v = &m->vc[i];
		m->sh[i].in_state[v->state] += d;
		if (v->state == SCHED_BLOCKED && v->in_balloon)
			m->sh[i].balloon += d;
		if (v->costopped)
			m->sh[i].costop += d;
	}
	fake_now = t;
}

/* ---- the checks ---- */

static void check_vcpu(struct fs_vm *m, uint32_t i)
{
	struct sched_vcpu *v = &m->vc[i];
	struct fs_vcpu *s = &m->sh[i];
	struct sched_stats st;
	uint64_t age = fake_now - m->added_at;

	FUZZ_CHECK(!s->stop_pending, "%s: vm %u vcpu %u: stop not carried out at its pCPU's kick (%s)",
		   policy, m->vm.id, i, state_name(v->state));
	if (v->state == SCHED_RUNNING)
		FUZZ_CHECK(v->pcpu < nr_pcpus && fake_pcpus[v->pcpu].curr == v,
			   "%s: vm %u vcpu %u RUNNING but not the current vCPU of pCPU %u", policy, m->vm.id, i, v->pcpu);
	sched_vcpu_stats(v, &st);
	FUZZ_CHECK(st.run_ns == s->in_state[SCHED_RUNNING] && st.steal_ns == s->in_state[SCHED_RUNNABLE] &&
		   st.blocked_ns == s->in_state[SCHED_BLOCKED],
		   "%s: vm %u vcpu %u: run %llu steal %llu blocked %llu, seen %llu %llu %llu", policy, m->vm.id, i,
		   (unsigned long long)st.run_ns, (unsigned long long)st.steal_ns, (unsigned long long)st.blocked_ns,
		   (unsigned long long)s->in_state[SCHED_RUNNING], (unsigned long long)s->in_state[SCHED_RUNNABLE],
		   (unsigned long long)s->in_state[SCHED_BLOCKED]);
	FUZZ_CHECK(st.run_ns + st.steal_ns + st.blocked_ns + s->in_state[SCHED_STOPPED] == age,
		   "%s: vm %u vcpu %u: run + steal + blocked + stopped != %llu ns since added", policy, m->vm.id, i,
		   (unsigned long long)age);
	FUZZ_CHECK(st.balloon_ns == s->balloon && st.balloon_ns <= st.blocked_ns,
		   "%s: vm %u vcpu %u: balloon %llu, seen %llu, blocked %llu", policy, m->vm.id, i,
		   (unsigned long long)st.balloon_ns, (unsigned long long)s->balloon, (unsigned long long)st.blocked_ns);
	FUZZ_CHECK(st.costop_ns == s->costop && st.costop_ns <= st.steal_ns,
		   "%s: vm %u vcpu %u: costop %llu, seen %llu, steal %llu", policy, m->vm.id, i,
		   (unsigned long long)st.costop_ns, (unsigned long long)s->costop, (unsigned long long)st.steal_ns);
	FUZZ_CHECK(st.delay_ns <= st.run_ns, "%s: vm %u vcpu %u: delayed %llu ns but ran %llu", policy, m->vm.id, i,
		   (unsigned long long)st.delay_ns, (unsigned long long)st.run_ns);
	FUZZ_CHECK(st.wakeups_dispatched <= st.wakeups && st.wake_lat_max_ns <= st.wake_lat_sum_ns,
		   "%s: vm %u vcpu %u: wake-up statistics", policy, m->vm.id, i);
	const uint64_t *now = (const uint64_t *)&st, *was = (const uint64_t *)&s->last;
	for (size_t k = 0; k < sizeof(st) / sizeof(uint64_t); k++)
		FUZZ_CHECK(now[k] >= was[k], "%s: vm %u vcpu %u: counter %zu of struct sched_stats went back", policy,
			   m->vm.id, i, k);
	if (is_pdelay) {
		FUZZ_CHECK(st.delay_ns - s->last.delay_ns <= bound + late_ns,
			   "pdelay: vm %u vcpu %u: one delay of %llu ns, bound %llu", m->vm.id, i,
			   (unsigned long long)(st.delay_ns - s->last.delay_ns), (unsigned long long)bound);
		uint64_t ext = pv(v)->ext_start;
		if (ext && v->state == SCHED_RUNNING) {
			FUZZ_CHECK(fake_now <= ext + bound + late_ns,
				   "pdelay: vm %u vcpu %u runs %llu ns past its slice end, bound %llu", m->vm.id, i,
				   (unsigned long long)(fake_now - ext), (unsigned long long)bound);
			uint64_t dl = fake_pcpus[v->pcpu].deadline;
			FUZZ_CHECK(dl && dl <= ext + bound, "pdelay: vm %u vcpu %u delayed with its timer at %llu, past %llu",
				   m->vm.id, i, (unsigned long long)dl, (unsigned long long)(ext + bound));
		}
	}
	s->last = st;
	uint32_t speed = sched_vcpu_speed(v);
	FUZZ_CHECK(speed <= SCHED_SPEED_ONE && (publishes_speed || !speed), "%s: speed %u", policy, speed);
}

static void check_all(void)
{
	const char *err = NULL;
	uint32_t cur = 0, running = 0;

	check_no++;
	FUZZ_CHECK(sched_check(&err) == 0, "%s: sched_check: %s", policy, err);
	for (uint32_t p = 0; p < nr_pcpus; p++) {
		struct sched_vcpu *c = fake_pcpus[p].curr;
		if (!c)
			continue;
		cur++;
		FUZZ_CHECK(c->state == SCHED_RUNNING && c->pcpu == p && sched_vcpu_allowed(c, p),
			   "%s: pCPU %u runs vm %u vcpu %u (%s, pcpu %u)", policy, p, c->vm->id, c->index,
			   state_name(c->state), c->pcpu);
		struct fs_vcpu *sc = shadow(c); /* a stamp per check: O(pCPUs), not O(pCPUs^2) */
		FUZZ_CHECK(sc->on_pcpu_check != check_no, "%s: vm %u vcpu %u on pCPUs %u and %u", policy, c->vm->id,
			   c->index, sc->on_pcpu, p);
		sc->on_pcpu_check = check_no;
		sc->on_pcpu = p;
	}
	for (struct fs_vm *m = vms; m < vms + nr_vms; m++) {
		if (!m->added) {
			for (uint32_t p = 0; p < nr_pcpus && m->ever; p++)
				FUZZ_CHECK(!fake_pcpus[p].curr || fake_pcpus[p].curr->vm != &m->vm,
					   "%s: pCPU %u runs a vCPU of removed vm %u", policy, p, m->vm.id);
			continue;
		}
		uint32_t run = 0, wait = 0;
		for (uint32_t i = 0; i < m->vm.nr_vcpus; i++) {
			check_vcpu(m, i);
			run += m->vc[i].state == SCHED_RUNNING;
			wait += m->vc[i].state == SCHED_RUNNABLE;
		}
		running += run;
		uint64_t changes, ns[SCHED_NR_MODES], sum = 0;
		enum sched_vm_mode mode = sched_vm_mode(&m->vm, &changes, ns);
		for (uint32_t k = 0; k < SCHED_NR_MODES; k++)
			sum += ns[k];
		FUZZ_CHECK(sum == fake_now - m->added_at, "%s: vm %u: time per mode adds up to %llu, age %llu", policy,
			   m->vm.id, (unsigned long long)sum, (unsigned long long)(fake_now - m->added_at));
		FUZZ_CHECK(changes >= m->changes && (mode == m->mode0) == !(changes & 1),
			   "%s: vm %u: mode %s after %llu changes from %s", policy, m->vm.id, sched_mode_name(mode),
			   (unsigned long long)changes, sched_mode_name(m->mode0));
		m->changes = changes;
		FUZZ_CHECK(mode != SCHED_MODE_COSCHED || !run || !wait,
			   "%s: vm %u co-scheduled runs a partial gang: %u running, %u waiting", policy, m->vm.id, run, wait);
	}
	FUZZ_CHECK(running == cur, "%s: %u vCPUs RUNNING, %u pCPUs busy", policy, running, cur);
}

/* ---- the environment's side of the entry points ---- */

static struct sched_vcpu *do_schedule(uint32_t p, enum sched_why why)
{
	struct sched_vcpu *prev = fake_pcpus[p].curr;
	struct fs_vcpu *s = prev ? shadow(prev) : NULL;
	bool stop = s && s->stop_pending, void_block = s && s->wake_pending;

	struct sched_vcpu *next = sched_schedule(p, why);
	FUZZ_CHECK(next == fake_pcpus[p].curr, "%s: sched_schedule(%u) returned another vCPU than curr", policy, p);
	if (next)
		FUZZ_CHECK(next->state == SCHED_RUNNING && next->pcpu == p && sched_vcpu_allowed(next, p),
			   "%s: pCPU %u got vm %u vcpu %u (%s) it may not run", policy, p, next->vm->id, next->index,
			   state_name(next->state));
	if (prev) {
		if (stop)
			FUZZ_CHECK(prev->state == SCHED_STOPPED, "%s: stopped vCPU is %s after its pCPU's scheduling point",
				   policy, state_name(prev->state));
		else if (why == SCHED_BLOCK && !void_block)
			FUZZ_CHECK(prev->state == SCHED_BLOCKED, "%s: SCHED_BLOCK left the vCPU %s", policy,
				   state_name(prev->state));
		else
			FUZZ_CHECK(prev->state == SCHED_RUNNING || prev->state == SCHED_RUNNABLE,
				   "%s: %s lost a vCPU (%s)%s", policy, why == SCHED_BLOCK ? "BLOCK after a wake-up" : "TICK/YIELD",
				   state_name(prev->state), void_block ? ": wake-up lost" : "");
		s->stop_pending = s->wake_pending = false;
	}
	return next;
}

static void do_wake(struct sched_vcpu *v)
{
	enum sched_state was = v->state;

	if (was == SCHED_RUNNING)
		shadow(v)->wake_pending = true;
	sched_wake(v);
	if (was == SCHED_BLOCKED || was == SCHED_STOPPED)
		FUZZ_CHECK(v->state == SCHED_RUNNABLE, "%s: woken vCPU is %s", policy, state_name(v->state));
	else
		FUZZ_CHECK(v->state == was, "%s: sched_wake moved a %s vCPU to %s", policy, state_name(was),
			   state_name(v->state));
}

static void deliver_kicks(void)
{
	uint32_t rounds = 0, limit = 8 * (nr_pcpus + MAX_VMS * MAX_VCPUS) + 16;
	bool any;

	do {
		any = false;
		for (uint32_t p = 0; p < nr_pcpus; p++) {
			if (fake_kicked[p]) {
				fake_kicked[p] = false;
				do_schedule(p, SCHED_TICK);
				any = true;
			}
		}
		FUZZ_CHECK(++rounds < limit, "%s: kick storm: still kicking after %u rounds", policy, rounds);
	} while (any);
}

/* The next timer: a pCPU's (delivered late_ns late) or a balloon's. */
static uint64_t next_event(uint32_t *pcpu, struct sched_vcpu **balloon)
{
	uint64_t best = UINT64_MAX;

	*pcpu = nr_pcpus;
	*balloon = NULL;
	for (uint32_t p = 0; p < nr_pcpus; p++) {
		if (fake_timer[p] && fake_timer[p] + late_ns < best) {
			best = fake_timer[p] + late_ns;
			*pcpu = p;
		}
	}
	for_each_vcpu(m, i) {
		if (m->sh[i].balloon_wake && m->sh[i].balloon_wake < best) {
			best = m->sh[i].balloon_wake;
			*balloon = &m->vc[i];
		}
	}
	return best;
}

static void deliver_event(uint64_t at, uint32_t p, struct sched_vcpu *b)
{
	advance(at);
	if (b) {
		shadow(b)->balloon_wake = 0;
		if (b->state == SCHED_BLOCKED && b->in_balloon)
			do_wake(b);
	} else {
		fake_timer[p] = 0;
		do_schedule(p, SCHED_TICK);
	}
	deliver_kicks();
	check_all();
}

/* Deliver every timer up to `until` in time order, then set the clock. */
static void run_until(uint64_t until)
{
	uint64_t last = UINT64_MAX;
	uint32_t same = 0, p;
	struct sched_vcpu *b;

	for (;;) {
		uint64_t at = next_event(&p, &b);
		if (at > until)
			break;
		at = MAX(at, fake_now);
		same = at == last ? same + 1 : 0;
		last = at;
		FUZZ_CHECK(same < 16 * (nr_pcpus + MAX_VMS * MAX_VCPUS),
			   "%s: timer storm: %u timers at %llu ns", policy, same, (unsigned long long)at);
		deliver_event(at, p, b);
	}
	advance(until);
}

/* ---- set-up ---- */

static const char *const bad_knobs[] = { "pdelay.bond", "bound", ".bound", "nosuch.bound", "free.", "gang.x",
					  "free.dyield.x", "pdelay" };

/* The describe line's parts: name, current value, range "lo..hi" or "a|b". */
struct knob {
	char name[48], cur[32], range[96];
};

static bool describe(uint32_t i, struct knob *k)
{
	const char *d = sched_param_describe(i);
	if (!d)
		return false;
	FUZZ_CHECK(sscanf(d, "%47[^=]=%31s (%95[^)])", k->name, k->cur, k->range) == 3, "describe line '%s'", d);
	return true;
}

static bool find_knob(const char *name, struct knob *k)
{
	for (uint32_t i = 0; describe(i, k); i++)
		if (!strcmp(k->name, name))
			return true;
	return false;
}

/* "12ms" -> ns; false if not digits + unit (or no unit when !time). */
static bool parse_num(const char *s, bool time, uint64_t *out)
{
	static const struct { const char *sfx; uint64_t ns; } u[] = { { "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
								       { "s", 1000000000 } };
	unsigned __int128 v = 0;
	const char *c = s;
	for (; *c >= '0' && *c <= '9'; c++)
		if ((v = v * 10 + (unsigned)(*c - '0')) > UINT64_MAX)
			return false;
	if (c == s)
		return false;
	if (!time) {
		*out = (uint64_t)v;
		return !*c;
	}
	for (size_t k = 0; k < sizeof(u) / sizeof(u[0]); k++) {
		if (!strcmp(c, u[k].sfx)) {
			if ((v *= u[k].ns) > UINT64_MAX)
				return false;
			*out = (uint64_t)v;
			return true;
		}
	}
	return false;
}

/* Would the knob take `value`? From its describe line; *digits_ok is false
 * for numbers too long for the reference (the code refuses a little below
 * 2^64 already). */
static bool knob_takes(const struct knob *k, const char *value)
{
	char lo[48], hi[48];
	if (sscanf(k->range, "%47[^.]..%47s", lo, hi) != 2) { /* enum: a|b|c */
		char list[100];
		snprintf(list, sizeof(list), "|%s|", k->range);
		char want[48];
		snprintf(want, sizeof(want), "|%s|", value);
		return *value && !strchr(value, '|') && strstr(list, want);
	}
	bool time = lo[strlen(lo) - 1] > '9';
	uint64_t l, h, v;
	FUZZ_CHECK(parse_num(lo, time, &l) && parse_num(hi, time, &h), "range '%s' of %s", k->range, k->name);
	return parse_num(value, time, &v) && v >= l && v <= h;
}

static bool same_value(const struct knob *k, const char *a, const char *b)
{
	char lo[48], hi[48];
	uint64_t x, y;
	if (sscanf(k->range, "%47[^.]..%47s", lo, hi) != 2)
		return !strcmp(a, b);
	bool time = lo[strlen(lo) - 1] > '9';
	return parse_num(a, time, &x) && parse_num(b, time, &y) && x == y;
}

static void set_knob(struct fz *f)
{
	uint8_t ks = fz_u8(f), vk = fz_u8(f);
	uint32_t raw = fz_u32(f);
	uint32_t n = 0;
	struct knob k = { 0 }, after;
	char name[48], value[40];

	while (sched_param_describe(n))
		n++;
	if (ks >= 240 || !n)
		snprintf(name, sizeof(name), "%s", bad_knobs[ks % (sizeof(bad_knobs) / sizeof(bad_knobs[0]))]);
	else {
		describe(ks % n, &k);
		snprintf(name, sizeof(name), "%s", k.name);
	}
	static const char *const units[] = { "ns", "us", "ms", "s", "", "sec", " ms", "m" };
	switch (vk % 4) {
	case 0: /* a number with a unit, often in range */
		snprintf(value, sizeof(value), "%u%s", raw % 1000000, units[(vk >> 2) % 8]);
		break;
	case 1: { /* a word: one of the enum's choices, or not */
		const char *words[] = { "on", "off", "auto", "intrusive", "nonintrusive", "kernel", "irqoff", "" };
		snprintf(value, sizeof(value), "%s", words[(vk >> 2) % 8]);
		break;
	}
	case 2: { /* raw bytes */
		size_t len = 0;
		for (; len < (vk >> 2) % 12 && fz_left(f); len++)
			value[len] = (char)fz_u8(f);
		value[len] = 0;
		break;
	}
	default: /* a raw number around 2^32, or 20 digits */
		if (vk & 4)
			snprintf(value, sizeof(value), "%llu%s", (unsigned long long)raw * raw * 7, (vk & 8) ? "ns" : "");
		else
			snprintf(value, sizeof(value), "%u%s", raw, units[(vk >> 3) % 4]);
		break;
	}
	bool known = find_knob(name, &k), want = known && knob_takes(&k, value);
	const char *err = NULL;
	int rc = sched_set_param(name, value, &err);
	FZ_DEBUG("knob %s=%s: %s\n", name, value, rc ? err : "ok");
	FUZZ_CHECK(rc == 0 || rc == -1, "sched_set_param returned %d", rc);
	FUZZ_CHECK(!rc == want, "%s=%s: %s, but its description says %s (%s)", name, value, rc ? err : "accepted",
		   want ? "it fits" : "it does not", known ? k.range : "unknown knob");
	if (rc)
		FUZZ_CHECK(err && strstr(err, name), "%s=%s: message '%s' does not name the knob", name, value,
			   err ? err : "(null)");
	if (known) {
		FUZZ_CHECK(find_knob(name, &after), "knob %s disappeared", name);
		FUZZ_CHECK(same_value(&k, after.cur, rc ? k.cur : value),
			   "%s: describe says %s after %s=%s (%s)", name, after.cur, name, value, rc ? "refused" : "accepted");
	}
}

/* Is the policy's refusal of this VM documented (gang: more vCPUs than
 * pCPUs, or affinities that leave no distinct pCPU per member)? -1: no
 * expectation for an unknown policy. */
static int gang_refuses(const struct sched_vm *vm)
{
	if (strcmp(policy, "gang"))
		return strcmp(policy, "free") && strcmp(policy, "pdelay") && strcmp(policy, "balloon") &&
		       strcmp(policy, "relaxed") && strcmp(policy, "adaptive") ? -1 : 0;
	if (vm->nr_vcpus > nr_pcpus)
		return 1;
	/* Hall's condition: every set of members with affinities allows at
	 * least as many pCPUs as it has members (the others take any). */
	uint64_t all = nr_pcpus == 64 ? ~0ull : (1ull << nr_pcpus) - 1;
	for (uint32_t set = 1; set < 1u << vm->nr_vcpus; set++) {
		uint64_t allowed = 0;
		uint32_t n = 0;
		for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
			if (!(set >> i & 1) || !vm->vcpus[i]->affinity)
				continue;
			allowed |= vm->vcpus[i]->affinity[0] & all;
			n++;
		}
		if ((uint32_t)__builtin_popcountll(allowed) < n)
			return 1;
	}
	return 0;
}

static uint32_t allowed_count(const uint64_t *aff)
{
	uint32_t n = 0;
	for (uint32_t p = 0; p < nr_pcpus; p++)
		n += !aff || (aff[p / 64] >> (p % 64) & 1);
	return n;
}

static void add_vm(struct fs_vm *m)
{
	struct sched_vm *vm = &m->vm;
	bool fw_bad = (vm->slice_ns && vm->slice_ns < SCHED_MIN_SLICE_NS) || vm->weight > 65536;
	for (struct fs_vm *o = vms; o < vms + nr_vms; o++)
		fw_bad |= o != m && o->added && o->vm.id == vm->id;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		memset(&m->vc[i], 0, sizeof(m->vc[i]));
		m->vc[i].affinity = m->aff[i];
		m->vc[i].cap = m->cap[i];
		m->ptr[i] = &m->vc[i];
		fw_bad |= m->cap[i] > 100 || !allowed_count(m->aff[i]);
	}
	const char *err = NULL;
	int rc = sched_vm_add(vm, &err);
	int pol = fw_bad ? 1 : gang_refuses(vm);
	FZ_DEBUG("vm %u: %u vCPUs weight %u cap %u slice %llu: %s\n", vm->id, vm->nr_vcpus, vm->weight, vm->cap,
		 (unsigned long long)vm->slice_ns, rc ? err : "added");
	FUZZ_CHECK(pol < 0 || (rc != 0) == (pol == 1), "%s: vm %u %s, expected %s", policy, vm->id,
		   rc ? err : "added", pol ? "a refusal" : "it to be added");
	if (rc) {
		FUZZ_CHECK(err && *err, "%s: refusal without a message", policy);
		return;
	}
	m->added = m->ever = true;
	m->added_at = fake_now;
	m->changes = 0;
	m->mode0 = vm->mode;
	memset(m->sh, 0, sizeof(m->sh));
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		FUZZ_CHECK(m->vc[i].state == SCHED_STOPPED && m->vc[i].vm == vm && m->vc[i].index == i,
			   "%s: a new vCPU is not STOPPED", policy);
}

static void make_vm(struct fz *f, uint32_t idx)
{
	struct fs_vm *m = &vms[idx];
	uint8_t b = fz_u8(f);
	uint16_t w = fz_u16(f);
	uint8_t c = fz_u8(f), sl = fz_u8(f), fl = fz_u8(f);

	m->vm.id = (b & 0x80) && idx ? idx - 1 : idx; /* sometimes a duplicate id */
	m->vm.nr_vcpus = 1 + b % MAX_VCPUS;
	m->vm.vcpus = m->ptr;
	m->vm.weight = w == 0xffff ? 65537 : w == 0xfffe ? 65536 : w;
	m->vm.cap = c < 128 ? 0 : (c - 128u) * 8;
	m->vm.slice_ns = !sl ? 0 : sl < 16 ? sl * 10000ull : sl * 100000ull;
	m->vm.flags = fl;
	for (uint32_t i = 0; i < m->vm.nr_vcpus; i++) {
		uint8_t a = fz_u8(f), vc = fz_u8(f);
		uint32_t p = (a >> 2) % nr_pcpus;
		uint64_t mask = 0;
		m->cap[i] = vc & 0x80 ? vc & 0x7f : 0;
		switch (a % 4) {
		case 0: m->aff[i] = NULL; continue;
		case 1: mask = 1ull << p; break;
		case 2: mask = fz_u64(f); break;
		default: mask = 1ull << p | 1ull << (p + 1) % nr_pcpus; break;
		}
		m->aff[i] = (uint64_t *)fz_dup(&mask, sizeof(mask)); /* exactly one word: nr_pcpus <= 64 */
		FZ_DEBUG("vm %u vcpu %u: affinity 0x%llx cap %u\n", idx, i, (unsigned long long)mask, m->cap[i]);
	}
	add_vm(m);
}

/* ---- operations ---- */

/* The vCPU `sel` among those of added VMs, or NULL. */
static struct sched_vcpu *pick_vcpu(uint8_t sel)
{
	uint32_t n = 0;
	for_each_vcpu(m, i)
		n++;
	if (!n)
		return NULL;
	n = sel % n;
	for_each_vcpu(m, i)
		if (!n--)
			return &m->vc[i];
	return NULL;
}

static void snapshot(struct sched_vcpu *v, uint8_t g)
{
	if (v)
		v->guest = (struct sched_guest){ .kernel = g & 1, .irq_off = g & 2, .cs = g >> 5 };
}

static void op_hint(struct fz *f)
{
	uint32_t p = fz_u8(f) % nr_pcpus;
	uint8_t kind = fz_u8(f), g = fz_u8(f);
	uint32_t raw = fz_u32(f);
	struct sched_vcpu *v = fake_pcpus[p].curr;
	if (!v)
		return;
	enum sched_hint h = (enum sched_hint)(kind % 7);
	uint32_t n = v->vm->nr_vcpus;
	/* In range, one past it, SCHED_NO_VCPU, or anything. */
	uint32_t arg = kind & 0x80 ? raw : (kind & 0x40) ? (raw & 1 ? SCHED_NO_VCPU : n) : raw % n;
	snapshot(v, g);
	bool leave = sched_hint(v, h, arg);
	FZ_DEBUG("hint %u(%u) from vm %u vcpu %u on %u: %d\n", h, arg, v->vm->id, v->index, p, leave);
	if (h == SCHED_HINT_LONG_SPIN || h == SCHED_HINT_YIELD_TO)
		FUZZ_CHECK(leave, "%s: hint %u did not ask for the yield", policy, h);
	if (h == SCHED_HINT_KICK_VCPU && arg < n)
		do_wake(v->vm->vcpus[arg]);
	if (h == SCHED_HINT_PV_HALT || h == SCHED_HINT_BALLOON) {
		/* The HLT that follows; an interrupt pending makes it a TICK. */
		do_schedule(p, (kind & 0x20) ? SCHED_TICK : SCHED_BLOCK);
		if (h == SCHED_HINT_BALLOON && v->state == SCHED_BLOCKED && v->in_balloon)
			shadow(v)->balloon_wake = fake_now + (uint64_t)arg * 1000 + 1;
	} else if (leave || h == SCHED_HINT_SPIN) {
		if (h == SCHED_HINT_SPIN && arg)
			sched_hint(v, SCHED_HINT_SPIN, 0);
		do_schedule(p, SCHED_YIELD);
	}
}

static void op_vm(uint8_t sel)
{
	struct fs_vm *m = &vms[sel % nr_vms];
	const char *err = NULL;

	if (!m->ever)
		return;
	if (!m->added) {
		add_vm(m);
		return;
	}
	bool running = false;
	for (uint32_t i = 0; i < m->vm.nr_vcpus; i++)
		running |= m->vc[i].state == SCHED_RUNNING;
	int rc = sched_vm_remove(&m->vm, &err);
	FUZZ_CHECK(rc == (running ? -1 : 0), "%s: sched_vm_remove %s with%s a running vCPU", policy,
		   rc ? "refused" : "done", running ? "" : "out");
	if (rc) {
		FUZZ_CHECK(err && *err, "%s: sched_vm_remove refused without a message", policy);
		return;
	}
	for (uint32_t i = 0; i < m->vm.nr_vcpus; i++) {
		FUZZ_CHECK(m->vc[i].state == SCHED_STOPPED, "%s: removed VM's vCPU is %s", policy,
			   state_name(m->vc[i].state));
		m->sh[i].balloon_wake = 0;
	}
	m->added = false;
}

static void op(struct fz *f)
{
	uint8_t o = fz_u8(f), a = fz_u8(f), b = fz_u8(f);
	struct sched_vcpu *v;

	switch (o % 8) {
	case 0: /* time passes: up to 2 s */
	case 1:
		run_until(fake_now + ((uint64_t)(a | b << 8) << (5 * (o >> 6))));
		break;
	case 2: /* the pCPU's guest exits: snapshot, then its scheduling point */
		snapshot(fake_pcpus[a % nr_pcpus].curr, b);
		do_schedule(a % nr_pcpus, (enum sched_why)((o >> 3) % 3));
		break;
	case 3:
		op_hint(f);
		break;
	case 4: /* an interrupt, IPI, SIPI or kick for any vCPU */
		if ((v = pick_vcpu(a)))
			do_wake(v);
		break;
	case 5:
		if ((v = pick_vcpu(a))) {
			if (b & 1) {
				enum sched_state was = v->state;
				sched_vcpu_set_blocked(v);
				FUZZ_CHECK(v->state == (was == SCHED_STOPPED ? SCHED_BLOCKED : was),
					   "%s: set_blocked on %s gave %s", policy, state_name(was), state_name(v->state));
			} else {
				bool running = v->state == SCHED_RUNNING;
				sched_vcpu_stop(v);
				if (running)
					shadow(v)->stop_pending = true;
				else
					FUZZ_CHECK(v->state == SCHED_STOPPED, "%s: stop left a vCPU %s", policy,
						   state_name(v->state));
			}
		}
		break;
	case 6:
		op_vm(a);
		break;
	default: /* the guest's state changes while it runs */
		snapshot(fake_pcpus[a % nr_pcpus].curr, b);
		break;
	}
	deliver_kicks();
	check_all();
}

/* Liveness: every vCPU waiting for a pCPU now runs once the others halt. */
static void liveness(void)
{
	bool want[MAX_VMS][MAX_VCPUS] = { { false } };
	uint64_t end = fake_now + LIVE_NS;
	uint32_t p;
	struct sched_vcpu *b;

	for_each_vcpu(m, i) {
		want[m - vms][i] = m->vc[i].state == SCHED_RUNNABLE;
		m->sh[i].balloon_wake = 0;
	}
	for (uint32_t events = 0;; events++) {
		for (bool busy = true; busy;) {
			busy = false;
			for (uint32_t q = 0; q < nr_pcpus; q++) {
				struct sched_vcpu *c = fake_pcpus[q].curr;
				if (!c)
					continue;
				struct fs_vm *m = (struct fs_vm *)(void *)((char *)c->vm - offsetof(struct fs_vm, vm));
				want[m - vms][c->index] = false;
				snapshot(c, 0);
				do_schedule(q, SCHED_BLOCK);
				busy = true;
			}
			deliver_kicks();
			check_all();
		}
		bool done = true;
		for_each_vcpu(m, i)
			done &= !want[m - vms][i];
		if (done)
			return;
		uint64_t at = next_event(&p, &b);
		if (at > end || events > 200000)
			break;
		FZ_DEBUG("liveness: event at %llu on pCPU %u\n", (unsigned long long)at, p);
		deliver_event(MAX(at, fake_now), p, b);
	}
	for_each_vcpu(m, i)
		FUZZ_CHECK(!want[m - vms][i], "%s: vm %u vcpu %u (%s%s) never ran in %llu s with every other vCPU halted",
			   policy, m->vm.id, i, state_name(m->vc[i].state), m->vc[i].costopped ? ", co-stopped" : "",
			   LIVE_NS / 1000000000ull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	char names[160];
	const char *err = NULL;

	uint8_t pol = fz_u8(&f), pc = fz_u8(&f), lt = fz_u8(&f), nk = fz_u8(&f);
	nr_pcpus = pc < 224 ? 1 + pc % 8 : 1 + pc % 64;
	late_ns = lt < 192 ? 0 : (lt - 192ull) * 50000; /* up to 3.15 ms late */
	fake_setup(nr_pcpus, NULL);
	fake_now = (uint64_t)(nk >> 2) << 30; /* the clock need not start at 0 */

	/* Every compiled-in policy, by name from the registry's list. */
	snprintf(names, sizeof(names), "%s", sched_policy_names());
	uint32_t count = 0;
	for (char *t = strtok(names, ", "); t; t = strtok(NULL, ", "))
		count++;
	FUZZ_CHECK(count == sched_policy_count() && count, "sched_policy_names() lists %u of %u", count,
		   sched_policy_count());
	policy = sched_policy(pol % count)->name;
	for (uint32_t k = 0; k < (nk & 3u); k++)
		set_knob(&f);
	if (pol >= 0xf0) {
		FUZZ_CHECK(sched_select("nosuch", &err) == -1 && strstr(err, sched_policy_names()),
			   "an unknown policy: %s", err);
	}
	FUZZ_CHECK(sched_select(policy, &err) == 0 && !strcmp(sched_active_name(), policy), "select %s: %s", policy, err);
	publishes_speed = sched_policy_find(policy)->publish_speed;
	is_pdelay = !strcmp(policy, "pdelay");
	FZ_DEBUG("policy %s, %u pCPUs, timers %llu ns late\n", policy, nr_pcpus, (unsigned long long)late_ns);

	memset(vms, 0, sizeof(vms));
	nr_vms = 1 + fz_u8(&f) % MAX_VMS;
	for (uint32_t i = 0; i < nr_vms; i++)
		make_vm(&f, i);
	/* Start: BSPs woken, APs wait for SIPI; the pCPUs enter their loops. */
	for_each_vcpu(m, i) {
		if (i)
			sched_vcpu_set_blocked(&m->vc[i]);
		else
			do_wake(&m->vc[i]);
	}
	for (uint32_t p = 0; p < nr_pcpus; p++)
		do_schedule(p, SCHED_TICK);
	deliver_kicks();
	check_all();

	for (uint32_t n = 0; fz_left(&f) && n < MAX_OPS; n++)
		op(&f);
	liveness();

	for (uint32_t i = 0; i < MAX_VMS; i++)
		for (uint32_t k = 0; k < MAX_VCPUS; k++)
			free(vms[i].aff[k]);
	return 0;
}
