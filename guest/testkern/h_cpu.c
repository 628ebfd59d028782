/* Hostile tests of the CPU's own state: every CR4 bit, CR0 rules, debug
 * registers, XSETBV, protection keys, instructions the guest is not
 * offered, CPUID sweeps. Each compares with what the guest's CPUID says
 * hardware would do (SDM "MOV to/from Control Registers", "XSETBV", ...). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"

bool tk_is_lhv(void)
{
	uint32_t want = 2;
	param_u32("hv", &want);
	return want == 1 || (want != 0 && hv_info()->kvm);
}

void fail_note(struct fails *f, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	tk_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!f->n++)
		memcpy(f->first, line, sizeof(line));
	tk_printf("INFO %s: %s\n", tk_current_test ? tk_current_test : "?", line);
}

enum verdict fail_verdict(const struct fails *f)
{
	if (!f->n)
		return V_PASS;
	if (f->n == 1)
		return tk_fail("%s", f->first);
	return tk_fail("%s (and %u more)", f->first, f->n - 1);
}

#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_WP (1u << 16)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_DE (1u << 3)
#define CR4_PCIDE (1u << 17)
#define CR4_OSXSAVE (1u << 18)
#define CR4_PKE (1u << 22)
#define CR4_CET (1u << 23)

/* The CR4 bits a CPU with this CPUID lets 32-bit code set (SDM 2.5 names
 * the feature flag of each bit). PCIDE needs long mode (#GP outside it),
 * CET needs CR0.WP (tested with WP set). */
static uint32_t cr4_expected(void)
{
	struct cpuid_regs l1 = cpuid(1, 0);
	struct cpuid_regs l7 = cpuid(0, 0).eax >= 7 ? cpuid(7, 0) : (struct cpuid_regs){ 0, 0, 0, 0 };
	static const struct { uint8_t cr4, reg, bit; } map[] = {
		{ 0, 3, 1 }, { 1, 3, 1 }, { 2, 3, 4 }, { 3, 3, 2 }, { 4, 3, 3 }, { 5, 3, 6 },
		{ 6, 3, 7 }, { 7, 3, 13 }, { 9, 3, 24 }, { 10, 3, 25 }, { 11, 12, 2 },
		{ 12, 12, 16 }, { 13, 2, 5 }, { 14, 2, 6 }, { 16, 11, 0 }, { 18, 2, 26 },
		{ 19, 12, 23 }, { 20, 11, 7 }, { 21, 11, 20 }, { 22, 12, 3 }, { 23, 12, 7 },
		{ 24, 12, 31 }, { 25, 13, 5 },
	};
	uint32_t want = 1u << 8;        /* PCE: always */
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
		uint32_t r = map[i].reg == 2 ? l1.ecx : map[i].reg == 3 ? l1.edx :
			     map[i].reg == 11 ? l7.ebx : map[i].reg == 12 ? l7.ecx : l7.edx;
		if ((r >> map[i].bit) & 1)
			want |= 1u << map[i].cr4;
	}
	return want;
}

/* cr4: set each bit of CR4 alone; it must stick exactly when CPUID offers
 * its feature, else #GP. Covers protection keys (PKE) and CET, whose
 * state lhv does not switch (issue 14, defect 2). */
enum verdict t_cr4(void)
{
	struct fails f = { 0 };
	uint32_t orig = read_cr4(), cr0 = read_cr0(), want = cr4_expected();
	write_cr0_safe(cr0 | CR0_WP);
	for (unsigned b = 0; b < 32; b++) {
		uint32_t v = orig | (1u << b);
		if (v == orig)
			continue;
		/* QEMU 7.2's TCG re-executes a MOV to CR4 that should #GP
		 * forever instead of faulting: bare, only offered bits. */
		if (!tk_is_lhv() && (!((want >> b) & 1) || b == 17))
			continue;
		int vec = write_cr4_safe(v);
		bool ok = vec == NOFAULT;
		if (ok && (read_cr4() & v) != v)
			fail_note(&f, "CR4 bit %u set but reads back 0x%x", b, read_cr4());
		write_cr4_safe(orig);
		bool exp = (want >> b) & 1;
		if (b == 17)
			exp = false;                    /* PCIDE outside long mode */
		if (ok != exp)
			fail_note(&f, "CR4 bit %u: %s, CPUID says %s", b,
				  ok ? "accepted" : "faulted", exp ? "settable" : "#GP");
		else if (!ok && vec != 13)
			fail_note(&f, "CR4 bit %u: vector %d, want #GP", b, vec);
	}
	/* CET with CR0.WP clear: #GP even where offered. */
	write_cr0_safe(cr0 & ~CR0_WP);
	if (tk_is_lhv() && write_cr4_safe(orig | CR4_CET) == NOFAULT) {
		write_cr4_safe(orig);
		fail_note(&f, "CR4.CET accepted with CR0.WP clear");
	}
	write_cr0_safe(cr0);
	if (read_cr4() != orig)
		fail_note(&f, "CR4 is 0x%x after the sweep, was 0x%x", read_cr4(), orig);
	tk_printf("INFO cr4 settable=0x%x\n", want);
	return fail_verdict(&f);
}

