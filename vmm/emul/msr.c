/* RDMSR and WRMSR as guests see them: one table for every MSR lhv
 * implements, whoever holds its state (the backend's control structure
 * through get_reg/set_reg, the virtual LAPIC, kvmclock, or this file).
 * Everything else raises #GP, as real hardware does for an MSR it lacks.
 * The architectural checks (canonical addresses, reserved bits, valid PAT
 * types) are made here, once, for every backend. */
#include "vmm/emul/emul.h"
#include "vmm/dev/vlapic.h"
#include "vmm/pv/kvmclock.h"
#include "vmm/pv/pv.h"
#include "vmm/pv/pv_abi.h"
#include "hw/x86.h"

typedef bool (*msr_rd_fn)(struct vcpu *v, uint32_t msr, uint64_t *val);
typedef bool (*msr_wr_fn)(struct vcpu *v, uint32_t msr, uint64_t val);

enum msr_kind {
	MSR_CONST,      /* reads `value`; writes #GP, or are ignored with IGNORE_WR */
	MSR_REG,        /* the register `reg` of the backend's state, checked by `check` */
	MSR_FN,         /* handled by rd/wr */
};

enum msr_check { CHK_NONE, CHK_LOW32, CHK_CANONICAL, CHK_PAT, CHK_UPPER_ZERO };

struct msr_route {
	struct range msrs;
	uint8_t kind;
	uint8_t flags;
	uint8_t check;          /* MSR_REG */
	uint8_t reg;            /* MSR_REG: enum vcpu_reg */
	uint64_t value;         /* MSR_CONST */
	msr_rd_fn rd;           /* MSR_FN */
	msr_wr_fn wr;
};
#define IGNORE_WR 1

static bool tsc_rd(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = rdtsc() + (uint64_t)v->vm->tsc_offset;
	return true;
}

static bool tsc_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	/* Per-VM offset: a write moves the whole VM's TSC, which keeps its
	 * vCPUs in step (Linux writes it only to synchronise them); every
	 * vCPU takes the new offset before its next entry. */
	struct vm *vm = v->vm;
	vm->tsc_offset = (int64_t)(val - rdtsc());
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_request(vm->vcpus[i], VCPU_REQ_TSC_OFFSET);
	return true;
}

static bool mtrr_def_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	/* Only "enabled, write-back" and "disabled" variants: no MTRRs. */
	return val == 0x806 || val == 0x6 || val == 0;
}

static bool debugctl_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return val == 0;        /* no branch tracing for guests */
}

/* IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2): per vCPU. Reset value: fast
 * strings on; no PMU, BTS or PEBS (read-only bits, CPUID offers none);
 * MONITOR off (CPUID hides it). The R/W bits stick as on hardware; LIMIT
 * CPUID and XD DISABLE change CPUID (cpuid.c) and EFER.NXE (cr.c), the
 * others have nothing to act on in a VM (MONITOR stays hidden, as KVM
 * does by default). Read-only bits ignore writes; reserved bits #GP. */
#define MISC_RESET (MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)
#define MISC_RO (MISC_ENABLE_PERFMON | MISC_ENABLE_BTS_UNAVAIL | MISC_ENABLE_PEBS_UNAVAIL)
#define MISC_RW (MISC_ENABLE_FAST_STRING | MISC_ENABLE_TCC | MISC_ENABLE_EIST | \
		 MISC_ENABLE_MONITOR | MISC_ENABLE_LIMIT_CPUID | MISC_ENABLE_XTPR_DISABLE | \
		 MISC_ENABLE_XD_DISABLE)

uint64_t emul_misc_enable(const struct vcpu *v)
{
	return MISC_RESET ^ v->misc_enable_chg;
}

static bool misc_rd(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = emul_misc_enable(v);
	return true;
}

static bool misc_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (val & ~(MISC_RW | MISC_RO))
		return false;
	/* Setting XD DISABLE "may #GP" where there is no NX to disable, and
	 * LIMIT CPUID where leaf 0 reports 2 or less (SDM): lhv always #GPs. */
	uint32_t r[4];
	if (val & MISC_ENABLE_XD_DISABLE && !(emul_misc_enable(v) & MISC_ENABLE_XD_DISABLE)) {
		emul_cpuid(v, 0x80000001u, 0, r);
		if (!(r[3] & (1u << 20)))
			return false;
	}
	if (val & MISC_ENABLE_LIMIT_CPUID && !(emul_misc_enable(v) & MISC_ENABLE_LIMIT_CPUID)) {
		emul_cpuid(v, 0, 0, r);
		if (r[0] <= 2)
			return false;
	}
	v->misc_enable_chg = ((val & MISC_RW) | (MISC_RESET & MISC_RO)) ^ MISC_RESET;
	return true;
}

