/* The neutral accessors over the VMCS: where VT-x keeps each piece of guest
 * state, and what the hardware adds to it (the CR0/CR4 guest/host masks and
 * fixed bits, the IA-32e entry control that follows EFER.LMA, the
 * segment access-rights format). Validity is the caller's (vmm/emul/). */
#include "vmm/vmx/vmx.h"
#include "hw/x86.h"

/* Guest/host masks: the guest sees its own CR0/CR4 values (read shadows)
 * while the real ones keep the bits VMX operation needs (SDM 25.6.6). PE
 * and PG are ours too, so long-mode transitions can be tracked. Every CR4
 * bit is ours: which ones a guest may set depends on the CPUID it is
 * offered (vmm/emul/cr.c), and a bit left to the guest would be written to
 * the real CR4 with no exit (PKE, CET, MCE: state lhv does not switch). */
uint64_t vmx_cr0_mask(void)
{
	return CR0_PE | CR0_PG | CR0_NE | CR0_CD | CR0_NW;
}

uint64_t vmx_cr4_mask(void)
{
	return ~0ull;
}

/* The syscall MSRs and KERNEL_GS_BASE pass through (vmx_msr.c): while the
 * vCPU is loaded the hardware holds them. */
static uint64_t *unswitched(struct vmx_vcpu *x, enum vcpu_reg r, uint32_t *msr)
{
	switch (r) {
	case VREG_KGS_BASE: *msr = MSR_KERNEL_GS_BASE; return &x->kgsbase;
	case VREG_STAR: *msr = MSR_STAR; return &x->star;
	case VREG_LSTAR: *msr = MSR_LSTAR; return &x->lstar;
	case VREG_CSTAR: *msr = MSR_CSTAR; return &x->cstar;
	case VREG_SFMASK: *msr = MSR_SFMASK; return &x->sfmask;
	case VREG_TSC_AUX: *msr = MSR_TSC_AUX; return &x->tsc_aux;
	default: return NULL;
	}
}

/* Is the hardware MSR the guest's value now? TSC_AUX only exists for the
 * guest when RDTSCP is enabled (vmx_vcpu_load switches it then). */
static bool live(const struct vmx_vcpu *x, enum vcpu_reg r)
{
	return x->loaded && (r != VREG_TSC_AUX || (vmx_cfg.features & VMX_FEAT_RDTSCP));
}

static const uint32_t reg_field[VREG_NR] = {
	[VREG_RIP] = VMCS_GUEST_RIP, [VREG_RSP] = VMCS_GUEST_RSP, [VREG_RFLAGS] = VMCS_GUEST_RFLAGS,
	[VREG_CR3] = VMCS_GUEST_CR3, [VREG_DR7] = VMCS_GUEST_DR7, [VREG_PAT] = VMCS_GUEST_IA32_PAT,
	[VREG_SYSENTER_CS] = VMCS_GUEST_IA32_SYSENTER_CS,
	[VREG_SYSENTER_ESP] = VMCS_GUEST_IA32_SYSENTER_ESP,
	[VREG_SYSENTER_EIP] = VMCS_GUEST_IA32_SYSENTER_EIP,
	[VREG_FS_BASE] = VMCS_GUEST_FS_BASE, [VREG_GS_BASE] = VMCS_GUEST_GS_BASE,
	/* With EPT, VM entry loads PAE paging's PDPTEs from here and VM exit
	 * stores them (SDM 27.3.2.4, 28.3.4). */
	[VREG_PDPTE0] = VMCS_GUEST_PDPTE0, [VREG_PDPTE1] = VMCS_GUEST_PDPTE1,
	[VREG_PDPTE2] = VMCS_GUEST_PDPTE2, [VREG_PDPTE3] = VMCS_GUEST_PDPTE3,
	[VREG_GDTR_BASE] = VMCS_GUEST_GDTR_BASE, [VREG_GDTR_LIMIT] = VMCS_GUEST_GDTR_LIMIT,
	[VREG_IDTR_BASE] = VMCS_GUEST_IDTR_BASE, [VREG_IDTR_LIMIT] = VMCS_GUEST_IDTR_LIMIT,
};

uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint32_t msr;
	uint64_t *u;
	switch (r) {
	case VREG_CR0:
		return (x->cr0_shadow & vmx_cr0_mask()) | (vmread(VMCS_GUEST_CR0) & ~vmx_cr0_mask());
	case VREG_CR4:
		return (x->cr4_shadow & vmx_cr4_mask()) | (vmread(VMCS_GUEST_CR4) & ~vmx_cr4_mask());
	case VREG_CR2:
		return v->cr2;
	case VREG_EFER:
		return x->efer;
	default:
		if ((u = unswitched(x, r, &msr)))
			return live(x, r) ? rdmsr(msr) : *u;
		return vmread(reg_field[r]);
	}
}

void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint32_t msr;
	uint64_t *u;
	switch (r) {
	case VREG_CR0:
		/* The real CR0 keeps the host's caching (CD/NW are ours), NE and
		 * the other fixed bits; unrestricted guest lets PE/PG go. */
		x->cr0_shadow = val;
		vmwrite(VMCS_CR0_READ_SHADOW, val);
		vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixup(&vmx_cfg, val & ~(CR0_CD | CR0_NW), true));
		return;
	case VREG_CR4:
		x->cr4_shadow = val;
		vmwrite(VMCS_CR4_READ_SHADOW, val);
		vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixup(&vmx_cfg, val | CR4_VMXE));
		return;
	case VREG_CR2:
		v->cr2 = val;
		return;
	case VREG_EFER: {
		/* "IA-32e mode guest" must equal EFER.LMA at entry (SDM 26.3.1.1). */
		x->efer = val;
		vmwrite(VMCS_GUEST_IA32_EFER, val);
		uint32_t ctls = (val & EFER_LMA) ? x->entry_ctls | ENTRY_IA32E_MODE_GUEST :
						   x->entry_ctls & ~ENTRY_IA32E_MODE_GUEST;
		if (ctls != x->entry_ctls) {
			x->entry_ctls = ctls;
			vmwrite(VMCS_ENTRY_CTLS, ctls);
		}
		return;
	}
	default:
		if ((u = unswitched(x, r, &msr))) {
			*u = val;
			if (live(x, r))
				wrmsr(msr, val);
			return;
		}
		vmwrite(reg_field[r], val);
	}
}