/* cr0: the combinations the SDM refuses fault, the others stick; ET reads
 * 1; LMSW cannot clear PE. */
enum verdict t_cr0(void)
{
	struct fails f = { 0 };
	uint32_t orig = read_cr0();
	int vec;
	if (orig & CR0_PG)
		return tk_skip("paging is on");
	/* QEMU's TCG turns paging on here instead of faulting: lhv only. */
	if (tk_is_lhv() && (vec = write_cr0_safe((orig & ~CR0_PE) | CR0_PG)) != 13)
		fail_note(&f, "CR0 PG without PE: vector %d, want #GP", vec);
	if (tk_is_lhv() && (vec = write_cr0_safe((orig & ~CR0_CD) | CR0_NW)) != 13)
		fail_note(&f, "CR0 NW without CD: vector %d, want #GP", vec);
	if ((vec = write_cr0_safe(orig | CR0_CD | CR0_NW)) != NOFAULT)
		fail_note(&f, "CR0 CD|NW: vector %d", vec);
	else if ((read_cr0() & (CR0_CD | CR0_NW)) != (CR0_CD | CR0_NW))
		fail_note(&f, "CR0 CD|NW do not read back (0x%x)", read_cr0());
	write_cr0_safe(orig);
	if ((vec = write_cr0_safe(orig & ~CR0_ET)) != NOFAULT || !(read_cr0() & CR0_ET))
		fail_note(&f, "CR0.ET: vector %d, reads 0x%x (hard-wired to 1)", vec, read_cr0());
	write_cr0_safe(orig | CR0_MP | CR0_TS);
	if ((read_cr0() & (CR0_MP | CR0_TS)) != (CR0_MP | CR0_TS))
		fail_note(&f, "CR0 MP|TS do not read back (0x%x)", read_cr0());
	__asm__ volatile("clts");
	if (read_cr0() & CR0_TS)
		fail_note(&f, "CLTS left TS set");
	/* LMSW: loads bits 3:0, cannot clear PE. */
	uint16_t msw = 0;
	__asm__ volatile("lmsw %0" : : "r"(msw));
	uint32_t now = read_cr0();
	if (!(now & CR0_PE) || (now & (CR0_MP | CR0_EM | CR0_TS)))
		fail_note(&f, "LMSW 0: CR0 = 0x%x (PE must stay, MP/EM/TS clear)", now);
	write_cr0_safe(orig);
	if (read_cr0() != orig)
		fail_note(&f, "CR0 is 0x%x after the test, was 0x%x", read_cr0(), orig);
	return fail_verdict(&f);
}

#define DR7_GD (1u << 13)
#define DR6_BD (1u << 13)

static int mov_from_dr0_safe(uint32_t *v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("mov %%dr0, %0") : "=r"(*v) : : "memory");
	return tk_fault_vector;
}

static int mov_from_dr4_safe(uint32_t *v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("mov %%dr4, %0") : "=r"(*v) : : "memory");
	return tk_fault_vector;
}

/* dr: DR0-DR3 store 32-bit values, DR6/DR7 keep their fixed bits, DR4/DR5
 * alias DR6/DR7 unless CR4.DE (then #UD), DR7.GD makes the next MOV DR a
 * #DB with DR6.BD set and GD cleared (SDM 18.2.4). */