/* AMD's four legacy performance counters (PerfEvtSel0-3 at C001_0000h,
 * PerfCtr0-3 at C001_0004h) exist on every AMD64 CPU, with no CPUID bit
 * (APM Vol. 2, 13.2.1): guests (kvm-unit-tests' start-up, for one) write
 * them unconditionally. lhv has no PMU: they keep what is written and
 * never count, like counters that are never enabled. Intel CPUs have no
 * such MSRs: #GP. Reserved bits (APM: EVNTSEL 63:42 and 39:36, counters
 * 63:48) #GP. */
static bool amd_cpu(void)
{
	static int amd = -1;
	if (amd < 0) {
		uint32_t a, b, c, d;
		cpuid(0, &a, &b, &c, &d);
		amd = b == 0x68747541u && d == 0x69746e65u && c == 0x444d4163u;  /* AuthenticAMD */
	}
	return amd;
}

static bool k7_perf_rd(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (!amd_cpu())
		return false;
	*val = v->k7_perf[msr - MSR_K7_EVNTSEL0];
	return true;
}

static bool k7_perf_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	unsigned i = msr - MSR_K7_EVNTSEL0;
	uint64_t reserved = i < 4 ? (~0ull << 42) | (0xfull << 36) : ~0ull << 48;
	if (!amd_cpu() || (val & reserved))
		return false;
	v->k7_perf[i] = val;
	return true;
}

static bool efer_rd(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	*val = backend->get_reg(v, VREG_EFER);
	return true;
}

static bool efer_wr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	return emul_write_efer(v, val);
}

static const struct msr_route routes[] = {
	{ { MSR_TSC, MSR_TSC }, MSR_FN, 0, 0, 0, 0, tsc_rd, tsc_wr },
	{ { MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME }, MSR_FN, 0, 0, 0, 0, kvmclock_rdmsr, kvmclock_wrmsr },
	{ { MSR_PLATFORM_ID, MSR_PLATFORM_ID }, MSR_CONST, 0, 0, 0, 0, NULL, NULL },
	{ { MSR_APIC_BASE, MSR_APIC_BASE }, MSR_FN, 0, 0, 0, 0, vlapic_rdmsr, vlapic_wrmsr },
	{ { MSR_FEATURE_CONTROL, MSR_FEATURE_CONTROL }, MSR_CONST, 0, 0, 0, 1, NULL, NULL }, /* locked, VMX off */
	{ { MSR_BIOS_SIGN_ID, MSR_BIOS_SIGN_ID }, MSR_CONST, IGNORE_WR, 0, 0, 0, NULL, NULL },
	{ { MSR_MTRRCAP, MSR_MTRRCAP }, MSR_CONST, 0, 0, 0, 0, NULL, NULL },  /* no ranges, no fixed */
	{ { MSR_SYSENTER_CS, MSR_SYSENTER_CS }, MSR_REG, 0, CHK_LOW32, VREG_SYSENTER_CS, 0, NULL, NULL },
	{ { MSR_SYSENTER_ESP, MSR_SYSENTER_ESP }, MSR_REG, 0, CHK_CANONICAL, VREG_SYSENTER_ESP, 0, NULL, NULL },
	{ { MSR_SYSENTER_EIP, MSR_SYSENTER_EIP }, MSR_REG, 0, CHK_CANONICAL, VREG_SYSENTER_EIP, 0, NULL, NULL },
	{ { MSR_MCG_CAP, MSR_MCG_CAP }, MSR_CONST, 0, 0, 0, 0, NULL, NULL },
	{ { MSR_MCG_STATUS, MSR_MCG_STATUS }, MSR_CONST, IGNORE_WR, 0, 0, 0, NULL, NULL },
	{ { MSR_MISC_ENABLE, MSR_MISC_ENABLE }, MSR_FN, 0, 0, 0, 0, misc_rd, misc_wr },
	{ { MSR_DEBUGCTL, MSR_DEBUGCTL }, MSR_FN, 0, 0, 0, 0, NULL, debugctl_wr },
	{ { MSR_PAT, MSR_PAT }, MSR_REG, 0, CHK_PAT, VREG_PAT, 0, NULL, NULL },
	{ { MSR_MTRR_DEF_TYPE, MSR_MTRR_DEF_TYPE }, MSR_FN, 0, 0, 0, 0x806, NULL, mtrr_def_wr },
	{ { MSR_TSC_DEADLINE, MSR_TSC_DEADLINE }, MSR_FN, 0, 0, 0, 0, vlapic_rdmsr, vlapic_wrmsr },
	{ { MSR_X2APIC_FIRST, MSR_X2APIC_LAST }, MSR_FN, 0, 0, 0, 0, vlapic_rdmsr, vlapic_wrmsr },
	{ { MSR_EFER, MSR_EFER }, MSR_FN, 0, 0, 0, 0, efer_rd, efer_wr },
	{ { MSR_STAR, MSR_STAR }, MSR_REG, 0, CHK_NONE, VREG_STAR, 0, NULL, NULL },
	{ { MSR_LSTAR, MSR_LSTAR }, MSR_REG, 0, CHK_CANONICAL, VREG_LSTAR, 0, NULL, NULL },
	{ { MSR_CSTAR, MSR_CSTAR }, MSR_REG, 0, CHK_CANONICAL, VREG_CSTAR, 0, NULL, NULL },
	{ { MSR_SFMASK, MSR_SFMASK }, MSR_REG, 0, CHK_LOW32, VREG_SFMASK, 0, NULL, NULL },
	{ { MSR_FS_BASE, MSR_FS_BASE }, MSR_REG, 0, CHK_CANONICAL, VREG_FS_BASE, 0, NULL, NULL },
	{ { MSR_GS_BASE, MSR_GS_BASE }, MSR_REG, 0, CHK_CANONICAL, VREG_GS_BASE, 0, NULL, NULL },
	{ { MSR_KERNEL_GS_BASE, MSR_KERNEL_GS_BASE }, MSR_REG, 0, CHK_CANONICAL, VREG_KGS_BASE, 0, NULL, NULL },
	{ { MSR_TSC_AUX, MSR_TSC_AUX }, MSR_REG, 0, CHK_UPPER_ZERO, VREG_TSC_AUX, 0, NULL, NULL },
	{ { MSR_K7_EVNTSEL0, MSR_K7_PERFCTR3 }, MSR_FN, 0, 0, 0, 0, k7_perf_rd, k7_perf_wr },
	{ { MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW }, MSR_FN, 0, 0, 0, 0, kvmclock_rdmsr, kvmclock_wrmsr },
	{ { MSR_KVM_STEAL_TIME, MSR_KVM_STEAL_TIME }, MSR_FN, 0, 0, 0, 0, pv_steal_rdmsr, pv_steal_wrmsr },
};

