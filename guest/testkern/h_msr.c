/* Hostile MSR tests: sweeps of every MSR range, addresses that are not
 * canonical, TSC writes seen by every vCPU, paravirtual MSRs pointed at
 * memory that is not RAM. */
#include "guest/testkern/ap.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/tests.h"

#define MSR_TSC 0x10

/* msr_sweep: RDMSR of every index in the architectural, KVM and AMD64
 * ranges; an MSR that reads is written back with its value (which must
 * then read the same, or #GP for a read-only one), one that #GPs on read
 * must #GP on write (lhv implements no write-only MSR). Nothing stops the
 * VM or another. */
enum verdict t_msr_sweep(void)
{
	struct fails f = { 0 };
	static const struct { uint32_t first, n; } ranges[] = {
		{ 0, 0x2000 }, { 0x40000000u, 0x100 }, { 0x4b564d00u, 0x100 },
		{ 0xc0000000u, 0x2000 }, { 0xc0010000u, 0x100 }, { 0xffffff00u, 0x100 },
	};
	unsigned readable = 0, total = 0;
	bool lhv = tk_is_lhv();
	for (unsigned r = 0; r < ARRAY_SIZE(ranges); r++) {
		for (uint32_t i = 0; i < ranges[r].n; i++, total++) {
			uint32_t msr = ranges[r].first + i;
			uint64_t v, again;
			int vec = rdmsr_safe(msr, &v);
			if (vec != NOFAULT) {
				if (vec != 13)
					fail_note(&f, "RDMSR 0x%x: vector %d, want #GP", msr, vec);
				else if (lhv && (vec = wrmsr_safe(msr, 0)) != 13)
					fail_note(&f, "WRMSR 0x%x=0 of an unreadable MSR: vector %d", msr, vec);
				continue;
			}
			readable++;
			if (!lhv || msr == MSR_TSC)
				continue;               /* bare: writes may do anything */
			vec = wrmsr_safe(msr, v);
			if (vec == NOFAULT && rdmsr_safe(msr, &again) == NOFAULT && again != v &&
			    msr != 0x6e0)
				fail_note(&f, "MSR 0x%x wrote back 0x%llx, reads 0x%llx", msr,
					  (unsigned long long)v, (unsigned long long)again);
		}
	}
	tk_printf("INFO msr_sweep %u MSRs, %u readable\n", total, readable);
	return fail_verdict(&f);
}

/* msr_canon: MSRs that hold linear addresses take canonical values only
 * (WRMSR #GP otherwise, SDM Vol. 4): a non-canonical SYSENTER_EIP used to
 * reach the VMCS and fail the next VM entry (issue 14, defect 6). */
enum verdict t_msr_canon(void)
{
	if (!tk_is_lhv())
		return tk_skip("QEMU's TCG checks no MSR value");
	struct fails f = { 0 };
	bool lm = cpuid(0x80000000u, 0).eax >= 0x80000001u && cpuid_bit(0x80000001u, 3, 29);
	unsigned bits = cpuid(0x80000000u, 0).eax >= 0x80000008u ?
			(cpuid(0x80000008u, 0).eax >> 8) & 0xff : 48;
	if (bits < 48 || bits > 63)
		bits = 48;
	/* Canonical: bits 63:bits-1 equal. */
	uint64_t hi_ok = ~0ull << (bits - 1);                 /* lowest canonical upper-half address */
	uint64_t bad = 1ull << (bits - 1);                    /* first non-canonical */
	static const struct { uint32_t msr; bool lm; } msrs[] = {
		{ 0x175, false }, { 0x176, false },                     /* SYSENTER_ESP/EIP */
		{ 0xc0000082u, true }, { 0xc0000083u, true },           /* LSTAR, CSTAR */
		{ 0xc0000100u, true }, { 0xc0000101u, true }, { 0xc0000102u, true }, /* FS/GS/KGS */
	};
	static const uint64_t bads[] = { 0x8000000000000000ull, 0x00ff000000000000ull, 0 };
	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++) {
		uint32_t msr = msrs[i].msr;
		uint64_t old, got = 0;
		if (msrs[i].lm && !lm)
			continue;
		if (rdmsr_safe(msr, &old) != NOFAULT) {
			fail_note(&f, "RDMSR 0x%x faulted", msr);
			continue;
		}
		for (unsigned b = 0; b < ARRAY_SIZE(bads); b++) {
			uint64_t val = bads[b] ? bads[b] : bad;
			int vec = wrmsr_safe(msr, val);
			if (vec != 13)
				fail_note(&f, "WRMSR 0x%x=0x%llx (not canonical): vector %d, want #GP",
					  msr, (unsigned long long)val, vec);
		}
		int vec = wrmsr_safe(msr, hi_ok);
		if (vec != NOFAULT || rdmsr_safe(msr, &got) != NOFAULT || got != hi_ok)
			fail_note(&f, "WRMSR 0x%x=0x%llx (canonical): vector %d, reads 0x%llx", msr,
				  (unsigned long long)hi_ok, vec, (unsigned long long)got);
		wrmsr_safe(msr, old);
	}
	/* Other checked MSRs: PAT types, EFER reserved bits. (SFMASK and
	 * TSC_AUX pass through: the CPU checks them itself, Bochs not.) */
	uint64_t v;
	if (rdmsr_safe(0x277, &v) == NOFAULT) {
		if (wrmsr_safe(0x277, 0x0007040600070402ull) != 13)     /* type 2 is reserved */
			fail_note(&f, "PAT with reserved type 2: no #GP");
		if (wrmsr_safe(0x277, 0x0007040600070408ull) != 13)
			fail_note(&f, "PAT with type 8: no #GP");
		wrmsr_safe(0x277, v);
	}
	if (rdmsr_safe(0xc0000080u, &v) == NOFAULT && wrmsr_safe(0xc0000080u, v | (1ull << 2)) != 13)
		fail_note(&f, "EFER with reserved bit 2: no #GP");
	return fail_verdict(&f);
}