enum verdict t_dr(void)
{
	struct fails f = { 0 };
	static const uint32_t vals[] = { 0, 0xffffffffu, 0x12345678u, 0xfffff000u };
	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		uint32_t v = vals[i], r0, r1, r2, r3;
		__asm__ volatile("mov %4, %%dr0; mov %4, %%dr1; mov %4, %%dr2; mov %4, %%dr3\n"
				 "mov %%dr0, %0; mov %%dr1, %1; mov %%dr2, %2; mov %%dr3, %3"
				 : "=&r"(r0), "=&r"(r1), "=&r"(r2), "=&r"(r3) : "r"(v));
		if (r0 != v || r1 != v || r2 != v || r3 != v)
			fail_note(&f, "DR0-3 wrote 0x%x read 0x%x 0x%x 0x%x 0x%x", v, r0, r1, r2, r3);
	}
	uint32_t d6, d7;
	__asm__ volatile("mov %2, %%dr6; mov %%dr6, %0; mov %3, %%dr7; mov %%dr7, %1"
			 : "=&r"(d6), "=&r"(d7) : "r"(0u), "r"(0u));
	if ((d6 & 0xffff0ff0u) != 0xffff0ff0u)
		fail_note(&f, "DR6 after writing 0 reads 0x%x (fixed bits 0xffff0ff0)", d6);
	if (!(d7 & 0x400))
		fail_note(&f, "DR7 after writing 0 reads 0x%x (bit 10 is 1)", d7);
	uint32_t cr4 = read_cr4(), v;
	int vec = mov_from_dr4_safe(&v);
	if (vec != NOFAULT)
		fail_note(&f, "MOV from DR4 with CR4.DE clear: vector %d (aliases DR6)", vec);
	if (write_cr4_safe(cr4 | CR4_DE) == NOFAULT) {
		if ((vec = mov_from_dr4_safe(&v)) != VEC_UD)
			fail_note(&f, "MOV from DR4 with CR4.DE set: vector %d, want #UD", vec);
		write_cr4_safe(cr4);
	}
	if (tk_is_lhv()) {
		/* QEMU's TCG does not model general detect; hardware does. */
		__asm__ volatile("mov %0, %%dr7" : : "r"(DR7_GD | 0x400u));
		vec = mov_from_dr0_safe(&v);
		__asm__ volatile("mov %%dr6, %0; mov %%dr7, %1" : "=r"(d6), "=r"(d7));
		if (vec != VEC_DB)
			fail_note(&f, "MOV DR with DR7.GD set: vector %d, want #DB", vec);
		else if (!(d6 & DR6_BD) || (d7 & DR7_GD))
			fail_note(&f, "after the GD #DB: DR6=0x%x (BD set), DR7=0x%x (GD clear)", d6, d7);
		__asm__ volatile("mov %0, %%dr7; mov %1, %%dr6" : : "r"(0x400u), "r"(0xffff0ff0u));
	}
	return fail_verdict(&f);
}

#define XCR0_X87 1ull
#define XCR0_SSE 2ull
#define XCR0_AVX 4ull
#define XCR0_AVX512 0xe0ull
#define XCR0_PKRU (1ull << 9)

/* xsetbv: XCR0 takes exactly the combinations the SDM allows out of what
 * CPUID.(0xD,0) offers; other indexes #GP; without CR4.OSXSAVE it is #UD. */
enum verdict t_xsetbv(void)
{
	if (!cpuid_bit(1, 2, 26))
		return tk_skip("no XSAVE");
	struct fails f = { 0 };
	uint32_t cr4 = read_cr4();
	int vec = xsetbv_safe(0, XCR0_X87);
	if (!(cr4 & CR4_OSXSAVE) && vec != VEC_UD)
		fail_note(&f, "XSETBV with CR4.OSXSAVE clear: vector %d, want #UD", vec);
	write_cr4_safe(cr4 | CR4_OSXSAVE);
	uint64_t sup = cpuid(0xd, 0).eax | (uint64_t)cpuid(0xd, 0).edx << 32;
	static const uint64_t tries[] = {
		0, XCR0_SSE, XCR0_X87, XCR0_X87 | XCR0_SSE, XCR0_X87 | XCR0_AVX,
		XCR0_X87 | XCR0_SSE | XCR0_AVX, XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512,
		XCR0_X87 | XCR0_SSE | XCR0_AVX | 0x20, XCR0_X87 | XCR0_SSE | XCR0_AVX512,
		XCR0_X87 | XCR0_PKRU, XCR0_X87 | XCR0_SSE | XCR0_PKRU, XCR0_X87 | (1ull << 63),
		XCR0_X87 | 0x18, XCR0_X87 | (1ull << 17) | (1ull << 18), 0xffffffffffffffffull,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(tries); i++) {
		uint64_t x = tries[i];
		bool ok = (x & XCR0_X87) && !(x & ~sup) && (!(x & XCR0_AVX) || (x & XCR0_SSE)) &&
			  (!(x & XCR0_AVX512) || ((x & XCR0_AVX512) == XCR0_AVX512 && (x & XCR0_AVX)));
		vec = xsetbv_safe(0, x);
		if ((vec == NOFAULT) != ok || (!ok && vec != 13))
			fail_note(&f, "XSETBV 0x%llx: vector %d, want %s", (unsigned long long)x, vec,
				  ok ? "success" : "#GP");
		else if (ok && xgetbv0() != x)
			fail_note(&f, "XSETBV 0x%llx reads back 0x%llx", (unsigned long long)x,
				  (unsigned long long)xgetbv0());
	}
	if ((vec = xsetbv_safe(1, XCR0_X87)) != 13)
		fail_note(&f, "XSETBV ECX=1: vector %d, want #GP", vec);
	if ((vec = xsetbv_safe(0xffffffffu, XCR0_X87)) != 13)
		fail_note(&f, "XSETBV ECX=0xffffffff: vector %d, want #GP", vec);
	xsetbv_safe(0, XCR0_X87);
	write_cr4_safe(cr4);
	return fail_verdict(&f);
}

