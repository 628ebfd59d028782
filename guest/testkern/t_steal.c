/* Steal time (MSR_KVM_STEAL_TIME, Linux Documentation/virt/kvm/x86/msr.rst)
 * and the `preempted` byte with the PV TLB flush flag, as lhv offers them.
 *
 *   steal    BSP: reserved bits 1-5 raise #GP; registration publishes at
 *            once (version even); every dispatch bumps the version (lhv
 *            ends a slice every 10 ms even without competition); steal
 *            never falls and never exceeds the time that passed, and grows
 *            by at least steal_min_ms= when the pCPU is shared; a second
 *            registration moves the record (the old one freezes); the last
 *            64 bytes of RAM work, the first address past it and far
 *            outside RAM are accepted but never written (as KVM does);
 *            0 disables.
 *   preempt  needs an AP (run smp first): its `preempted` stays 0 while it
 *            is halted; while it is busy and waits for a pCPU it shows 1
 *            (required with contended=1); FLUSH_TLB set on it then is gone
 *            when it runs again (the script checks lhv counted a flush). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/pv.h"
#include "guest/testkern/smp.h"
#include "guest/testkern/tests.h"

static struct kvm_steal_time rec_a, rec_b, ap_rec[AP_MAX];

static bool frozen_for(volatile struct kvm_steal_time *st, uint32_t ms)
{
	uint32_t v0 = st->version;
	uint64_t s0 = st->steal;
	pv_spin_ms(ms);
	return st->version == v0 && st->steal == s0;
}

/* The end of the RAM region holding the kernel (1 MiB up), or 0. */
static uint64_t ram_end(void)
{
	for (unsigned i = 0; i < bootinfo.nregions; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		if (r->type == MMAP_RAM && r->base <= 0x100000 && r->base + r->len > 0x100000)
			return r->base + r->len;
	}
	return 0;
}

static enum verdict accepted_unused(uint64_t gpa, volatile struct kvm_steal_time *old)
{
	uint64_t val;
	if (pv_wrmsr(MSR_KVM_STEAL_TIME, gpa | 1) >= 0)
		return tk_fail("wrmsr of a record at 0x%llx outside RAM faulted (KVM accepts it)",
			       (unsigned long long)gpa);
	if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) >= 0 || val != (gpa | 1))
		return tk_fail("rdmsr after a record outside RAM: 0x%llx", (unsigned long long)val);
	if (old && !frozen_for(old, 25))
		return tk_fail("the previous record still changes after a move outside RAM");
	return V_PASS;
}

static enum verdict registration(uint32_t khz)
{
	uint64_t val, a = (uint32_t)&rec_a, b = (uint32_t)&rec_b;
	if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) >= 0 || val != 0)
		return tk_fail("rdmsr before registration: vector %d value 0x%llx", tk_fault_vector,
			       (unsigned long long)val);
	for (unsigned bit = 1; bit <= 5; bit++) {
		if (pv_wrmsr(MSR_KVM_STEAL_TIME, a | 1 | 1u << bit) != VEC_GP)
			return tk_fail("reserved bit %u: want #GP, got vector %d", bit, tk_fault_vector);
	}
	if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) >= 0 || val != 0)
		return tk_fail("a refused write changed the MSR to 0x%llx", (unsigned long long)val);
	if (pv_wrmsr(MSR_KVM_STEAL_TIME, a | 1) >= 0)
		return tk_fail("registration faulted (vector %d)", tk_fault_vector);
	if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) >= 0 || val != (a | 1))
		return tk_fail("rdmsr after registration: 0x%llx", (unsigned long long)val);
	if (rec_a.version < 2 || (rec_a.version & 1) || rec_a.preempted)
		return tk_fail("record after registration: version %u preempted %u", rec_a.version,
			       rec_a.preempted);

	uint32_t min_ms = 0, ms = 60, v0, v1;
	param_u32("steal_min_ms", &min_ms);
	uint64_t s0 = pv_steal_read(&rec_a, &v0), t0 = rdtsc(), last = s0;
	uint64_t end = t0 + (uint64_t)ms * khz;
	while (rdtsc() < end) {
		uint64_t s = pv_steal_read(&rec_a, NULL);
		if (s < last)
			return tk_fail("steal went back from 0x%llx to 0x%llx", (unsigned long long)last,
				       (unsigned long long)s);
		last = s;
	}
	uint64_t s1 = pv_steal_read(&rec_a, &v1), t1 = rdtsc();
	uint64_t steal = s1 - s0, ticks = t1 - t0;
	tk_printf("INFO steal over %u ms: steal_us=%u versions=%u\n", ms, (uint32_t)steal / 1000,
		  v1 - v0);
	if (v1 == v0)
		return tk_fail("no update in %u ms (a dispatch every slice must update it)", ms);
	/* steal_ns * kHz <= ticks * 10^6: never more than the time that passed. */
	if (steal * khz > ticks * 1000000ull)
		return tk_fail("steal 0x%llx ns is more than the 0x%llx ticks that passed",
			       (unsigned long long)steal, (unsigned long long)ticks);
	if (steal < (uint64_t)min_ms * 1000000ull)
		return tk_fail("steal %u us in %u ms, want at least %u ms with a shared pCPU",
			       (uint32_t)steal / 1000, ms, min_ms);

	/* Re-registration moves the record; the old one freezes. */
	if (pv_wrmsr(MSR_KVM_STEAL_TIME, b | 1) >= 0)
		return tk_fail("re-registration faulted");
	if (rec_b.version < 2 || (rec_b.version & 1))
		return tk_fail("new record: version %u", rec_b.version);
	if (!frozen_for(&rec_a, 30))
		return tk_fail("the old record is still written after re-registration");
	if (rec_b.version <= 2)
		return tk_fail("the new record is not updated (version %u)", rec_b.version);
	return V_PASS;
}

