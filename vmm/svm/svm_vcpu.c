/* VMCB life cycle on AMD-V: the nested page tables, the intercepts every
 * VMCB has (APM 15.8-15.14; docs/svm.md says why each), the boot state,
 * load and put, TLB flushes, the state dump. A VMCB is plain memory: any
 * pCPU may VMRUN it next, so nothing is cleared at put (no clean bits are
 * ever set, so VMRUN reloads every field: APM 15.15.4). */
#include "vmm/svm/svm.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "hw/x86.h"

static uint64_t npt_alloc(void *ctx) { return page_alloc_contig(1); }
static void npt_free(void *ctx, uint64_t pa) { page_free(pa, 1); }
static void *npt_virt(void *ctx, uint64_t pa) { return phys_to_virt(pa); }

int svm_vm_init(struct vm *vm, char *err, size_t errlen)
{
	struct svm_vm *s = kzalloc(sizeof(*s));
	if (!s)
		return fmt_error(err, errlen, "out of memory");
	static const struct npt_ops ops = { npt_alloc, npt_free, npt_virt, NULL };
	if (npt_init(&s->npt, &ops, svm_cfg.page_1g) != NPT_OK) {
		kfree(s);
		return fmt_error(err, errlen, "out of memory for the nested page tables");
	}
	vm->arch = s;
	return 0;
}

int svm_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct svm_vm *s = vm->arch;
	return npt_map(&s->npt, gpa, hpa, len);
}

void svm_vm_destroy(struct vm *vm)
{
	struct svm_vm *s = vm->arch;
	if (!s)
		return;
	npt_destroy(&s->npt);
	kfree(s);
	vm->arch = NULL;
}

/* The intercepts: the CR0 writes that change more than TS/MP, CR4 writes
 * and CR8 (the TPR is the virtual LAPIC's), every DR access (debug
 * registers are emulated), #UD (VMCALL is a hypercall: vmm/emul/exit.c),
 * #DB and #AC (a guest could otherwise hang the CPU in an endless chain of
 * them: CVE-2015-5307, CVE-2015-8104), #MC (the host's); physical
 * interrupts, NMIs, SMIs and INIT (the host's), CPUID, HLT, port I/O and
 * MSRs through the maps, task switches, shutdown (triple fault), XSETBV,
 * INVD/WBINVD (skipped), and every instruction the guest may not use:
 * RDPMC, MONITOR/MWAIT and the SVM ones (VMRUN must be: APM 15.5.1). */
static void write_controls(struct vcpu *v)
{
	struct vmcb_control *c = &vmcb_of(v)->ctl;
	struct svm_vm *sv = v->vm->arch;
	c->intercept_cr = (1u << 8) | (1u << (16 + 4)) | (1u << (16 + 8));
	c->intercept_dr = 0x00ff00ff;
	c->intercept_exc = (1u << X86_EXC_DB) | (1u << X86_EXC_UD) | (1u << X86_EXC_AC) |
			   (1u << X86_EXC_MC);
	c->intercept1 = SVM_I1_INTR | SVM_I1_NMI | SVM_I1_SMI | SVM_I1_INIT | SVM_I1_CR0_SEL_WRITE |
			SVM_I1_RDPMC | SVM_I1_CPUID | SVM_I1_INVD | SVM_I1_HLT | SVM_I1_INVLPGA |
			SVM_I1_IOIO_PROT | SVM_I1_MSR_PROT | SVM_I1_TASK_SWITCH | SVM_I1_SHUTDOWN;
	c->intercept2 = SVM_I2_VMRUN | SVM_I2_VMMCALL | SVM_I2_VMLOAD | SVM_I2_VMSAVE | SVM_I2_STGI |
			SVM_I2_CLGI | SVM_I2_SKINIT | SVM_I2_WBINVD | SVM_I2_MONITOR | SVM_I2_MWAIT |
			SVM_I2_MWAIT_COND | SVM_I2_XSETBV;
	/* PAUSE only through the filter: an exit after this many PAUSEs (in
	 * a row, with the threshold), a spin hint for the scheduler (APM
	 * 15.14.4). KVM's defaults. Never every PAUSE. */
	if (svm_cfg.features & SVM_FEAT_PAUSE_FILTER) {
		c->intercept1 |= SVM_I1_PAUSE;
		c->pause_filter_count = 3000;
		if (svm_cfg.features & SVM_FEAT_PAUSE_THRESH)
			c->pause_filter_thresh = 128;
	}
	c->iopm_base_pa = svm_iopm_pa();
	c->msrpm_base_pa = svm_msrpm_pa();
	c->tsc_offset = (uint64_t)v->vm->tsc_offset;
	/* EFLAGS.IF masks only virtual interrupts; the host's IF at VMRUN
	 * decides for physical ones (APM 15.21.1). */
	c->int_ctl = SVM_V_INTR_MASKING;
	c->np_ctl = SVM_NP_ENABLE;
	c->n_cr3 = sv->npt.root;
	c->clean = 0;
}

int svm_vcpu_init(struct vcpu *v, char *err, size_t errlen)
{
	struct svm_vcpu *s = kzalloc(sizeof(*s));
	if (!s)
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	v->arch = s;
	s->vmcb_pa = page_alloc_contig(1);
	if (!s->vmcb_pa) {
		svm_vcpu_destroy(v);
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	}
	s->vmcb = phys_to_virt(s->vmcb_pa);
	s->asid_cpu = -1;
	write_controls(v);
	return 0;
}