static int rdpkru_safe(uint32_t *v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP(".byte 0x0f, 0x01, 0xee") : "=a"(*v), "=d"(v[1]) : "c"(0) : "memory");
	return tk_fault_vector;
}

static int wrpkru_safe(uint32_t v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP(".byte 0x0f, 0x01, 0xef") : : "a"(v), "c"(0), "d"(0) : "memory");
	return tk_fault_vector;
}

/* pku: protection keys are state lhv does not switch between VMs (PKRU
 * is XSAVE component 9), so a guest must not be offered them and must not
 * be able to turn them on: CPUID.7:ECX PKU/OSPKE clear, PKRU not in
 * CPUID.(0xD,0), CR4.PKE #GP, RDPKRU/WRPKRU #UD, XSETBV with bit 9 #GP
 * (issue 14, defect 2). Bare, with keys offered, it checks they work. */
enum verdict t_pku(void)
{
	struct fails f = { 0 };
	bool pku = cpuid(0, 0).eax >= 7 && cpuid_bit(7, 2, 3);
	if (pku && tk_is_lhv())
		fail_note(&f, "CPUID.7:ECX offers PKU (bit 3)");
	if (cpuid(0, 0).eax >= 7 && cpuid_bit(7, 2, 4))
		fail_note(&f, "CPUID.7:ECX shows OSPKE with CR4.PKE clear");
	if (cpuid(0, 0).eax >= 0xd && (cpuid(0xd, 0).eax & XCR0_PKRU) && !pku)
		fail_note(&f, "CPUID.(0xD,0) offers the PKRU component without PKU");
	uint32_t cr4 = read_cr4(), r[2];
	int vec = write_cr4_safe(cr4 | CR4_PKE);
	if (!pku && vec != 13) {
		fail_note(&f, "CR4.PKE without PKU: vector %d, want #GP", vec);
		/* The leak itself: a value another VM could read. */
		if (vec == NOFAULT && wrpkru_safe(0x55555554u) == NOFAULT)
			fail_note(&f, "WRPKRU worked: PKRU is live and not switched");
	}
	if (vec == NOFAULT && pku) {
		if (wrpkru_safe(0x0000000cu) != NOFAULT || rdpkru_safe(r) != NOFAULT || r[0] != 0xc)
			fail_note(&f, "PKRU does not read back with CR4.PKE set");
		wrpkru_safe(0);
	}
	write_cr4_safe(cr4);
	if ((vec = rdpkru_safe(r)) != VEC_UD)
		fail_note(&f, "RDPKRU with CR4.PKE clear: vector %d, want #UD", vec);
	if ((vec = wrpkru_safe(0)) != VEC_UD)
		fail_note(&f, "WRPKRU with CR4.PKE clear: vector %d, want #UD", vec);
	if (cpuid_bit(1, 2, 26)) {
		write_cr4_safe(cr4 | CR4_OSXSAVE);
		if (!pku && (vec = xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_PKRU)) != 13)
			fail_note(&f, "XSETBV with PKRU: vector %d, want #GP", vec);
		xsetbv_safe(0, XCR0_X87);
		write_cr4_safe(cr4);
	}
	return fail_verdict(&f);
}

