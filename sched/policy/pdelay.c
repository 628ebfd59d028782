/* "pdelay": preemption delay (Uhlig et al., VM'04; the delayed-preemption
 * flags of L4Ka::Pistachio), on top of the fair queue.
 *
 * At a slice end with someone waiting, a vCPU that may hold a lock keeps its
 * pCPU for extensions of pdelay.step, re-checked at each, until it reaches a
 * safe point or pdelay.bound past the original slice end; at the bound it is
 * preempted whatever it does, and that counts as an overrun, so a guest
 * cannot steal time with the protocol. Two forms, chosen per VM
 * (pdelay.form=auto: intrusive when the VM keeps lhv's critical-section
 * count, SCHED_VM_CS_HINTS):
 * - intrusive: the vCPU may hold a lock while its critical-section count is
 *   non-zero. The policy sets preempt_pending, which the environment copies
 *   into the guest's hint area; the guest yields (LHV_YIELD -> SCHED_YIELD)
 *   when it leaves the section, counted as a yield on time.
 * - non-intrusive: the guest knows nothing; a vCPU interrupted in kernel mode
 *   (pdelay.evidence=kernel) or in kernel mode with interrupts off
 *   (evidence=irqoff) may hold a lock; user mode is a safe point. The
 *   default, evidence=preempt, asks the guest kernel's own preemption count
 *   where the environment can read it (Linux's __preempt_count once a guest
 *   agent registered it: raised by every spin_lock), which is what
 *   "holds a lock" means there; where it cannot, kernel mode as above.
 * Counters: delays (delayed slice ends), delay_ns, yields_on_time, overruns. */
#include "sched/sched_fq.h"

enum { FORM_AUTO, FORM_INTRUSIVE, FORM_NONINTRUSIVE };
enum { EVIDENCE_KERNEL, EVIDENCE_IRQOFF, EVIDENCE_PREEMPT };

struct pd_vcpu {
	struct fq_vcpu fq;
	uint64_t ext_start; /* slice end the current delay started at; 0: none */
};

static struct sched_fq Q;
static uint64_t bound, step, form, evidence, dyield;

static const char *const forms[] = { "auto", "intrusive", "nonintrusive", NULL };
static const char *const evidences[] = { "kernel", "irqoff", "preempt", NULL };
static const struct sched_param pdelay_params[] = {
	{ "bound", SCHED_PARAM_TIME, 10000, 100000000, 1000000, &bound, NULL,
	  "longest delay of a preemption past the slice end" },
	{ "step", SCHED_PARAM_TIME, 1000, 10000000, 100000, &step, NULL,
	  "extension granted at a time, re-checked at its end" },
	{ "form", SCHED_PARAM_ENUM, 0, 2, FORM_AUTO, &form, forms,
	  "intrusive: the guest's critical-section count; auto: intrusive for VMs that keep it" },
	{ "evidence", SCHED_PARAM_ENUM, 0, 2, EVIDENCE_PREEMPT, &evidence, evidences,
	  "non-intrusive: kernel mode; kernel mode with interrupts off; the guest's preemption count (else kernel)" },
	FQ_PARAM_DYIELD(&dyield),
	{ 0 },
};

static struct pd_vcpu *pv(struct sched_vcpu *v) { return sched_vcpu_priv(v); }

static void pdelay_init(void)
{
	fq_init(&Q, offsetof(struct pd_vcpu, fq), 0, 0);
	Q.dyield = &dyield;
}

static bool intrusive(const struct sched_vcpu *v)
{
	return form == FORM_INTRUSIVE || (form == FORM_AUTO && (v->vm->flags & SCHED_VM_CS_HINTS));
}

/* May v hold a lock right now, as far as its form can tell? */
static bool unsafe(const struct sched_vcpu *v)
{
	if (intrusive(v))
		return v->guest.cs != 0;
	if (!v->guest.kernel)
		return false;
	if (evidence == EVIDENCE_PREEMPT && v->guest.pc_known)
		return v->guest.pc_off;
	return evidence != EVIDENCE_IRQOFF || v->guest.irq_off;
}

/* v's delay is over (it yielded, blocked, was preempted or got a new slice). */
static void end_delay(struct sched_vcpu *v, uint64_t now)
{
	if (!pv(v)->ext_start)
		return;
	v->stats.delay_ns += now > pv(v)->ext_start ? now - pv(v)->ext_start : 0;
	pv(v)->ext_start = 0;
	v->preempt_pending = false;
}

FQ_POLICY_HOOKS(pdelay, &Q)

static void pdelay_sleep(struct sched_vcpu *v, uint64_t now)
{
	end_delay(v, now);
	fq_sleep(&Q, v);
}

static struct sched_vcpu *pdelay_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				      enum sched_why why, uint64_t now, uint64_t *deadline)
{
	uint64_t end = fq_pcpu(&Q, p)->slice_end;

	if (prev && why == SCHED_TICK && now >= end && fq_contended(&Q, p) && unsafe(prev)) {
		struct pd_vcpu *d = pv(prev);
		if (!d->ext_start) {
			d->ext_start = end;
			prev->stats.delays++;
		}
		uint64_t limit = d->ext_start + bound;
		if (now < limit) {
			prev->preempt_pending = intrusive(prev);
			*deadline = MIN(now + step, limit);
			sched_env_event(prev, SCHED_EV_DELAY, (uint32_t)((*deadline - now) / 1000));
			return prev;
		}
		prev->stats.overruns++; /* the bound holds: preempted all the same */
	}
	if (prev)
		end_delay(prev, now);
	return fq_pick(&Q, p, prev, why, now, deadline);
}

static const struct sched_ops sched_pdelay_ops = {
	.name = "pdelay", .params = pdelay_params, .init = pdelay_init, .vm_add = pdelay_fq_vm_add,
	.vm_remove = pdelay_fq_vm_remove, .wake = pdelay_fq_wake, .sleep = pdelay_sleep,
	.charge = pdelay_fq_charge, .pick = pdelay_pick, .hint = pdelay_fq_hint, .check = pdelay_fq_check,
};
SCHED_REGISTER(sched_pdelay_ops, struct pd_vcpu, struct fq_vm, struct fq_pcpu);
