/* Control registers, EFER and debug registers: the architectural rules
 * (SDM Vol. 3 2.5, 4.1; APM Vol. 2 3.1) applied once for every backend.
 * The backend stores what these functions decide (set_reg); it adds only
 * what its hardware needs (VT-x fixed bits, shadows). */
#include "vmm/emul/emul.h"
#include "vmm/dev/vlapic.h"
#include "vmm/vm/gpa.h"

/* CR0 bits that exist; writes to the other bits of 31:0 are ignored,
 * to bits 63:32 fault (SDM "MOV to/from Control Registers"). */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | \
		     CR0_AM | CR0_NW | CR0_CD | CR0_PG)

static void set_efer(struct vcpu *v, uint64_t efer)
{
	backend->set_reg(v, VREG_EFER, efer);
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & EFER_LMA);
}

/* PAE paging keeps its four PDPTEs in the CPU; they are (re)loaded from
 * CR3[31:5] when PAE paging starts, on MOV to CR3, and when CR0.CD/NW/PG
 * or CR4.PGE/PAE/PSE/SMEP change under it (SDM 4.4.1; KVM's
 * X86_CR0/CR4_PDPTR_BITS). The backend caches them; deciding when is
 * here. A present entry with a reserved bit set (2:1, 8:5, 63:MAXPHYADDR)
 * makes the instruction #GP with nothing changed. */
#define CR0_PDPTE_BITS (CR0_CD | CR0_NW | CR0_PG)
#define CR4_PDPTE_BITS (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP)