static uint8_t scratch[8192] __attribute__((aligned(64)));

static int insn_safe_monitor(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("monitor") : : "a"(scratch), "c"(0), "d"(0) : "memory");
	return tk_fault_vector;
}

static int insn_safe_mwait(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("mwait") : : "a"(0), "c"(0) : "memory");
	return tk_fault_vector;
}

static int insn_safe_rdpmc(uint32_t ctr)
{
	uint32_t lo, hi;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("rdpmc") : "=a"(lo), "=d"(hi) : "c"(ctr) : "memory");
	return tk_fault_vector;
}

#define SAFE_INSN(name, text) \
	static int name(void) \
	{ \
		tk_fault_vector = -1; \
		__asm__ volatile(FIXUP(text) : : : "eax", "ecx", "edx", "memory"); \
		return tk_fault_vector; \
	}
SAFE_INSN(insn_vmxon, "vmxon (0x2000)")
SAFE_INSN(insn_vmxoff, "vmxoff")
SAFE_INSN(insn_vmread, "vmread %%eax, %%ecx")
static int insn_getsec(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("getsec") : : "a"(0) : "ebx", "ecx", "edx", "memory");
	return tk_fault_vector;
}
SAFE_INSN(insn_invd, "invd")
SAFE_INSN(insn_wbinvd, "wbinvd")
SAFE_INSN(insn_rdtscp, "rdtscp")
static int insn_xsaves(void)
{
	tk_fault_vector = -1;
	memset(scratch, 0, sizeof(scratch));
	__asm__ volatile(FIXUP("xsaves (%0)") : : "r"(scratch), "a"(1), "d"(0) : "memory");
	return tk_fault_vector;
}

static int insn_invpcid(void)
{
	tk_fault_vector = -1;
	memset(scratch, 0, 16);
	__asm__ volatile(FIXUP("invpcid (%0), %1") : : "r"(scratch), "r"(2u) : "memory");
	return tk_fault_vector;
}

#define EFLAGS_RF (1u << 16)

/* fault_rf: a fault pushes EFLAGS with RF set (SDM 6.13, 18.3.1.1), so
 * IRET to the faulting instruction does not trip its own instruction
 * breakpoint. The CPU does it for faults it delivers itself (#DE here);
 * VM entry does not for the ones the hypervisor injects (#GP of a MOV to
 * CR4 or a RDMSR it emulates, the #UD lhv intercepts): lhv must set it,
 * as kvm-unit-tests' idt_test checks. */
enum verdict t_fault_rf(void)
{
	if (!tk_is_lhv())
		return tk_skip("QEMU's TCG pushes RF clear");
	struct fails f = { 0 };
	uint32_t zero = 0, cr4 = read_cr4();
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("divl %2") : : "a"(1u), "d"(0u), "r"(zero) : "memory", "cc");
	/* The CPU's own: QEMU's TCG (lhv's AMD-V test bed) pushes RF clear. */
	if (tk_fault_vector != 0 || (!(tk_fault_eflags & EFLAGS_RF) && !cpu_is_amd()))
		fail_note(&f, "#DE: vector %d, pushed EFLAGS 0x%x", tk_fault_vector, tk_fault_eflags);
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ud2") : : : "memory");
	if (tk_fault_vector != VEC_UD || !(tk_fault_eflags & EFLAGS_RF))
		fail_note(&f, "#UD of UD2: vector %d, pushed EFLAGS 0x%x", tk_fault_vector,
			  tk_fault_eflags);
	int vec = write_cr4_safe(cr4 | (1u << 31));      /* reserved */
	if (vec != VEC_GP || !(tk_fault_eflags & EFLAGS_RF))
		fail_note(&f, "#GP of MOV to CR4: vector %d, pushed EFLAGS 0x%x", vec, tk_fault_eflags);
	uint64_t val;
	vec = rdmsr_safe(0x12345678u, &val);
	if (vec != VEC_GP || !(tk_fault_eflags & EFLAGS_RF))
		fail_note(&f, "#GP of RDMSR: vector %d, pushed EFLAGS 0x%x", vec, tk_fault_eflags);
	return fail_verdict(&f);
}

