/* Lock-holder preemption accounting in the hypervisor: the run loop's
 * hooks, per-vCPU event state, per-VM measurement phases and the power-off
 * lines. The rules are lhp_acct.c's; this file feeds them. */
#include "vmm/obs/obs.h"
#include "vmm/obs/lhp_acct.h"
#include "vmm/obs/trace.h"
#include "vmm/vm/backend.h"
#include "vmm/emul/emul.h"
#include "vmm/emul/walk.h"
#include "vmm/pv/hypercall.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/timer.h"

enum leave { LEAVE_NONE, LEAVE_PREEMPT, LEAVE_SPIN, LEAVE_HALT, LEAVE_INIT, LEAVE_STOP };

struct obs_vcpu {
	struct lhp_counts c;
	struct lhp_spin spin;
	struct lhp_sample sample;   /* at the last leave */
	uint8_t leave;              /* enum leave since the last dispatch */
	uint64_t seen_preempt;      /* the scheduler's preemption count, last seen */
	/* A critical-section preemption waiting for the vCPU's next dispatch. */
	bool pending;
	uint64_t pend_ns, pend_rip, pend_sib;
	/* A PV halt: announced (pv_next) for the coming HLT, then open. */
	bool pv_next, pv_wait;
	uint64_t pv_since;
};

/* Everything a phase reports: events plus the scheduler's accounting. */
struct obs_snap {
	struct lhp_counts c;
	uint64_t ns, run_ns, steal_ns, sched_preempt, yields, delays, costops;
};

struct obs_phase {
	char label[OBS_LABEL_MAX + 1];
	struct obs_snap d;
};

struct obs_vm {
	bool agent;
	struct obs_percpu_syms syms;
	bool open;
	char open_label[OBS_LABEL_MAX + 1];
	struct obs_snap begin;
	unsigned nphases;
	struct obs_phase ph[OBS_MAX_PHASES];
	struct obs_vcpu *vc;        /* nvcpus of them */
};

static struct obs_vm *ovm[VM_MAX];

static struct obs_vcpu *ov(struct vcpu *v)
{
	struct obs_vm *o = ovm[v->vm->id];
	return o ? &o->vc[v->id] : NULL;
}

void obs_start(unsigned npcpus)
{
	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = vms[i];
		struct obs_vm *o = kzalloc(sizeof(*o));
		struct obs_vcpu *vc = o ? kzalloc(vm->nvcpus * sizeof(*vc)) : NULL;
		if (!vc) {
			kfree(o);
			pr_warn("obs: no memory for vm %s: no lock-holder accounting for it", vm->name);
			continue;
		}
		o->vc = vc;
		ovm[vm->id] = o;
	}
	trace_init(npcpus, sched_active_name());
	hypercall_obs = obs_agent_hypercall;
}

static void emit(uint8_t type, struct vcpu *v, uint8_t flags, uint32_t a, uint64_t b, uint64_t c,
		 uint64_t ns)
{
	struct trace_rec r = { .ns = ns, .type = type, .flags = flags, .vm = (uint8_t)v->vm->id,
			       .vcpu = (uint8_t)v->id, .a = a, .b = b, .c = c };
	trace_emit(&r);
}

/* The guest's per-CPU variables of the CPU v ran: x86-64 Linux addresses
 * them %gs-relative. The kernel's GS base is in GS_BASE while it runs and
 * in KERNEL_GS_BASE while user space runs (SWAPGS); at the edges (kernel
 * entry before SWAPGS) the other one holds it, so take whichever of the
 * two is a kernel (upper-half) address, preferring the current mode's. */
static void read_percpu(struct vcpu *v, const struct obs_percpu_syms *sy, struct lhp_sample *s)
{
	const struct vmm_backend *b = backend;
	uint64_t gs = b->get_reg(v, VREG_GS_BASE), kgs = b->get_reg(v, VREG_KGS_BASE);
	uint64_t base = s->cpl == 0 ? gs : kgs, other = s->cpl == 0 ? kgs : gs;
	if (!(base >> 63))
		base = other;
	if (!(base >> 63))
		return;
	struct guest_mode m = {
		.cr0 = b->get_reg(v, VREG_CR0), .cr3 = b->get_reg(v, VREG_CR3),
		.cr4 = b->get_reg(v, VREG_CR4), .efer = b->get_reg(v, VREG_EFER),
	};
	uint32_t pc;
	if (guest_read_linear(v->vm, &m, base + sy->preempt_count, &pc, 4) == 4) {
		s->pc = pc;
		s->pc_valid = true;
	}
	uint64_t cur, idle;
	if (sy->current_task && sy->idle_threads &&
	    guest_read_linear(v->vm, &m, base + sy->current_task, &cur, 8) == 8 &&
	    guest_read_linear(v->vm, &m, base + sy->idle_threads, &idle, 8) == 8) {
		s->idle_known = true;
		s->idle = cur && cur == idle;
	}
}