void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->arch;
	if (!s)
		return;
	for (unsigned i = 0; i < MAX_PCPUS; i++)
		if (svm_pcpus[i].last == s)
			svm_pcpus[i].last = NULL;    /* a new vCPU here must flush */
	if (s->vmcb_pa)
		page_free(s->vmcb_pa, 1);
	kfree(s);
	v->arch = NULL;
}

void svm_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot_state *bs)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vm = s->vmcb;
	for (unsigned i = 0; i < X86_SEG_NR; i++)
		svm_set_seg(v, i, &bs->seg[i]);
	vm->save.gdtr = (struct vmcb_seg){ .limit = bs->gdt.limit, .base = bs->gdt.base };
	vm->save.idtr = (struct vmcb_seg){ .limit = bs->idt.limit, .base = bs->idt.base };
	/* The CPL is the VMCB's own field (APM 15.5.1): 0 in real mode. */
	vm->save.cpl = (bs->cr0 & CR0_PE) ? SEG_DPL_OF(bs->seg[X86_SEG_SS].attr) : 0;
	svm_set_reg(v, VREG_EFER, bs->efer);
	vm->save.cr0 = bs->cr0;
	vm->save.cr3 = bs->cr3;
	vm->save.cr4 = bs->cr4;
	vm->save.cr2 = 0;
	vm->save.dr7 = DR7_FIXED;
	vm->save.dr6 = DR6_FIXED;
	vm->save.rflags = bs->rflags;
	vm->save.rip = bs->rip;
	vm->save.rsp = 0;
	vm->save.g_pat = PAT_POWER_ON;
	vm->save.dbgctl = 0;
	vm->save.star = vm->save.lstar = vm->save.cstar = vm->save.sfmask = 0;
	vm->save.kernel_gs_base = 0;
	vm->save.sysenter_cs = vm->save.sysenter_esp = vm->save.sysenter_eip = 0;
	vm->ctl.int_state = 0;
	vm->ctl.event_inj = 0;
	vm->ctl.int_ctl &= ~SVM_V_IRQ_FIELDS;
	s->virq_armed = false;
	vm->ctl.intercept1 &= ~(SVM_I1_VINTR | SVM_I1_IRET);
	s->nmi_blocked = s->iret_seen = false;
	svm_set_reg(v, VREG_TSC_AUX, 0);
}

void svm_flush_tlb(struct vcpu *v)
{
	/* This guest's translations (linear and guest-physical: both are
	 * tagged with its ASID, APM 15.16) must not survive the next VMRUN:
	 * flush its ASID, or, where the CPU cannot, every ASID (a fresh ASID
	 * would do on hardware, not on an emulator without ASID tags). */
	struct svm_vcpu *s = to_svm(v);
	s->vmcb->ctl.tlb_control = (svm_cfg.features & SVM_FEAT_FLUSH_ASID) ? SVM_TLB_FLUSH_ASID
									     : SVM_TLB_FLUSH_ALL;
}

void svm_vcpu_load(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	if (svm_cfg.rdtscp)
		wrmsr(MSR_TSC_AUX, s->tsc_aux);
	s->loaded = true;
}

void svm_vcpu_put(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	if (svm_cfg.rdtscp)
		s->tsc_aux = rdmsr(MSR_TSC_AUX);
	s->loaded = false;
}

void svm_dump(struct vcpu *v)
{
	struct svm_vcpu *s = to_svm(v);
	const struct vmcb *vm = s->vmcb;
	pr_err("vm %s vcpu%u: exit code %#llx (%s) info1 %#llx info2 %#llx", v->vm->name, v->id,
	       (unsigned long long)s->exit_code, svm_exit_name(s->exit_code),
	       (unsigned long long)s->exit_info1, (unsigned long long)s->exit_info2);
	pr_err("  RIP=%#llx RSP=%#llx RFLAGS=%#llx CS=%#x (base %#llx attr %#x) CPL=%u",
	       (unsigned long long)vm->save.rip, (unsigned long long)vm->save.rsp,
	       (unsigned long long)vm->save.rflags, vm->save.cs.sel,
	       (unsigned long long)vm->save.cs.base, vm->save.cs.attrib, vm->save.cpl);
	pr_err("  CR0=%#llx CR3=%#llx CR4=%#llx EFER=%#llx",
	       (unsigned long long)vm->save.cr0, (unsigned long long)vm->save.cr3,
	       (unsigned long long)vm->save.cr4, (unsigned long long)vm->save.efer);
	pr_err("  RAX=%#llx RBX=%#llx RCX=%#llx RDX=%#llx RSI=%#llx RDI=%#llx",
	       (unsigned long long)v->gpr[GPR_RAX], (unsigned long long)v->gpr[GPR_RBX],
	       (unsigned long long)v->gpr[GPR_RCX], (unsigned long long)v->gpr[GPR_RDX],
	       (unsigned long long)v->gpr[GPR_RSI], (unsigned long long)v->gpr[GPR_RDI]);
	pr_err("  intercepts cr=%#x dr=%#x exc=%#x %#x %#x asid=%u int_ctl=%#llx int_state=%#llx",
	       vm->ctl.intercept_cr, vm->ctl.intercept_dr, vm->ctl.intercept_exc, vm->ctl.intercept1,
	       vm->ctl.intercept2, vm->ctl.asid, (unsigned long long)vm->ctl.int_ctl,
	       (unsigned long long)vm->ctl.int_state);
	pr_err("  exitintinfo=%#x:%#x eventinj=%#x nmi-blocked=%d",
	       vm->ctl.exit_int_info, vm->ctl.exit_int_info_err, vm->ctl.event_inj, s->nmi_blocked);
}