static const struct msr_route *find(uint32_t msr)
{
	return RANGE_FIND(routes, msr);
}

/* Bits 63:N-1 all equal, N = the CPU's linear-address width (CPUID
 * 0x80000008 EAX[15:8]): WRMSR of a non-canonical address raises #GP. */
static bool canonical(uint64_t a)
{
	static unsigned bits;
	if (!bits) {
		uint32_t eax, b, c, d;
		cpuid(0x80000008, &eax, &b, &c, &d);
		bits = (eax >> 8) & 0xff;
		if (bits < 48 || bits > 64)
			bits = 48;
	}
	if (bits == 64)
		return true;
	int64_t s = (int64_t)(a << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == a;
}

static bool pat_valid(uint64_t pat)
{
	/* Each byte a memory type: UC, WC, WT, WP, WB or UC- (SDM 11.12.2). */
	for (int i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

static bool check(uint8_t how, uint64_t val)
{
	switch (how) {
	case CHK_LOW32: return !(val >> 32);
	case CHK_CANONICAL: return canonical(val);
	case CHK_PAT: return pat_valid(val);
	case CHK_UPPER_ZERO: return !(val >> 32);
	default: return true;
	}
}

bool emul_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	const struct msr_route *r = find(msr);
	if (!r)
		return false;
	switch (r->kind) {
	case MSR_CONST:
		*val = r->value;
		return true;
	case MSR_REG:
		*val = backend->get_reg(v, (enum vcpu_reg)r->reg);
		return true;
	default:
		if (!r->rd) {
			*val = r->value;
			return true;
		}
		return r->rd(v, msr, val);
	}
}

bool emul_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	const struct msr_route *r = find(msr);
	if (!r)
		return false;
	switch (r->kind) {
	case MSR_CONST:
		return r->flags & IGNORE_WR;
	case MSR_REG:
		if (!check(r->check, val))
			return false;
		backend->set_reg(v, (enum vcpu_reg)r->reg, val);
		return true;
	default:
		return r->wr && r->wr(v, msr, val);
	}
}