static void close_spin(struct vcpu *v, struct obs_vcpu *o, const struct lhp_wait *w)
{
	lhp_count_spin(&o->c, w);
	emit(TR_SPIN, v, w->extended, w->exits, w->rip, w->ns, w->end);
}

void obs_vcpu_leave(struct vcpu *v, int r)
{
	struct obs_vcpu *o = ov(v);
	if (!o)
		return;
	const struct vmm_backend *b = backend;
	uint64_t now = time_now();
	struct lhp_sample *s = &o->sample;
	memset(s, 0, sizeof(*s));
	s->rip = b->get_reg(v, VREG_RIP);
	s->cpl = (uint8_t)b->get_cpl(v);
	struct lhp_wait w;
	switch (r) {
	case RUN_SPIN:
		o->leave = LEAVE_SPIN;
		o->c.spin_exits++;
		if (lhp_spin_exit(&o->spin, now, s->rip, &w))
			close_spin(v, o, &w);
		return;
	case RUN_PREEMPT: o->leave = LEAVE_PREEMPT; break;
	case RUN_HALT: o->leave = LEAVE_HALT; break;
	case RUN_INIT: o->leave = LEAVE_INIT; break;
	default: o->leave = LEAVE_STOP; break;
	}
	/* Only these can end in an involuntary preemption (a HLT or INIT whose
	 * wake-up came meanwhile continues as runnable): sample them fully. */
	s->irq_on = (b->get_reg(v, VREG_RFLAGS) & RFLAGS_IF) != 0;
	struct obs_vm *ovmp = ovm[v->vm->id];
	if (s->cpl == 0 && ovmp->agent)
		read_percpu(v, &ovmp->syms, s);
	if (lhp_spin_leave(&o->spin, now, o->leave != LEAVE_PREEMPT, &w))
		close_spin(v, o, &w);
	if (o->leave == LEAVE_HALT) {
		o->c.halts++;
		emit(TR_HALT, v, o->pv_next, 0, s->rip, 0, now);
		if (o->pv_next) {
			o->pv_wait = true;
			o->pv_since = now;
		}
	}
	o->pv_next = false;
}

/* Run time of v's siblings so far (the scheduler's accounting). */
static uint64_t sibling_run(struct vcpu *v)
{
	uint64_t sum = 0;
	struct vm *vm = v->vm;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		if (vm->vcpus[i] == v)
			continue;
		struct sched_stats st;
		sched_vcpu_stats(&vm->vcpus[i]->sched, &st);
		sum += st.run_ns;
	}
	return sum;
}

static void resolve_lhp(struct vcpu *v, struct obs_vcpu *o, uint64_t now)
{
	uint64_t ran = sibling_run(v) - o->pend_sib;
	bool harmful = ran >= LHP_SIBLING_NS;
	if (harmful)
		o->c.lhp++;
	emit(TR_LHP, v, harmful, (uint32_t)MIN(ran / 1000, 0xffffffffull), o->pend_rip, o->pend_ns, now);
	o->pending = false;
}

static uint8_t why_of(struct vcpu *v, const struct obs_vcpu *o, bool preempted)
{
	if (preempted)
		return TR_WHY_PREEMPT;
	switch (o->leave) {
	case LEAVE_SPIN: return TR_WHY_YIELD;
	case LEAVE_HALT: return TR_WHY_HALT;
	case LEAVE_INIT: return TR_WHY_INIT;
	case LEAVE_STOP: return TR_WHY_STOP;
	default: return v->vm->state != VM_RUNNING ? TR_WHY_STOP : TR_WHY_BLOCK;
	}
}

