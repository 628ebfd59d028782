/* KVM's paravirtual calls that involve other vCPUs: KVM_HC_KICK_CPU (PV
 * unhalt), KVM_HC_SCHED_YIELD and KVM_HC_SEND_IPI, with the behaviour of
 * KVM 6.1 (kvm_emulate_hypercall, kvm_pv_kick_cpu_op, kvm_sched_yield,
 * kvm_pv_send_ipi): a target APIC ID no vCPU of the VM has is ignored and
 * the call still returns 0 (counted as bad), a bad ICR gets -KVM_EINVAL.
 * A call only ever reaches vCPUs of the caller's own VM. */
#include "vmm/pv/hypercall.h"
#include "vmm/pv/pv.h"
#include "vmm/dev/vlapic.h"
#include "core/fmt.h"

/* The vCPU of vm with this (physical) APIC ID, or NULL. lhv numbers them
 * 0..n-1, so the index is the first guess; anything else is searched. */
static struct vcpu *by_apic_id(struct vm *vm, uint64_t id)
{
	if (id < vm->nvcpus && vm->vcpus[id]->apic_id == id)
		return vm->vcpus[id];
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i]->apic_id == id)
			return vm->vcpus[i];
	return NULL;
}

/* The one place where the paravirtual interface talks to the scheduler
 * (docs/scheduling.md, "Paravirtual hints"): "from wants `to` to run soon",
 * after a kick (before the target is woken) or a yield to it. Returns
 * whether `from` should offer its pCPU now (a directed yield). KVM's rule
 * (kvm_sched_yield) yields only towards a vCPU that waits for a pCPU,
 * preempted or woken and not yet running, never to itself; the policy may
 * ask for a yield on top of that through sched_hint's answer. */
enum pv_hint { PV_HINT_KICK, PV_HINT_YIELD };
static bool sched_hint_pv(struct vcpu *from, struct vcpu *to, enum pv_hint why)
{
	bool waits = to != from && __atomic_load_n(&to->state, __ATOMIC_RELAXED) == VCPU_RUNNABLE;
	if (why == PV_HINT_YIELD && !waits)
		return false;
	enum sched_hint h = why == PV_HINT_KICK ? SCHED_HINT_KICK_VCPU : SCHED_HINT_YIELD_TO;
	pv_guest_snapshot(from);
	bool leave = sched_hint(&from->sched, h, to->sched.index);
	return waits || leave;
}

static void yield_if(bool yield, struct vcpu *v, struct hc_call *c)
{
	if (!yield)
		return;
	v->pv.stats.yield_to++;
	c->result = HC_YIELD;
}

/* a0: flags (0; KVM ignores them), a1: the APIC ID to wake. */
uint64_t hc_kick_cpu(struct vcpu *v, struct hc_call *c)
{
	struct vcpu *t = by_apic_id(v->vm, c->a[1]);
	v->pv.stats.kick_tx++;
	if (!t) {
		v->pv.stats.kick_bad++;
		return 0;
	}
	__atomic_fetch_add(&t->pv.stats.kick_rx, 1, __ATOMIC_RELAXED);
	/* Whoever sets the flag wakes the target; a kick while one is still
	 * pending changes nothing (no wake-up, no scheduler call), so a flood
	 * of kicks costs only its own exits. */
	if (!__atomic_exchange_n(&t->pv.unhalted, true, __ATOMIC_SEQ_CST)) {
		bool yield = sched_hint_pv(v, t, PV_HINT_KICK);
		vcpu_kick(t);
		yield_if(yield, v, c);
	}
	return 0;
}

/* a0: the APIC ID of a vCPU the caller waits for (it sent it an IPI). */
uint64_t hc_sched_yield(struct vcpu *v, struct hc_call *c)
{
	struct vcpu *t = by_apic_id(v->vm, c->a[0]);
	v->pv.stats.yield++;
	if (!t) {
		v->pv.stats.yield_bad++;
		return 0;
	}
	if (t != v)
		yield_if(sched_hint_pv(v, t, PV_HINT_YIELD), v, c);
	return 0;
}