/* cpuid_msrs: every CPUID feature that comes with an MSR has that MSR
 * (RDMSR does not #GP): a guest that sees the feature uses it. lhv once
 * passed the debug-store bit through without IA32_DS_AREA, and
 * kvm-unit-tests' la57 test died on the #GP. */
enum verdict t_cpuid_msrs(void)
{
	struct fails f = { 0 };
	static const struct { uint32_t leaf; uint8_t reg, bit; uint32_t msr; const char *name; } m[] = {
		{ 1, 3, 11, 0x174, "SEP: SYSENTER_CS" },
		{ 1, 3, 12, 0xfe, "MTRR: MTRRCAP" },
		{ 1, 3, 14, 0x179, "MCA: MCG_CAP" },
		{ 1, 3, 16, 0x277, "PAT" },
		{ 1, 3, 21, 0x600, "DS: DS_AREA" },
		{ 1, 2, 5, 0x480, "VMX: VMX_BASIC" },
		{ 1, 2, 15, 0x345, "PDCM: PERF_CAPABILITIES" },
		{ 1, 2, 24, 0x6e0, "TSC-deadline: TSC_DEADLINE" },
		{ 7, 1, 1, 0x3b, "TSC_ADJUST" },
		{ 7, 3, 26, 0x48, "IBRS: SPEC_CTRL" },
		{ 7, 3, 29, 0x10a, "ARCH_CAPABILITIES" },
		{ 7, 3, 30, 0xcf, "CORE_CAPABILITIES" },
		{ 0x80000001u, 3, 11, 0xc0000081u, "SYSCALL: STAR" },
		{ 0x80000001u, 3, 27, 0xc0000103u, "RDTSCP: TSC_AUX" },
		{ 0x80000001u, 3, 29, 0xc0000100u, "LM: FS_BASE" },
	};
	uint32_t max = cpuid(0, 0).eax, maxx = cpuid(0x80000000u, 0).eax;
	unsigned offered = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(m); i++) {
		uint32_t leaf = m[i].leaf;
		if (leaf < 0x80000000u ? leaf > max : leaf > maxx)
			continue;
		if (!cpuid_bit(leaf, m[i].reg, m[i].bit))
			continue;
		offered++;
		uint64_t val;
		int vec = rdmsr_safe(m[i].msr, &val);
		if (vec != NOFAULT)
			fail_note(&f, "CPUID offers %s, RDMSR 0x%x: vector %d", m[i].name, m[i].msr, vec);
	}
	if (cpuid(0xdu, 1).eax & (1u << 3)) {
		uint64_t val;
		offered++;
		if (rdmsr_safe(0xda0, &val) != NOFAULT)
			fail_note(&f, "CPUID offers XSAVES, RDMSR IA32_XSS faults");
	}
	tk_printf("INFO cpuid_msrs %u features with an MSR offered\n", offered);
	return fail_verdict(&f);
}

#define MSR_MISC_ENABLE 0x1a0
#define MISC_LIMIT_CPUID (1ull << 22)
#define MISC_XD_DISABLE (1ull << 34)

