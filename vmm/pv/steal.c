/* Steal time and the `preempted` byte (KVM_FEATURE_STEAL_TIME, PV TLB
 * flush): Linux's Documentation/virt/kvm/x86/msr.rst for the interface;
 * KVM's record_steal_time and kvm_steal_time_set_preempted for the
 * behaviour lhv follows. The record is only ever written from the vCPU's
 * own pCPU (its MSR write, its dispatch, its put), so it needs no lock;
 * the guest's other vCPUs may change `preempted` concurrently, hence the
 * atomics of pv_abi.c. */
#include "vmm/pv/pv.h"
#include "vmm/pv/pv_abi.h"
#include "vmm/vm/gpa.h"

/* The scheduler's exact runnable-but-not-running time of v so far. */
static uint64_t sched_steal_ns(struct vcpu *v)
{
	struct sched_stats st;
	sched_vcpu_stats(&v->sched, &st);
	return st.steal_ns;
}

/* The record, if enabled; looked up each time (cheap: RAM never moves). */
static uint8_t *record(struct vcpu *v)
{
	return v->pv.st_on ? gpa_to_hva(v->vm, v->pv.st_gpa, KVM_ST_SIZE) : NULL;
}

bool pv_steal_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!(v->vm->cfg.pv & VM_PV_STEAL))
		return false;           /* not offered: #GP, as a KVM that enforces CPUID */
	*val = v->pv.st_msr;
	return true;
}

bool pv_steal_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (!(v->vm->cfg.pv & VM_PV_STEAL))
		return false;
	v->pv.stats.st_set++;
	if (!pv_steal_msr_ok(val)) {
		v->pv.stats.st_bad++;
		return false;           /* reserved bits 1-5: #GP */
	}
	/* A new value replaces the old registration at once, as in KVM (a
	 * guest re-registers after kexec or CPU hotplug); the old record is
	 * no longer written. */
	v->pv.st_msr = val;
	v->pv.st_on = false;
	if (!(val & KVM_MSR_ENABLED))
		return true;
	uint64_t gpa = val & KVM_STEAL_VALID_BITS;
	/* KVM takes any address and never updates a record outside guest
	 * memory; so does lhv (counted). The record is 64-byte aligned, so it
	 * is either wholly inside one RAM chunk or not RAM at all. */
	if (!gpa_to_hva(v->vm, gpa, KVM_ST_SIZE)) {
		v->pv.stats.st_bad++;
		return true;
	}
	v->pv.st_gpa = gpa;
	v->pv.st_on = true;
	/* Steal counts from now; publish at once (KVM's STEAL_UPDATE). */
	v->pv.st_last_ns = sched_steal_ns(v);
	pv_steal_record(record(v), 0);
	return true;
}

void pv_vcpu_load(struct vcpu *v)
{
	pv_hint_publish(v);
	uint8_t *rec = record(v);
	if (!rec)
		return;
	uint64_t now = sched_steal_ns(v), d = now - v->pv.st_last_ns;
	v->pv.st_last_ns = now;
	v->pv.stats.steal_ns += d;
	uint8_t old = pv_steal_record(rec, d);
	/* The guest skipped the TLB-shootdown IPI to this preempted vCPU and
	 * set FLUSH_TLB instead (kvm_flush_tlb_multi): flush before it runs. */
	if ((old & KVM_VCPU_FLUSH_TLB) && (v->vm->cfg.pv & VM_PV_TLB)) {
		v->pv.stats.tlb_flush++;
		vcpu_request_local(v, VCPU_REQ_TLB_FLUSH);
	}
}

void pv_vcpu_put(struct vcpu *v, bool runnable)
{
	/* Only a vCPU taken off while it wants to run is preempted: a halted
	 * one is idle for the guest (KVM marks only involuntary preemption). */
	uint8_t *rec;
	if (runnable && (rec = record(v)))
		pv_steal_mark_preempted(rec);
}

void pv_vcpu_reset(struct vcpu *v)
{
	v->pv.st_msr = 0;
	v->pv.st_on = false;
	v->pv.unhalted = false;
	pv_lhv_reset(v);
}
