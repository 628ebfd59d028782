/* Guest-side helpers of the pv tests (pv.h). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/pv.h"

static const struct {
	const char *name;
	uint32_t bits;
} words[] = {
	{ "unhalt", KVM_FEATURE_PV_UNHALT }, { "steal", KVM_FEATURE_STEAL_TIME },
	{ "tlb", KVM_FEATURE_PV_TLB_FLUSH }, { "yield", KVM_FEATURE_PV_SCHED_YIELD },
	{ "ipi", KVM_FEATURE_PV_SEND_IPI },
	{ "all", KVM_FEATURE_PV_UNHALT | KVM_FEATURE_STEAL_TIME | KVM_FEATURE_PV_TLB_FLUSH |
		 KVM_FEATURE_PV_SCHED_YIELD | KVM_FEATURE_PV_SEND_IPI },
};

uint32_t pv_expected(bool *realtime)
{
	char spec[64];
	uint32_t f = KVM_FEATURE_CLOCKSOURCE | KVM_FEATURE_CLOCKSOURCE2 |
		     KVM_FEATURE_CLOCKSOURCE_STABLE;
	*realtime = false;
	if (!param_str("pv", spec, sizeof(spec)))
		memcpy(spec, "all", 4);
	if (!strcmp(spec, "none"))
		return f;
	char *p = spec;
	while (*p) {
		char *w = p;
		while (*p && *p != ',')
			p++;
		if (*p)
			*p++ = '\0';
		if (!strcmp(w, "realtime"))
			*realtime = true;
		for (unsigned i = 0; i < ARRAY_SIZE(words); i++)
			if (!strcmp(w, words[i].name))
				f |= words[i].bits;
	}
	return f;
}

bool pv_has(uint32_t feature)
{
	bool rt;
	return pv_expected(&rt) & feature;
}

uint32_t pv_hypercall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
		      bool *clobbered)
{
	uint32_t a = nr, b = a0, c = a1, d = a2, s = a3;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("vmcall")
			 : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s) : : "memory");
	*clobbered = b != a0 || c != a1 || d != a2 || s != a3;
	return tk_fault_vector >= 0 ? 0xdeadbeefu : a;
}

int pv_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return tk_fault_vector;
}

int pv_wrmsr(uint32_t msr, uint64_t val)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("wrmsr")
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return tk_fault_vector;
}

uint32_t pv_tsc_khz(void)
{
	uint32_t khz = cpuid(KVM_CPUID_TIMING, 0).eax;
	return khz ? khz : 100000;      /* Bochs' ips default, should the leaf be missing */
}

void pv_spin_ms(uint32_t ms)
{
	uint64_t end = rdtsc() + (uint64_t)ms * pv_tsc_khz();
	while (rdtsc() < end)
		cpu_relax();
}

uint64_t pv_steal_read(volatile struct kvm_steal_time *st, uint32_t *version)
{
	for (;;) {
		uint32_t v1 = st->version;
		__asm__ volatile("" ::: "memory");
		uint32_t lo = ((volatile uint32_t *)&st->steal)[0];
		uint32_t hi = ((volatile uint32_t *)&st->steal)[1];
		__asm__ volatile("" ::: "memory");
		if (!(v1 & 1) && st->version == v1) {
			if (version)
				*version = v1;
			return ((uint64_t)hi << 32) | lo;
		}
		cpu_relax();
	}
}