/* misc_enable: IA32_MISC_ENABLE's R/W bits (fast strings 0, TCC 3, EIST
 * 16, MONITOR 18, LIMIT CPUID 22, xTPR 23, XD DISABLE 34; SDM Vol. 4,
 * Table 2-2) keep what is written; kvm-unit-tests' msr test checks this
 * (lhv used to read a constant 1). Under lhv also: a reserved bit #GPs,
 * LIMIT CPUID makes leaf 0 report 2, XD DISABLE clears CPUID's NX bit;
 * clearing them undoes it. */
enum verdict t_misc_enable(void)
{
	struct fails f = { 0 };
	uint64_t orig, got = 0;
	if (rdmsr_safe(MSR_MISC_ENABLE, &orig) != NOFAULT)
		return tk_fail("RDMSR IA32_MISC_ENABLE faulted");
	bool lhv = tk_is_lhv();
	uint32_t max0 = cpuid(0, 0).eax;
	bool nx = cpuid(0x80000000u, 0).eax >= 0x80000001u && cpuid_bit(0x80000001u, 3, 20);
	static const uint64_t bits[] = { 1ull << 0, 1ull << 3, 1ull << 16, 1ull << 18,
					 MISC_LIMIT_CPUID, 1ull << 23, MISC_XD_DISABLE };
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
		uint64_t b = bits[i];
		if ((b == MISC_LIMIT_CPUID && max0 <= 2) || (b == MISC_XD_DISABLE && !nx))
			continue;
		for (int set = 0; set < 2; set++) {
			uint64_t want = set ? orig | b : orig & ~b;
			int vec = wrmsr_safe(MSR_MISC_ENABLE, want);
			if (vec != NOFAULT || rdmsr_safe(MSR_MISC_ENABLE, &got) != NOFAULT || got != want) {
				fail_note(&f, "IA32_MISC_ENABLE=0x%llx: vector %d, reads 0x%llx",
					  (unsigned long long)want, vec, (unsigned long long)got);
				continue;
			}
			if (!lhv || !set)
				continue;
			if (b == MISC_LIMIT_CPUID && cpuid(0, 0).eax != 2)
				fail_note(&f, "LIMIT CPUID set: leaf 0 reports %u, want 2", cpuid(0, 0).eax);
			if (b == MISC_XD_DISABLE && cpuid_bit(0x80000001u, 3, 20))
				fail_note(&f, "XD DISABLE set: CPUID still shows NX");
		}
		wrmsr_safe(MSR_MISC_ENABLE, orig);
	}
	if (lhv && cpuid(0, 0).eax != max0)
		fail_note(&f, "LIMIT CPUID cleared: leaf 0 reports %u, was %u", cpuid(0, 0).eax, max0);
	if (lhv && wrmsr_safe(MSR_MISC_ENABLE, orig | (1ull << 1)) != 13)
		fail_note(&f, "IA32_MISC_ENABLE with reserved bit 1: no #GP");
	if (lhv && wrmsr_safe(MSR_MISC_ENABLE, orig | (1ull << 40)) != 13)
		fail_note(&f, "IA32_MISC_ENABLE with reserved bit 40: no #GP");
	wrmsr_safe(MSR_MISC_ENABLE, orig);
	return fail_verdict(&f);
}

static volatile uint64_t ap_tsc_seen, ap_tsc_want;
static volatile uint32_t ap_tsc_go, ap_tsc_done;

static NORETURN void tsc_reader(uint32_t apic_id)
{
	(void)apic_id;
	while (!ap_tsc_go)
		cpu_relax();
	/* The write reaches this vCPU when it next leaves the guest (lhv
	 * kicks it); the spin's PAUSE exits give it every chance. */
	/* Near the value written, whichever way the write moved the TSC (the
	 * loop before wrote a larger one). */
	uint64_t want = ap_tsc_want, t = rdtsc();
	for (uint32_t i = 0; i < 50000000u && (t < want || t - want > (1ull << 36)); i++) {
		cpu_relax();
		t = rdtsc();
	}
	ap_tsc_seen = t;
	ap_tsc_done = 1;
	ap_park();
}

/* tsc_write: a WRMSR to the TSC moves the writer's TSC at once (issue 14,
 * defect 5: the writer's VMCS kept its old offset). lhv moves the whole VM
 * (docs/vmx.md): every other vCPU takes the new value before it next
 * enters the guest. (On hardware each logical CPU has its own TSC; this
 * second check is lhv's documented choice.) */