static uint32_t read_dr6(void)
{
	uint32_t v;
	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

/* db_step: a single step (EFLAGS.TF) raises #DB after the next
 * instruction with DR6.BS set and B0-B3 clear; the status stays in DR6
 * until software clears it; INT1 (ICEBP) raises #DB after itself and sets
 * no status bit (SDM 18.2.3, 18.3.1.4). lhv emulates DR6: a #DB the CPU
 * delivered by itself left the guest's DR6 without BS (kvm-unit-tests'
 * debug test). */
enum verdict t_db_step(void)
{
	struct fails f = { 0 };
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0fffu));   /* B0-B3 set, to see them cleared */
	tk_fault_vector = -1;
	__asm__ volatile("pushfl; orl $0x100, (%%esp); popfl\n"
			 "nop\n"
			 "1: nop\n2:\n"
			 ".pushsection .fixup_tab, \"a\"\n.long 1b, 2b\n.popsection\n" : : : "memory", "cc");
	uint32_t d6 = read_dr6();
	if (tk_fault_vector != VEC_DB || (d6 & 0xf) || !(d6 & (1u << 14)))
		fail_note(&f, "single step: vector %d, DR6 0x%x (want BS, B0-B3 clear)", tk_fault_vector, d6);
	if (read_dr6() != d6)
		fail_note(&f, "DR6 changed from 0x%x to 0x%x on its own", d6, read_dr6());
	__asm__ volatile("mov %0, %%dr6" : : "r"(0xffff0ff0u));
	if (!tk_is_lhv() || cpu_is_amd())
		return fail_verdict(&f);        /* QEMU's TCG (also lhv's AMD-V test bed): INT1 is #UD */
	tk_fault_vector = -1;
	__asm__ volatile(".byte 0xf1\n"                /* INT1 */
			 "1: nop\n2:\n"
			 ".pushsection .fixup_tab, \"a\"\n.long 1b, 2b\n.popsection\n" : : : "memory");
	d6 = read_dr6();
	if (tk_fault_vector != VEC_DB || d6 != 0xffff0ff0u)
		fail_note(&f, "INT1: vector %d, DR6 0x%x (want #DB after INT1, DR6 0xffff0ff0)",
			  tk_fault_vector, d6);
	return fail_verdict(&f);
}

/* insn: instructions the guest's CPUID does not offer fault as on such a
 * CPU: MONITOR/MWAIT #UD (lhv hides them; natively a guest could park a
 * pCPU: issue 14 defect 9), RDPMC #GP (no counters), VMX and SMX
 * instructions #UD, XSAVES #UD when hidden; INVD/WBINVD complete; RDTSCP and
 * INVPCID work exactly when offered. */
enum verdict t_insn(void)
{
	struct fails f = { 0 };
	int vec;
	bool mon = cpuid_bit(1, 2, 3);
	if ((vec = insn_safe_monitor()) != (mon ? NOFAULT : VEC_UD))
		fail_note(&f, "MONITOR: vector %d (CPUID.1:ECX.MONITOR=%d)", vec, mon);
	if (!mon && (vec = insn_safe_mwait()) != VEC_UD)
		fail_note(&f, "MWAIT: vector %d, want #UD", vec);
	/* QEMU's TCG has no RDPMC (#UD): lhv only. */
	if (tk_is_lhv() && cpuid(0, 0).eax >= 0xa && !(cpuid(0xa, 0).eax & 0xff) &&
	    (vec = insn_safe_rdpmc(0)) != 13)
		fail_note(&f, "RDPMC 0 with no PMU: vector %d, want #GP", vec);
	if (tk_is_lhv() && (vec = insn_safe_rdpmc(0x40000000u)) != 13)
		fail_note(&f, "RDPMC fixed counter 0: vector %d, want #GP", vec);
	if (!cpuid_bit(1, 2, 5)) {
		if ((vec = insn_vmxon()) != VEC_UD)
			fail_note(&f, "VMXON: vector %d, want #UD", vec);
		if ((vec = insn_vmxoff()) != VEC_UD)
			fail_note(&f, "VMXOFF: vector %d, want #UD", vec);
		if ((vec = insn_vmread()) != VEC_UD)
			fail_note(&f, "VMREAD: vector %d, want #UD", vec);
	}
	if (!cpuid_bit(1, 2, 6) && (vec = insn_getsec()) != VEC_UD)
		fail_note(&f, "GETSEC: vector %d, want #UD", vec);
	if ((vec = insn_invd()) != NOFAULT || (vec = insn_wbinvd()) != NOFAULT)
		fail_note(&f, "INVD/WBINVD: vector %d", vec);
	bool rdtscp = cpuid(0x80000000u, 0).eax >= 0x80000001u && cpuid_bit(0x80000001u, 3, 27);
	if ((vec = insn_rdtscp()) != (rdtscp ? NOFAULT : VEC_UD))
		fail_note(&f, "RDTSCP: vector %d (CPUID says %d)", vec, rdtscp);
	bool invpcid = cpuid(0, 0).eax >= 7 && cpuid_bit(7, 1, 10);
	if ((vec = insn_invpcid()) != (invpcid ? NOFAULT : VEC_UD))
		fail_note(&f, "INVPCID: vector %d (CPUID says %d)", vec, invpcid);
	if (cpuid_bit(1, 2, 26) && cpuid(0, 0).eax >= 0xd) {
		bool xsaves = cpuid(0xd, 1).eax & 8;
		uint32_t cr4 = read_cr4();
		write_cr4_safe(cr4 | CR4_OSXSAVE);
		if ((vec = insn_xsaves()) != (xsaves ? NOFAULT : VEC_UD))
			fail_note(&f, "XSAVES: vector %d (CPUID.(0xD,1):EAX.XSAVES=%d)", vec, xsaves);
		write_cr4_safe(cr4);
	}
	return fail_verdict(&f);
}

