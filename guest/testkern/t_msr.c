/* msr: architectural MSRs the hypervisor virtualizes behave like hardware,
 * and an unknown MSR raises #GP (caught through our IDT, see idt.h). */
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define MSR_TSC            0x10
#define MSR_APIC_BASE      0x1b
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_PAT            0x277
#define MSR_BOGUS          0x12345678

#define APIC_BASE_BSP      (1u << 8)
#define APIC_BASE_X2APIC   (1u << 10)
#define APIC_BASE_ENABLE   (1u << 11)

/* Return the fault vector, or -1 if the instruction completed. */
static int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("rdmsr")
			 : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return tk_fault_vector;
}

static int wrmsr_safe(uint32_t msr, uint64_t val)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("wrmsr")
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : "memory");
	return tk_fault_vector;
}

/* Write, read back, compare. Returns a FAIL verdict or V_PASS. */
static enum verdict roundtrip(uint32_t msr, uint64_t val)
{
	uint64_t got;
	int f = wrmsr_safe(msr, val);
	if (f >= 0)
		return tk_fail("wrmsr 0x%x=0x%llx faulted (vector %d)", msr,
			       (unsigned long long)val, f);
	f = rdmsr_safe(msr, &got);
	if (f >= 0)
		return tk_fail("rdmsr 0x%x faulted (vector %d)", msr, f);
	if (got != val)
		return tk_fail("msr 0x%x wrote 0x%llx read 0x%llx", msr,
			       (unsigned long long)val, (unsigned long long)got);
	return V_PASS;
}

static enum verdict check_sysenter_pat(void)
{
	static const struct {
		uint32_t msr;
		uint64_t a, b;
	} cases[] = {
		{ MSR_SYSENTER_CS, 0x10, 0x08 },
		{ MSR_SYSENTER_ESP, 0x12345678, 0xfedcba98 },
		{ MSR_SYSENTER_EIP, 0x00c0ffee, 0x80001000 },
		/* PAT: every entry a valid type (0 1 4 5 6 7); paging is off,
		 * so the value has no effect on this kernel. */
		{ MSR_PAT, 0x0007040600070406ull, 0x0001050400070106ull },
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t old;
		int f = rdmsr_safe(cases[i].msr, &old);
		if (f >= 0)
			return tk_fail("rdmsr 0x%x faulted (vector %d)", cases[i].msr, f);
		enum verdict v = roundtrip(cases[i].msr, cases[i].a);
		if (v == V_PASS)
			v = roundtrip(cases[i].msr, cases[i].b);
		wrmsr_safe(cases[i].msr, old);
		if (v != V_PASS)
			return v;
	}
	return V_PASS;
}

static enum verdict check_tsc(void)
{
	uint64_t a, b;
	if (rdmsr_safe(MSR_TSC, &a) >= 0)
		return tk_fail("rdmsr TSC faulted");
	for (int i = 0; i < 1000; i++)
		cpu_relax();
	if (rdmsr_safe(MSR_TSC, &b) >= 0)
		return tk_fail("rdmsr TSC faulted");
	uint64_t c = rdtsc();
	if (a == 0 && b == 0 && c != 0 && !hv_info()->kvm) {
		/* QEMU TCG does not implement reads of MSR 0x10 (returns 0). */
		tk_printf("INFO msr rdmsr 0x10 reads 0 while rdtsc works (no hypervisor: tolerated)\n");
		return V_PASS;
	}
	if (b <= a || c < b)
		return tk_fail("TSC not increasing: 0x%llx 0x%llx rdtsc 0x%llx",
			       (unsigned long long)a, (unsigned long long)b,
			       (unsigned long long)c);
	return V_PASS;
}

static enum verdict check_apic_base(void)
{
	uint64_t v;
	if (rdmsr_safe(MSR_APIC_BASE, &v) >= 0)
		return tk_fail("rdmsr APIC_BASE faulted");
	/* The kernel runs its tests on the BSP (vCPU 0). */
	uint64_t want = 0xFEE00000u | APIC_BASE_ENABLE | APIC_BASE_BSP;
	if (v != want)
		return tk_fail("APIC_BASE=0x%llx, want 0x%llx (xAPIC, enabled, BSP)",
			       (unsigned long long)v, (unsigned long long)want);
	return V_PASS;
}

/* Bare under QEMU TCG unknown MSRs do not fault (TCG reads 0 and ignores
 * writes); under a hypervisor the #GP is required. Returns a note or NULL. */
static enum verdict check_bogus(const char **note)
{
	uint64_t v;
	int fr = rdmsr_safe(MSR_BOGUS, &v);
	int fw = wrmsr_safe(MSR_BOGUS, 0x1234);
	if (fr == VEC_GP && fw == VEC_GP)
		return V_PASS;
	if (fr >= 0 && fr != VEC_GP)
		return tk_fail("rdmsr 0x%x raised vector %d, want #GP", MSR_BOGUS, fr);
	if (fw >= 0 && fw != VEC_GP)
		return tk_fail("wrmsr 0x%x raised vector %d, want #GP", MSR_BOGUS, fw);
	if (hv_info()->kvm)
		return tk_fail("unknown msr 0x%x: %s did not raise #GP", MSR_BOGUS,
			       fr < 0 ? "rdmsr" : "wrmsr");
	*note = fr < 0 ? "rdmsr of unknown msr did not #GP (no hypervisor: tolerated)"
		       : "wrmsr of unknown msr did not #GP (no hypervisor: tolerated)";
	return V_PASS;
}

/* AMD CPUs all have the legacy counters PerfEvtSel0-3/PerfCtr0-3 at
 * 0xc0010000-7 (APM Vol. 2, 13.2.1; kvm-unit-tests writes them at start-up
 * and died on lhv's #GP); under a hypervisor they read back what is
 * written and EVNTSEL bit 63 is reserved. Nothing to check on Intel. */
static enum verdict check_amd_perf(void)
{
	if (!cpu_is_amd())
		return V_PASS;
	for (uint32_t msr = 0xc0010000u; msr <= 0xc0010007u; msr++) {
		uint64_t v = 0, old;
		if (rdmsr_safe(msr, &old) >= 0)
			return tk_fail("AMD rdmsr 0x%x faulted", msr);
		if (!hv_info()->kvm)
			continue;               /* bare QEMU TCG: reads 0, ignores writes */
		uint64_t x = msr < 0xc0010004u ? 0x30076u : 0x123456789aull;
		if (wrmsr_safe(msr, x) >= 0 || rdmsr_safe(msr, &v) >= 0 || v != x)
			return tk_fail("AMD msr 0x%x: wrote 0x%llx, reads 0x%llx", msr,
				       (unsigned long long)x, (unsigned long long)v);
		wrmsr_safe(msr, old);
	}
	if (hv_info()->kvm && wrmsr_safe(0xc0010000u, 1ull << 63) != VEC_GP)
		return tk_fail("AMD PerfEvtSel0 with reserved bit 63: no #GP");
	return V_PASS;
}

enum verdict t_msr(void)
{
	enum verdict v;
	const char *note = NULL;
	if ((v = check_sysenter_pat()) != V_PASS)
		return v;
	if ((v = check_tsc()) != V_PASS)
		return v;
	if ((v = check_apic_base()) != V_PASS)
		return v;
	if ((v = check_bogus(&note)) != V_PASS)
		return v;
	if ((v = check_amd_perf()) != V_PASS)
		return v;
	if (note)
		tk_printf("INFO msr %s\n", note);
	return V_PASS;
}