enum verdict t_tsc_write(void)
{
	if (!tk_is_lhv())
		return tk_skip("QEMU's TCG ignores TSC writes");
	uint32_t cpus = 1;
	param_u32("cpus", &cpus);
	static const uint64_t targets[] = { 1ull << 40, 1000000ull, 1ull << 50 };
	for (unsigned i = 0; i < ARRAY_SIZE(targets); i++) {
		uint64_t x = targets[i];
		if (wrmsr_safe(MSR_TSC, x) != NOFAULT)
			return tk_fail("WRMSR TSC=0x%llx faulted", (unsigned long long)x);
		uint64_t now = rdtsc(), msr = rdmsr(MSR_TSC);
		if (now < x || now - x > (1ull << 32))
			return tk_fail("after WRMSR TSC=0x%llx, RDTSC reads 0x%llx", (unsigned long long)x,
				       (unsigned long long)now);
		if (msr < now || msr - now > (1ull << 32))
			return tk_fail("after WRMSR TSC=0x%llx, RDMSR TSC reads 0x%llx (RDTSC 0x%llx)",
				       (unsigned long long)x, (unsigned long long)msr,
				       (unsigned long long)now);
	}
	if (cpus < 2)
		return V_PASS;
	/* An AP, running before the write, must see it. */
	ap_tsc_go = ap_tsc_done = 0;
	if (!ap_start(1, tsc_reader))
		return tk_fail("AP 1 did not start");
	uint64_t x = 1ull << 45;
	ap_tsc_want = x;
	wrmsr(MSR_TSC, x);
	ap_tsc_go = 1;
	if (!tk_wait_count(&ap_tsc_done, 1, 100000000u))
		return tk_fail("AP 1 did not read its TSC");
	if (ap_tsc_seen < x || ap_tsc_seen - x > (1ull << 36))
		return tk_fail("BSP wrote TSC=0x%llx; AP 1 then read 0x%llx", (unsigned long long)x,
			       (unsigned long long)ap_tsc_seen);
	return V_PASS;
}

#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u

/* pvmsr: the paravirtual clock MSRs pointed at what is not RAM (beyond
 * the end, the LAPIC page, misaligned) are refused (#GP) and harm
 * nothing; a good address works; a faulting WRMSR changes nothing. */
enum verdict t_pvmsr(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	if (!(cpuid(0x40000001u, 0).eax & (1u << 3)))
		return tk_skip("no KVM_FEATURE_CLOCKSOURCE2");
	struct fails f = { 0 };
	static uint8_t area[64] __attribute__((aligned(64)));
	static const uint64_t bads[] = { 0xc0000001ull, 0xfee00001ull, 0x100000000001ull,
					 (uint64_t)0xffffffffffffffe1ull };
	for (unsigned i = 0; i < ARRAY_SIZE(bads); i++) {
		int vec = wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, bads[i]);
		if (vec != 13)
			fail_note(&f, "SYSTEM_TIME_NEW=0x%llx: vector %d, want #GP",
				  (unsigned long long)bads[i], vec);
		uint64_t now;
		if (rdmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, &now) == NOFAULT && now == bads[i])
			fail_note(&f, "a refused SYSTEM_TIME_NEW=0x%llx was kept", (unsigned long long)bads[i]);
		if ((vec = wrmsr_safe(MSR_KVM_WALL_CLOCK_NEW, bads[i] & ~1ull)) != 13)
			fail_note(&f, "WALL_CLOCK_NEW=0x%llx: vector %d, want #GP",
				  (unsigned long long)(bads[i] & ~1ull), vec);
	}
	if (wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, (uint32_t)area + 2 + 1) != 13)
		fail_note(&f, "SYSTEM_TIME_NEW not 4-byte aligned: no #GP");
	/* KVM's ABI asks only 4-byte alignment (kvm-unit-tests' kvmclock_test
	 * uses such an address). */
	if (wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, (uint32_t)area + 4 + 1) != NOFAULT ||
	    (*(volatile uint32_t *)(area + 4) & 1))
		fail_note(&f, "SYSTEM_TIME_NEW 4-byte aligned: refused or odd version");
	if (wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, (uint32_t)area + 1) != NOFAULT ||
	    (*(volatile uint32_t *)area & 1))
		fail_note(&f, "SYSTEM_TIME_NEW at a good address: refused or odd version");
	wrmsr_safe(MSR_KVM_SYSTEM_TIME_NEW, 0);
	return fail_verdict(&f);
}