static bool regs_eq(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx;
}

/* cpuid_sweep: every leaf and many subleaves answer without harm; leaves
 * above the basic or extended maximum answer as the highest basic leaf
 * (SDM "CPUID", Intel), the APIC ID fields match the LAPIC, the XSAVE size
 * for the enabled components fits the maximum. */
enum verdict t_cpuid_sweep(void)
{
	struct fails f = { 0 };
	uint32_t maxb = cpuid(0, 0).eax, maxe = cpuid(0x80000000u, 0).eax;
	static const uint32_t bases[] = { 0, 0x40000000u, 0x80000000u };
	unsigned n = 0;
	for (unsigned b = 0; b < ARRAY_SIZE(bases); b++)
		for (uint32_t l = bases[b]; l < bases[b] + 0x40; l++)
			for (uint32_t s = 0; s < 4; s++, n++)
				(void)cpuid(l, s);
	static const uint32_t sub_leaves[] = { 4, 7, 0xb, 0xd, 0x12, 0x14, 0x1f };
	for (unsigned i = 0; i < ARRAY_SIZE(sub_leaves); i++)
		for (uint32_t s = 0; s < 70; s++, n++)
			(void)cpuid(sub_leaves[i], s);
	struct cpuid_regs top = cpuid(maxb, 0);
	if (tk_is_lhv()) {
		/* QEMU maps 0xC0000000 and up differently; the two ranges here
		 * follow the SDM on every Intel CPU. */
		static const uint32_t beyond[] = { 0x3fffffffu, 0x7fffffffu, 0x8fffffffu,
						   0xbfffffffu, 0x80000100u };
		for (unsigned i = 0; i < ARRAY_SIZE(beyond); i++) {
			uint32_t l = beyond[i];
			if ((l < 0x80000000u && l <= maxb) || (l >= 0x80000000u && l <= maxe))
				continue;
			if (!regs_eq(cpuid(l, 0), top))
				fail_note(&f, "CPUID 0x%x differs from the highest basic leaf 0x%x", l, maxb);
		}
		if (!regs_eq(cpuid(maxb + 1, 0), top))
			fail_note(&f, "CPUID 0x%x differs from the highest basic leaf", maxb + 1);
	}
	uint32_t id = cpuid(1, 0).ebx >> 24;
	if (id != lapic_id())
		fail_note(&f, "CPUID.1:EBX[31:24]=%u, LAPIC ID %u", id, lapic_id());
	if (maxb >= 0xb && cpuid(0xb, 0).edx != id)
		fail_note(&f, "CPUID.0xB:EDX=%u, CPUID.1:EBX[31:24]=%u", cpuid(0xb, 0).edx, id);
	if (maxb >= 0xd && cpuid_bit(1, 2, 26) && cpuid(0xd, 0).ebx > cpuid(0xd, 0).ecx)
		fail_note(&f, "XSAVE size %u above the maximum %u", cpuid(0xd, 0).ebx, cpuid(0xd, 0).ecx);
	tk_printf("INFO cpuid_sweep %u queries, max basic 0x%x extended 0x%x\n", n, maxb, maxe);
	return fail_verdict(&f);
}