enum verdict t_steal(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint64_t val;
	if (!pv_has(KVM_FEATURE_STEAL_TIME)) {
		if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) != VEC_GP ||
		    pv_wrmsr(MSR_KVM_STEAL_TIME, (uint32_t)&rec_a | 1) != VEC_GP)
			return tk_fail("steal-time MSR without the feature: want #GP");
		return V_PASS;
	}
	uint32_t khz = pv_tsc_khz();
	if ((v = registration(khz)) != V_PASS)
		return v;

	/* The last 64 bytes of RAM hold a record; the next address does not. */
	uint64_t end = ram_end();
	if (!end)
		return tk_fail("no RAM region around 1 MiB in the memory map");
	volatile struct kvm_steal_time *top = (volatile struct kvm_steal_time *)(uint32_t)(end - 64);
	top->version = 0;
	if (pv_wrmsr(MSR_KVM_STEAL_TIME, (end - 64) | 1) >= 0)
		return tk_fail("a record in the last 64 bytes of RAM faulted");
	if (top->version < 2 || (top->version & 1))
		return tk_fail("the record at the end of RAM is not written (version %u)", top->version);
	if ((v = accepted_unused(end, top)) != V_PASS ||
	    (v = accepted_unused(0xC0000000u, NULL)) != V_PASS ||
	    (v = accepted_unused(0xffffffffffffffc0ull, NULL)) != V_PASS)
		return v;

	/* 0 disables. */
	if (pv_wrmsr(MSR_KVM_STEAL_TIME, (uint32_t)&rec_b | 1) >= 0 || pv_wrmsr(MSR_KVM_STEAL_TIME, 0) >= 0)
		return tk_fail("enable/disable faulted");
	if (pv_rdmsr(MSR_KVM_STEAL_TIME, &val) >= 0 || val != 0)
		return tk_fail("rdmsr after disabling: 0x%llx", (unsigned long long)val);
	if (!frozen_for(&rec_b, 25))
		return tk_fail("a disabled record is still written");
	return V_PASS;
}

static volatile uint32_t job_ok, job_ms;
static void job_register(uint32_t slot)
{
	job_ok = pv_wrmsr(MSR_KVM_STEAL_TIME, (uint32_t)&ap_rec[slot] | 1) < 0;
}
static void job_unregister(uint32_t slot __attribute__((unused)))
{
	job_ok = pv_wrmsr(MSR_KVM_STEAL_TIME, 0) < 0;
}
static void job_spin(uint32_t slot __attribute__((unused)))
{
	pv_spin_ms(job_ms);
}

static bool cmpxchg8(volatile uint8_t *p, uint8_t old, uint8_t new)
{
	uint8_t prev = old;
	__asm__ volatile("lock cmpxchgb %2, %1" : "+a"(prev), "+m"(*p) : "q"(new) : "memory");
	return prev == old;
}

enum verdict t_preempt(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	if (!pv_has(KVM_FEATURE_STEAL_TIME))
		return tk_skip("no steal time in pv=");
	if (!ap_count())
		return tk_skip("needs an AP (run smp first)");
	if (!ap_start_job(0, job_register) || !ap_wait_job(0, 100000000u) || !job_ok)
		return tk_fail("the AP could not register its record");
	volatile struct kvm_steal_time *r = &ap_rec[0];
	uint32_t khz = pv_tsc_khz(), contended = 0;
	param_u32("contended", &contended);

	/* Parked in HLT: idle, never preempted. */
	for (uint64_t end = rdtsc() + 50ull * khz; rdtsc() < end;)
		if (r->preempted)
			return tk_fail("the halted AP shows preempted=%u", r->preempted);

	/* Busy: preempted whenever it waits for a pCPU. Once seen, ask it for
	 * a TLB flush the guest's way and watch lhv take the flag. */
	uint32_t seen = 0, flagged = 0, consumed = 0, before = r->version;
	job_ms = 120;
	if (!ap_start_job(0, job_spin))
		return tk_fail("the AP does not take jobs");
	for (uint64_t end = rdtsc() + 400ull * khz; rdtsc() < end;) {
		uint8_t p = r->preempted;
		if (p & KVM_VCPU_PREEMPTED) {
			seen++;
			if (!flagged && cmpxchg8(&r->preempted, KVM_VCPU_PREEMPTED,
						 KVM_VCPU_PREEMPTED | KVM_VCPU_FLUSH_TLB))
				flagged = 1;
		} else if (flagged && !consumed) {
			consumed = 1;           /* lhv cleared both bits at the dispatch */
		}
		if (consumed && ap_wait_job(0, 1))
			break;
	}
	if (!ap_wait_job(0, 100000000u))
		return tk_fail("the AP's busy job did not end");
	tk_printf("INFO preempt seen=%u flagged=%u consumed=%u versions=%u\n", seen, flagged,
		  consumed, r->version - before);
	if (contended && !seen)
		return tk_fail("the busy AP never showed preempted=1 on shared pCPUs");
	if (flagged && !consumed && (pv_spin_ms(30), r->preempted))
		return tk_fail("FLUSH_TLB stayed set (preempted=%u) after the AP ran again", r->preempted);
	/* Halted again: the byte is 0 and stays 0. */
	pv_spin_ms(20);
	for (uint64_t end = rdtsc() + 30ull * khz; rdtsc() < end;)
		if (r->preempted)
			return tk_fail("the AP, halted after its job, shows preempted=%u", r->preempted);
	if (!ap_start_job(0, job_unregister) || !ap_wait_job(0, 100000000u) || !job_ok)
		return tk_fail("the AP could not disable its record");
	return V_PASS;
}