struct ipi_ctx {
	struct vm *vm;
	uint32_t icr;
};

static unsigned ipi_one(void *ctx, uint32_t apic_id)
{
	struct ipi_ctx *x = ctx;
	struct vcpu *t = by_apic_id(x->vm, apic_id);
	return t && vlapic_send_msg(t, x->icr);
}

/* a0/a1: destination bitmaps, a2: the APIC ID of a0's bit 0, a3: ICR. */
uint64_t hc_send_ipi(struct vcpu *v, struct hc_call *c)
{
	struct vm *vm = v->vm;
	v->pv.stats.ipi++;
	if (!pv_ipi_icr_ok(c->a[3])) {
		v->pv.stats.ipi_bad++;
		return HC_EINVAL;
	}
	uint32_t max_id = 0;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		max_id = MAX(max_id, vm->vcpus[i]->apic_id);
	struct ipi_ctx x = { vm, (uint32_t)c->a[3] };
	uint64_t n = pv_ipi_walk(c->a[0], c->a[1], c->a[2], hc_long_mode(v, c), max_id,
				   ipi_one, &x);
	v->pv.stats.ipi_dest += n;
	return n;
}

bool pv_hlt_skip(struct vcpu *v)
{
	if (!__atomic_load_n(&v->pv.unhalted, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&v->pv.unhalted, false, __ATOMIC_RELAXED);
	v->pv.stats.kick_early++;
	return true;
}

void pv_halt_ended(struct vcpu *v, bool halted)
{
	if (!__atomic_exchange_n(&v->pv.unhalted, false, __ATOMIC_ACQ_REL))
		return;
	if (halted)
		v->pv.stats.kick_wake++;
	else
		v->pv.stats.kick_early++;
}

void pv_stats_line(const struct vcpu *v, char *buf, size_t len)
{
	const struct vcpu_pv_stats *s = &v->pv.stats;
	fmt_snprintf(buf, len, "pv vm %s vcpu%u kick_tx=%llu kick_rx=%llu kick_wake=%llu "
		     "kick_early=%llu kick_bad=%llu steal_ns=%llu st_set=%llu st_bad=%llu "
		     "tlb_flush=%llu yield=%llu yield_to=%llu yield_bad=%llu ipi=%llu "
		     "ipi_dest=%llu ipi_bad=%llu eperm=%llu enosys=%llu hint_set=%llu hint_bad=%llu "
		     "lyield=%llu lspin=%llu lspin_bad=%llu balloon=%llu balloon_bad=%llu "
		     "balloon_early=%llu lspeed=%llu balloon_nowait=%llu",
		     v->vm->name, v->id, (unsigned long long)s->kick_tx,
		     (unsigned long long)__atomic_load_n(&s->kick_rx, __ATOMIC_RELAXED),
		     (unsigned long long)s->kick_wake, (unsigned long long)s->kick_early,
		     (unsigned long long)s->kick_bad, (unsigned long long)s->steal_ns,
		     (unsigned long long)s->st_set, (unsigned long long)s->st_bad,
		     (unsigned long long)s->tlb_flush, (unsigned long long)s->yield,
		     (unsigned long long)s->yield_to, (unsigned long long)s->yield_bad,
		     (unsigned long long)s->ipi, (unsigned long long)s->ipi_dest,
		     (unsigned long long)s->ipi_bad, (unsigned long long)s->eperm,
		     (unsigned long long)s->enosys, (unsigned long long)s->hint_set,
		     (unsigned long long)s->hint_bad, (unsigned long long)s->lyield,
		     (unsigned long long)s->lspin, (unsigned long long)s->lspin_bad,
		     (unsigned long long)s->balloon, (unsigned long long)s->balloon_bad,
		     (unsigned long long)s->balloon_early, (unsigned long long)s->lspeed,
		     (unsigned long long)s->balloon_nowait);
}