void obs_sched_point(unsigned pcpu, struct vcpu *prev, struct vcpu *next)
{
	uint64_t now = time_now();
	struct obs_vcpu *o;
	if (prev && (o = ov(prev))) {
		/* The framework counts a preemption when it takes a vCPU that
		 * is still runnable off, other than by a yield: its counter
		 * moved in the sched_schedule() just done, on this pCPU. */
		uint64_t p = prev->sched.stats.preemptions;
		bool preempted = p != o->seen_preempt;
		o->seen_preempt = p;
		unsigned cls = 0;
		if (preempted) {
			cls = lhp_classify(&o->sample);
			lhp_count_preempt(&o->c, cls);
			if (cls & LHP_C_CS) {
				o->pending = true;
				o->pend_ns = now;
				o->pend_rip = o->sample.rip;
				o->pend_sib = sibling_run(prev);
			}
		}
		if (next != prev)
			emit(TR_DESCHED, prev, why_of(prev, o, preempted), cls, o->sample.rip,
			     o->sample.pc_valid ? o->sample.pc : 0, now);
	}
	if (next && (o = ov(next))) {
		if (next != prev)
			emit(TR_DISPATCH, next, 0, 0, 0, 0, now);
		o->leave = LEAVE_NONE;
		lhp_spin_dispatch(&o->spin, now);
		if (o->pv_wait) {
			struct lhp_wait w = { .end = now, .ns = now - o->pv_since };
			w.extended = w.ns > LONG_WAIT_NS;
			lhp_count_pv(&o->c, &w);
			emit(TR_PVWAIT, next, w.extended, 0, 0, w.ns, now);
			o->pv_wait = false;
		}
		if (o->pending)
			resolve_lhp(next, o, now);
	}
	trace_drain_some();
}

void obs_idle(void)
{
	trace_drain_own();
}

void obs_pv_halt(struct vcpu *v)
{
	struct obs_vcpu *o = ov(v);
	if (o)
		o->pv_next = true;
}

void obs_pv_kick(struct vcpu *from, struct vcpu *to)
{
	struct obs_vcpu *of = ov(from), *ot = ov(to);
	if (of)
		__atomic_fetch_add(&of->c.kicks_sent, 1, __ATOMIC_RELAXED);
	if (ot)
		__atomic_fetch_add(&ot->c.kicks_recv, 1, __ATOMIC_RELAXED);
	emit(TR_KICK, from, 0, to->id, 0, 0, time_now());
}

void obs_guest_lock_state(struct vcpu *v, struct sched_guest *g)
{
	struct obs_vcpu *o = ov(v);
	unsigned cls = o ? lhp_classify(&o->sample) : 0;
	g->pc_known = (cls & LHP_C_PC) != 0;
	g->pc_off = (cls & LHP_C_CS) != 0;
}

void obs_policy_event(struct vcpu *v, enum trace_policy kind, uint32_t value)
{
	emit(TR_POLICY, v, (uint8_t)kind, value, 0, 0, time_now());
}

/* A VM's counters and scheduler accounting now. */
static void snap(struct vm *vm, struct obs_snap *s)
{
	struct obs_vm *o = ovm[vm->id];
	memset(s, 0, sizeof(*s));
	s->ns = time_now();
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct sched_stats st;
		sched_vcpu_stats(&vm->vcpus[i]->sched, &st);
		s->run_ns += st.run_ns;
		s->steal_ns += st.steal_ns;
		s->sched_preempt += st.preemptions;
		s->yields += st.yields;
		s->delays += st.delays;
		s->costops += st.costops;
		lhp_counts_add(&s->c, &o->vc[i].c);
	}
}

static void snap_sub(struct obs_snap *d, const struct obs_snap *a, const struct obs_snap *b)
{
	lhp_counts_sub(&d->c, &a->c, &b->c);
	d->ns = a->ns - b->ns;
	d->run_ns = a->run_ns - b->run_ns;
	d->steal_ns = a->steal_ns - b->steal_ns;
	d->sched_preempt = a->sched_preempt - b->sched_preempt;
	d->yields = a->yields - b->yields;
	d->delays = a->delays - b->delays;
	d->costops = a->costops - b->costops;
}

void obs_vm_register(struct vm *vm, const struct obs_percpu_syms *s)
{
	struct obs_vm *o = ovm[vm->id];
	if (!o)
		return;
	o->syms = *s;
	__atomic_store_n(&o->agent, true, __ATOMIC_RELEASE);
}