/* VMCS segment fields, by X86_SEG_* (SDM 25.4.1). */
static const struct { uint32_t sel, base, limit, ar; } seg_fields[X86_SEG_NR] = {
	[X86_SEG_ES] = { VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	[X86_SEG_CS] = { VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR },
	[X86_SEG_SS] = { VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
	[X86_SEG_DS] = { VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	[X86_SEG_FS] = { VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	[X86_SEG_GS] = { VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	[X86_SEG_LDTR] = { VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
			   VMCS_GUEST_LDTR_AR },
	[X86_SEG_TR] = { VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR },
};

/* Access rights: VT-x keeps the flags nibble in bits 12-15 and marks a
 * null segment with bit 16 (SDM 25.4.1); the neutral layout has the nibble
 * in bits 8-11. */
static uint32_t ar_to_attr(uint64_t ar)
{
	return (uint32_t)((ar & 0xff) | ((ar >> 4) & 0xf00) | (ar & SEG_UNUSABLE));
}

static uint32_t attr_to_ar(uint32_t attr)
{
	return (attr & 0xff) | ((attr & 0xf00) << 4) | (attr & SEG_UNUSABLE);
}

void vmx_get_seg(struct vcpu *v, unsigned seg, struct x86_seg *out)
{
	out->sel = (uint16_t)vmread(seg_fields[seg].sel);
	out->base = vmread(seg_fields[seg].base);
	out->limit = (uint32_t)vmread(seg_fields[seg].limit);
	out->attr = ar_to_attr(vmread(seg_fields[seg].ar));
}

void vmx_set_seg_op(struct vcpu *v, unsigned seg, const struct x86_seg *s)
{
	vmx_set_seg(seg, s);
}

void vmx_set_seg(unsigned seg, const struct x86_seg *s)
{
	vmwrite(seg_fields[seg].sel, s->sel);
	vmwrite(seg_fields[seg].base, s->base);
	vmwrite(seg_fields[seg].limit, s->limit);
	vmwrite(seg_fields[seg].ar, attr_to_ar(s->attr));
}

unsigned vmx_get_cpl(struct vcpu *v)
{
	/* The CPL is SS.DPL in VMX non-root operation (SDM 27.3.4). */
	return (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
}

unsigned vmx_get_code_bits(struct vcpu *v)
{
	uint64_t ar = vmread(VMCS_GUEST_CS_AR);
	if ((ar & SEG_AR_L) && (to_vmx(v)->efer & EFER_LMA))
		return 64;
	return (ar & SEG_AR_DB) ? 32 : 16;
}

unsigned vmx_get_intr_state(struct vcpu *v)
{
	uint64_t s = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	return ((s & INTERRUPTIBILITY_STI) ? VCPU_SHADOW_STI : 0) |
	       ((s & INTERRUPTIBILITY_MOV_SS) ? VCPU_SHADOW_MOVSS : 0) |
	       ((s & INTERRUPTIBILITY_NMI) ? VCPU_BLOCKED_NMI : 0);
}

void vmx_skip_insn(struct vcpu *v, unsigned len)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	/* Retiring an instruction ends STI/MOV-SS blocking (SDM 26.3.1.5). */
	uint64_t s = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (s & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, s & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

void vmx_inject(struct vcpu *v, const struct x86_event *ev)
{
	/* The neutral event types are the VM-entry interruption types
	 * (SDM 25.8.3). */
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | ((uint32_t)ev->type << INTR_INFO_TYPE_SHIFT) |
		ev->vector | (ev->has_error ? INTR_INFO_ERROR_CODE : 0));
	if (ev->has_error)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
	if (ev->type == X86_EV_SW_INTR || ev->type == X86_EV_SW_EXC || ev->type == X86_EV_PRIV_SW_EXC)
		vmwrite(VMCS_ENTRY_INSN_LEN, ev->insn_len);
}

void vmx_set_proc_ctls(struct vcpu *v, uint32_t ctls)
{
	if (to_vmx(v)->proc_ctls == ctls)
		return;
	to_vmx(v)->proc_ctls = ctls;
	vmwrite(VMCS_PROC_CTLS, ctls);
}

void vmx_set_windows(struct vcpu *v, bool intr, bool nmi)
{
	uint32_t proc = to_vmx(v)->proc_ctls & ~(PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING);
	if (nmi) {
		/* NMI-window exiting needs virtual NMIs; without it the
		 * interrupt window is the next chance to look again. */
		if ((vmx_cfg.features & VMX_FEAT_VNMI) &&
		    vmx_ctl_allowed(&vmx_cfg, VMX_CTL_PROC, PROC_NMI_WINDOW_EXITING))
			proc |= PROC_NMI_WINDOW_EXITING;
		else
			proc |= PROC_INTR_WINDOW_EXITING;
	}
	if (intr)
		proc |= PROC_INTR_WINDOW_EXITING;
	vmx_set_proc_ctls(v, proc);
}

void vmx_set_tsc_offset(struct vcpu *v, int64_t offset)
{
	vmwrite(VMCS_TSC_OFFSET, (uint64_t)offset);
}