static NOINLINE bool load_pdptes(struct vcpu *v, uint64_t cr3)
{
	uint64_t pdpte[4];
	uint32_t r[4];
	emul_cpuid(v, 0x80000008, 0, r);
	unsigned maxphy = r[0] & 0xff;
	uint64_t rsvd = 0x1e6ull | (maxphy && maxphy < 64 ? ~0ull << maxphy : 0);
	if (!vm_read_gpa(v->vm, cr3 & 0xffffffe0ull, pdpte, sizeof(pdpte)))
		return false;           /* not RAM: the bus reads all ones, reserved bits set */
	for (unsigned i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return false;
	for (unsigned i = 0; i < 4; i++)
		backend->set_reg(v, VREG_PDPTE0 + i, pdpte[i]);
	return true;
}

bool emul_write_cr0(struct vcpu *v, uint64_t val)
{
	const struct vmm_backend *b = backend;
	if (val >> 32)
		return false;
	val &= CR0_DEFINED;
	if (((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	uint64_t old = b->get_reg(v, VREG_CR0), efer = b->get_reg(v, VREG_EFER);
	uint64_t cr4 = b->get_reg(v, VREG_CR4);
	bool was_pg = old & CR0_PG, pg = val & CR0_PG;
	/* Long mode turns on and off with paging (SDM 10.8.5, APM 14.6). */
	if (!was_pg && pg && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return false;                   /* long mode needs PAE */
		set_efer(v, efer | EFER_LMA);
	} else if (was_pg && !pg && (efer & EFER_LMA)) {
		set_efer(v, efer & ~EFER_LMA);
	} else if (pae_paging(val, cr4, efer) && ((val ^ old) & CR0_PDPTE_BITS) &&
		   !load_pdptes(v, b->get_reg(v, VREG_CR3))) {
		return false;
	}
	b->set_reg(v, VREG_CR0, val | CR0_ET);          /* ET is hard-wired to 1 */
	return true;
}

uint64_t emul_cr4_allowed(struct vcpu *v)
{
	uint32_t r1[4], r7[4];
	emul_cpuid(v, 1, 0, r1);
	emul_cpuid(v, 7, 0, r7);
	uint32_t c1 = r1[2], d1 = r1[3], b7 = r7[1], c7 = r7[2];
	/* Each bit is settable when the guest's CPUID offers its feature
	 * (SDM 2.5 names the feature flag of every CR4 bit). Nothing the
	 * guest was not told about can be turned on, so no state escapes the
	 * hypervisor's switching (PKRU, CET, ...). */
	uint64_t a = CR4_PCE;
	if (d1 & (1u << 1)) a |= CR4_VME | CR4_PVI;
	if (d1 & (1u << 4)) a |= CR4_TSD;
	if (d1 & (1u << 2)) a |= CR4_DE;
	if (d1 & (1u << 3)) a |= CR4_PSE;
	if (d1 & (1u << 6)) a |= CR4_PAE;
	if (d1 & (1u << 7)) a |= CR4_MCE;
	if (d1 & (1u << 13)) a |= CR4_PGE;
	if (d1 & (1u << 24)) a |= CR4_OSFXSR;
	if (d1 & (1u << 25)) a |= CR4_OSXMMEXCPT;
	if (c1 & (1u << 17)) a |= CR4_PCIDE;
	if (c1 & (1u << 26)) a |= CR4_OSXSAVE;
	if (b7 & (1u << 0)) a |= CR4_FSGSBASE;
	if (b7 & (1u << 7)) a |= CR4_SMEP;
	if (b7 & (1u << 20)) a |= CR4_SMAP;
	if (c7 & (1u << 2)) a |= CR4_UMIP;
	if (c7 & (1u << 3)) a |= CR4_PKE;
	if (c7 & (1u << 16)) a |= CR4_LA57;
	if (c7 & (1u << 7)) a |= CR4_CET;
	return a;
}

bool emul_write_cr4(struct vcpu *v, uint64_t val)
{
	const struct vmm_backend *b = backend;
	bool lma = b->get_reg(v, VREG_EFER) & EFER_LMA;
	uint64_t old = b->get_reg(v, VREG_CR4);
	/* Reserved or not offered bits, PAE cleared in long mode, LA57 changed
	 * while in long mode (SDM "MOV to CR4"). */
	/* PCIDE only in IA-32e mode, and only turned on with CR3[11:0] = 0;
	 * CET only with CR0.WP set. */
	if ((val & ~emul_cr4_allowed(v)) || (lma && !(val & CR4_PAE)) ||
	    (lma && ((val ^ old) & CR4_LA57)) ||
	    ((val & CR4_PCIDE) && (!lma || (!(old & CR4_PCIDE) && (b->get_reg(v, VREG_CR3) & 0xfff)))) ||
	    ((val & CR4_CET) && !(b->get_reg(v, VREG_CR0) & CR0_WP)))
		return false;
	uint64_t cr0 = b->get_reg(v, VREG_CR0), efer = b->get_reg(v, VREG_EFER);
	if (pae_paging(cr0, val, efer) && ((val ^ old) & CR4_PDPTE_BITS) &&
	    !load_pdptes(v, b->get_reg(v, VREG_CR3)))
		return false;
	b->set_reg(v, VREG_CR4, val);
	return true;
}

bool emul_write_cr3(struct vcpu *v, uint64_t val)
{
	const struct vmm_backend *b = backend;
	if (pae_paging(b->get_reg(v, VREG_CR0), b->get_reg(v, VREG_CR4), b->get_reg(v, VREG_EFER)) &&
	    !load_pdptes(v, val))
		return false;
	b->set_reg(v, VREG_CR3, val);
	return true;
}

bool emul_write_efer(struct vcpu *v, uint64_t val)
{
	/* SCE, LME, NXE are the guest's; LMA follows CR0.PG (above) and the
	 * value written for it is ignored, as on hardware. */
	uint64_t allowed = EFER_SCE | EFER_LME | EFER_NXE;
	uint64_t efer = backend->get_reg(v, VREG_EFER);
	/* IA32_MISC_ENABLE.XD_DISABLE takes NX away (CPUID 0x80000001 EDX[20]
	 * clear), making NXE reserved. */
	if (emul_misc_enable(v) & MISC_ENABLE_XD_DISABLE)
		allowed &= ~EFER_NXE;
	if (val & ~(allowed | EFER_LMA))
		return false;
	bool paging = backend->get_reg(v, VREG_CR0) & CR0_PG;
	if (paging && ((val ^ efer) & EFER_LME))
		return false;                           /* LME may not change with paging on */
	set_efer(v, (val & allowed) | (efer & EFER_LMA));
	return true;
}

int emul_cr_access(struct vcpu *v, const struct vm_exit *e)
{
	const struct vmm_backend *b = backend;
	struct vm_exit dec;
	if (e->u.cr.gpr == VM_EXIT_GPR_UNDECODED) {
		if (!emul_decode_cr(v, e, &dec))
			return RUN_STOP;
		e = &dec;
	}
	unsigned cr = e->u.cr.cr, gpr = e->u.cr.gpr;
	bool ok = true;
	switch (e->u.cr.op) {
	case CR_OP_WRITE: {
		uint64_t val = vcpu_get_gpr(v, gpr);
		if (!(b->get_reg(v, VREG_EFER) & EFER_LMA))
			val &= 0xffffffff;
		if (cr == 0)
			ok = emul_write_cr0(v, val);
		else if (cr == 4)
			ok = emul_write_cr4(v, val);
		else if (cr == 8)
			ok = !(val >> 4) && (vlapic_set_tpr(v, (uint32_t)val << 4), true);
		else if (cr == 3)
			ok = emul_write_cr3(v, val);
		break;
	}
	case CR_OP_READ:
		if (cr == 8)
			vcpu_set_gpr(v, gpr, vlapic_get_tpr(v) >> 4);
		else if (cr == 3)
			vcpu_set_gpr(v, gpr, b->get_reg(v, VREG_CR3));
		break;
	case CR_OP_CLTS:
		ok = emul_write_cr0(v, b->get_reg(v, VREG_CR0) & ~CR0_TS);
		break;
	case CR_OP_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE. */
		ok = emul_write_cr0(v, (b->get_reg(v, VREG_CR0) & ~0xeull) | (e->u.cr.lmsw & 0xf));
		break;
	}
	if (!ok) {
		emul_exception(v, X86_EXC_GP, true, 0);
		return RUN_RESUME;
	}
	emul_skip(v, e);
	return RUN_RESUME;
}

void emul_dr_reset(struct vcpu *v)
{
	memset(v->dr, 0, sizeof(v->dr));
	v->dr6 = DR6_FIXED;
}

int emul_dr_access(struct vcpu *v, const struct vm_exit *e)
{
	/* Debug registers are emulated, never loaded: guests get no hardware
	 * breakpoints, and no guest sees another's values. DR4/DR5 alias
	 * DR6/DR7 unless CR4.DE is set, when they #UD (SDM 17.2.2). */
	struct vm_exit dec;
	if (e->u.dr.gpr == VM_EXIT_GPR_UNDECODED) {
		if (!emul_decode_dr(v, e, &dec))
			return RUN_STOP;
		e = &dec;
	}
	unsigned dr = e->u.dr.dr, gpr = e->u.dr.gpr;
	uint64_t dr7 = backend->get_reg(v, VREG_DR7);
	if (dr7 & DR7_GD) {
		/* General detect: the MOV faults with #DB before it happens,
		 * DR6.BD set, GD cleared for the handler (SDM 18.2.4). */
		v->dr6 |= DR6_BD;
		backend->set_reg(v, VREG_DR7, dr7 & ~DR7_GD);
		emul_exception(v, X86_EXC_DB, false, 0);
		return RUN_RESUME;
	}
	if (dr == 4 || dr == 5) {
		if (backend->get_reg(v, VREG_CR4) & CR4_DE) {
			emul_exception(v, X86_EXC_UD, false, 0);
			return RUN_RESUME;
		}
		dr += 2;
	}
	if (!e->u.dr.write) {
		uint64_t val = dr < 4 ? v->dr[dr] : dr == 6 ? v->dr6 : backend->get_reg(v, VREG_DR7);
		vcpu_set_gpr(v, gpr, val);
	} else {
		uint64_t val = vcpu_get_gpr(v, gpr);
		if (dr >= 6 && (val >> 32)) {
			emul_exception(v, X86_EXC_GP, true, 0);   /* upper half is reserved */
			return RUN_RESUME;
		}
		if (dr < 4)
			v->dr[dr] = val;
		else if (dr == 6)
			v->dr6 = val | DR6_FIXED;
		else
			backend->set_reg(v, VREG_DR7, (val & 0xffffffff) | DR7_FIXED);
	}
	emul_skip(v, e);
	return RUN_RESUME;
}