int obs_phase_begin(struct vm *vm, const char *label, uint64_t *ns)
{
	struct obs_vm *o = ovm[vm->id];
	if (!o || o->open || o->nphases >= OBS_MAX_PHASES)
		return -1;
	lib_strlcpy(o->open_label, label, sizeof(o->open_label));
	snap(vm, &o->begin);
	*ns = o->begin.ns;
	o->open = true;
	return 0;
}

static uint64_t close_phase(struct vm *vm, struct obs_vm *o)
{
	struct obs_snap now;
	snap(vm, &now);
	struct obs_phase *p = &o->ph[o->nphases++];
	lib_strlcpy(p->label, o->open_label, sizeof(p->label));
	snap_sub(&p->d, &now, &o->begin);
	o->open = false;
	return now.ns;
}

int obs_phase_end(struct vm *vm, const char *label, uint64_t *ns)
{
	struct obs_vm *o = ovm[vm->id];
	if (!o || !o->open || strcmp(o->open_label, label))
		return -1;
	*ns = close_phase(vm, o);
	return 0;
}

void obs_trace_mark(struct vcpu *v, unsigned kind, const char *label, uint64_t ns)
{
	char l[16] = { 0 };
	for (unsigned i = 0; i < sizeof(l) && label[i]; i++)
		l[i] = label[i];
	emit(TR_MARK, v, (uint8_t)kind, 0, get_le64(l), get_le64(l + 8), ns);
}

/* Milliseconds with three decimals. */
#define MS(ns) (unsigned long long)((ns) / 1000000), (unsigned long long)((ns) / 1000 % 1000)

static void print_snap(const struct vm *vm, const struct obs_vm *o, const char *label,
		       const struct obs_snap *s)
{
	const struct lhp_counts *c = &s->c;
	pr_info("summary: lhp vm %s phase %s agent %u secs %llu.%03llu preempt %llu cs %llu lhp %llu "
		"kernel %llu user %llu irqoff %llu idle %llu",
		vm->name, label, o->agent ? 1u : 0u, MS(s->ns), (unsigned long long)c->preempts,
		(unsigned long long)c->cs, (unsigned long long)c->lhp, (unsigned long long)c->kernel,
		(unsigned long long)c->user, (unsigned long long)c->irqoff, (unsigned long long)c->idle);
	pr_info("summary: lhp vm %s phase %s spins %llu spin_ms %llu.%03llu spin_exits %llu "
		"long_spins %llu long_spin_ms %llu.%03llu pv_halts %llu pv_halt_ms %llu.%03llu "
		"long_pv %llu long_pv_ms %llu.%03llu kicks %llu halts %llu",
		vm->name, label, (unsigned long long)c->spins, MS(c->spin_ns),
		(unsigned long long)c->spin_exits, (unsigned long long)c->long_spins, MS(c->long_spin_ns),
		(unsigned long long)c->pv_halts, MS(c->pv_halt_ns), (unsigned long long)c->long_pv,
		MS(c->long_pv_ns), (unsigned long long)c->kicks_sent, (unsigned long long)c->halts);
	pr_info("summary: lhp vm %s phase %s run_ms %llu.%03llu steal_ms %llu.%03llu "
		"sched_preempt %llu yields %llu delays %llu costops %llu",
		vm->name, label, MS(s->run_ns), MS(s->steal_ns), (unsigned long long)s->sched_preempt,
		(unsigned long long)s->yields, (unsigned long long)s->delays, (unsigned long long)s->costops);
}

void obs_summary(void)
{
	uint64_t now = time_now();
	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = vms[i];
		struct obs_vm *o = ovm[vm->id];
		if (!o)
			continue;
		/* Every vCPU has stopped: close what is still open. */
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			struct obs_vcpu *x = &o->vc[c];
			struct lhp_wait w;
			if (lhp_spin_flush(&x->spin, &w))
				close_spin(vm->vcpus[c], x, &w);
			if (x->pending)
				resolve_lhp(vm->vcpus[c], x, now);
		}
		if (o->open && o->nphases < OBS_MAX_PHASES)
			close_phase(vm, o);
		struct obs_snap all;
		snap(vm, &all);
		all.ns -= vm->created_ns;
		print_snap(vm, o, "all", &all);
		for (unsigned p = 0; p < o->nphases; p++)
			print_snap(vm, o, o->ph[p].label, &o->ph[p].d);
	}
	trace_drain_all();
}
