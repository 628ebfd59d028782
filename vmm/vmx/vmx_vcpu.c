/* VMCS life cycle on VT-x: creation, the fields every VMCS shares, the
 * boot state, loading on a pCPU and putting (SDM 25.11), TLB flushes, the
 * state dump. */
#include "vmm/vmx/vmx.h"
#include "boot/boot_defs.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/tsc.h"
#include "hw/x86.h"

/* Shared by every VMCS: trap every port (the guest owns none). */
static uint64_t io_bitmap_a, io_bitmap_b;
static spinlock_t bitmap_lock = SPINLOCK_INIT;
static uint16_t next_vpid = 1;

static uint64_t ept_alloc(void *ctx) { return page_alloc_contig(1); }
static void ept_free(void *ctx, uint64_t pa) { page_free(pa, 1); }
static void *ept_p2v(void *ctx, uint64_t pa) { return phys_to_virt(pa); }

int vmx_vm_init(struct vm *vm, char *err, size_t errlen)
{
	struct vmx_vm *x = kzalloc(sizeof(*x));
	if (!x) {
		fmt_snprintf(err, errlen, "out of memory");
		return -1;
	}
	static const struct ept_ops ops = { ept_alloc, ept_free, ept_p2v, NULL };
	unsigned flags = 0;
	if (vmx_cfg.features & VMX_FEAT_EPT_2M)
		flags |= EPT_ALLOW_2M;
	if (ept_init(&x->ept, &ops, flags) != EPT_OK) {
		kfree(x);
		fmt_snprintf(err, errlen, "out of memory for the EPT");
		return -1;
	}
	x->eptp = ept_eptp(&x->ept, false);
	vm->arch = x;
	return 0;
}

int vmx_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct vmx_vm *x = vm->arch;
	return ept_map(&x->ept, gpa, hpa, len, EPT_PERM_RWX, EPT_MT_WB);
}

static void host_setup_once(void)
{
	uint64_t f = spin_lock_irqsave(&bitmap_lock);
	if (!io_bitmap_a) {
		io_bitmap_a = page_alloc_contig(1);
		io_bitmap_b = page_alloc_contig(1);
		if (!io_bitmap_a || !io_bitmap_b)
			panic("out of memory for the I/O bitmaps");
		memset(phys_to_virt(io_bitmap_a), 0xff, PAGE_SIZE);
		memset(phys_to_virt(io_bitmap_b), 0xff, PAGE_SIZE);
	}
	spin_unlock_irqrestore(&bitmap_lock, f);
}


int vmx_vcpu_init(struct vcpu *v, char *err, size_t errlen)
{
	host_setup_once();
	struct vmx_vcpu *x = kzalloc(sizeof(*x));
	if (!x)
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	v->arch = x;
	x->vmcs = page_alloc_contig(1);
	if (!x->vmcs) {
		vmx_vcpu_destroy(v);
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	}
	*(uint32_t *)phys_to_virt(x->vmcs) = vmx_cfg.revision_id;
	x->proc_ctls = vmx_cfg.ctl[VMX_CTL_PROC];
	/* Without a TPR shadow, CR8 must not reach the real APIC. */
	if (vmx_ctl_allowed(&vmx_cfg, VMX_CTL_PROC, PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING))
		x->proc_ctls |= PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING;
	if (vmx_ctl_allowed(&vmx_cfg, VMX_CTL_PROC, PROC_MOV_DR_EXITING))
		x->proc_ctls |= PROC_MOV_DR_EXITING;
	if (vmx_ctl_allowed(&vmx_cfg, VMX_CTL_PROC, PROC_TSC_OFFSETTING))
		x->proc_ctls |= PROC_TSC_OFFSETTING;
	x->entry_ctls = vmx_cfg.ctl[VMX_CTL_ENTRY];
	if (vmx_cfg.features & VMX_FEAT_VPID) {
		uint64_t f = spin_lock_irqsave(&bitmap_lock);
		x->vpid = next_vpid++;
		spin_unlock_irqrestore(&bitmap_lock, f);
	}
	return 0;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (!x)
		return;
	if (x->vmcs)
		page_free(x->vmcs, 1);
	kfree(x);
	v->arch = NULL;
}

void vmx_vm_destroy(struct vm *vm)
{
	struct vmx_vm *x = vm->arch;
	if (!x)
		return;
	ept_destroy(&x->ept);
	kfree(x);
	vm->arch = NULL;
}

/* Fields that do not depend on the pCPU. Written with the VMCS current. */
static void write_static_fields(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	struct vmx_vm *xv = v->vm->arch;
	vmwrite(VMCS_PIN_CTLS, vmx_cfg.ctl[VMX_CTL_PIN]);
	vmwrite(VMCS_PROC_CTLS, x->proc_ctls);
	vmwrite(VMCS_PROC_CTLS2, vmx_cfg.ctl[VMX_CTL_PROC2]);
	vmwrite(VMCS_EXIT_CTLS, vmx_cfg.ctl[VMX_CTL_EXIT]);
	vmwrite(VMCS_ENTRY_CTLS, x->entry_ctls);
	/* #MC: the host's business. #UD: a VMMCALL (AMD's hypercall) is one
	 * (vmm/emul/exit.c); anything else is reflected back. */
	vmwrite(VMCS_EXCEPTION_BITMAP, 1u << X86_EXC_MC | 1u << X86_EXC_UD);
	vmwrite(VMCS_PF_ERROR_MASK, 0);
	vmwrite(VMCS_PF_ERROR_MATCH, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_IO_BITMAP_A, io_bitmap_a);
	vmwrite(VMCS_IO_BITMAP_B, io_bitmap_b);
	vmwrite(VMCS_MSR_BITMAP, vmx_msr_bitmap_page());
	vmwrite(VMCS_EPT_POINTER, xv->eptp);
	vmwrite(VMCS_TSC_OFFSET, (uint64_t)v->vm->tsc_offset);
	vmwrite(VMCS_LINK_POINTER, ~0ull);
	if (vmx_cfg.features & VMX_FEAT_VPID)
		vmwrite(VMCS_VPID, x->vpid);
	if (vmx_cfg.features & VMX_FEAT_PLE) {
		vmwrite(VMCS_PLE_GAP, 128);
		vmwrite(VMCS_PLE_WINDOW, 4096);
	}
	vmwrite(VMCS_CR0_GUEST_HOST_MASK, vmx_cr0_mask());
	vmwrite(VMCS_CR4_GUEST_HOST_MASK, vmx_cr4_mask());
	vmwrite(VMCS_CR0_READ_SHADOW, x->cr0_shadow);
	vmwrite(VMCS_CR4_READ_SHADOW, x->cr4_shadow);

	/* Host state shared by every pCPU (SDM 25.5). */
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, BOOT_CS64);
	vmwrite(VMCS_HOST_SS_SEL, BOOT_DS);
	vmwrite(VMCS_HOST_DS_SEL, BOOT_DS);
	vmwrite(VMCS_HOST_ES_SEL, BOOT_DS);
	vmwrite(VMCS_HOST_FS_SEL, 0);
	vmwrite(VMCS_HOST_GS_SEL, 0);
	vmwrite(VMCS_HOST_TR_SEL, 0x18);
	vmwrite(VMCS_HOST_FS_BASE, 0);
	vmwrite(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmwrite(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	vmwrite(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	vmwrite(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_IA32_PAT, rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
}

/* Fields that name this pCPU's tables. */
static void write_pcpu_fields(void)
{
	struct pcpu *p = this_cpu();
	struct { uint16_t limit; uint64_t base; } PACKED idtr;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	vmwrite(VMCS_HOST_GS_BASE, (uint64_t)p);
	vmwrite(VMCS_HOST_TR_BASE, (uint64_t)&p->tss);
	vmwrite(VMCS_HOST_GDTR_BASE, (uint64_t)p->gdt);
	vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
}

static void write_boot_state(struct vcpu *v, const struct vcpu_boot_state *s)
{
	struct vmx_vcpu *x = to_vmx(v);
	x->entry_ctls &= ~ENTRY_IA32E_MODE_GUEST;
	vmwrite(VMCS_ENTRY_CTLS, x->entry_ctls);
	vmx_set_reg(v, VREG_EFER, s->efer);       /* sets IA-32e mode from LMA */
	vmx_set_reg(v, VREG_CR0, s->cr0);
	vmx_set_reg(v, VREG_CR4, s->cr4);
	vmwrite(VMCS_GUEST_CR3, s->cr3);
	v->cr2 = 0;
	vmwrite(VMCS_GUEST_IA32_PAT, PAT_POWER_ON);
	vmwrite(VMCS_GUEST_DR7, DR7_FIXED);
	vmwrite(VMCS_GUEST_RFLAGS, s->rflags);
	vmwrite(VMCS_GUEST_RIP, s->rip);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_PENDING_DBG_EXC, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	for (unsigned i = 0; i < X86_SEG_NR; i++)
		vmx_set_seg(i, &s->seg[i]);
	vmwrite(VMCS_GUEST_GDTR_BASE, s->gdt.base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, s->idt.base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
	x->kgsbase = x->star = x->lstar = x->cstar = x->sfmask = x->tsc_aux = 0;
}

/* Load the VMCS on this pCPU, run `fn`, unload: for set-up off the run path. */
static void with_vmcs(struct vcpu *v, void (*fn)(struct vcpu *, const void *), const void *arg)
{
	uint64_t f = irq_save();
	struct vmx_vcpu *x = to_vmx(v);
	if (!vmptrld(x->vmcs))
		panic("VMPTRLD of vCPU %s/%u failed", v->vm->name, v->id);
	fn(v, arg);
	vmclear(x->vmcs);
	x->launched = false;
	irq_restore(f);
}

static void boot_fn(struct vcpu *v, const void *arg)
{
	write_static_fields(v);
	write_boot_state(v, arg);
}

void vmx_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot_state *s)
{
	if (to_vmx(v)->loaded) {
		/* Called from this vCPU's own exit handling. */
		write_boot_state(v, s);
		return;
	}
	with_vmcs(v, boot_fn, s);
}

static void invept_single(uint64_t eptp)
{
	struct { uint64_t eptp, rsvd; } desc = { eptp, 0 };
	uint64_t type = vmx_cfg.invept_type;
	__asm__ volatile("invept %0, %1" :: "m"(desc), "r"(type) : "cc", "memory");
}

static void invvpid_ctx(uint16_t vpid)
{
	struct { uint64_t vpid, addr; } desc = { vpid, 0 };
	uint64_t type = vmx_cfg.invvpid_type;
	__asm__ volatile("invvpid %0, %1" :: "m"(desc), "r"(type) : "cc", "memory");
}

void vmx_flush_tlb(struct vcpu *v)
{
	/* Guest-physical and combined mappings of this VM, linear ones of this
	 * VPID (SDM 29.4.3). The VMCS is current. */
	if (vmx_cfg.features & VMX_FEAT_VPID)
		invvpid_ctx(to_vmx(v)->vpid);
	invept_single(((struct vmx_vm *)v->vm->arch)->eptp);
}

void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	if (!vmptrld(x->vmcs))
		panic("VMPTRLD of vCPU %s/%u failed", v->vm->name, v->id);
	write_pcpu_fields();
	/* TLB entries tagged with this VPID/EPTP may be stale on a pCPU the
	 * vCPU ran on before (SDM 29.4.3). Flushing at every load is simple and
	 * correct; it costs some TLB refills per time slice. */
	vmx_flush_tlb(v);
	wrmsr(MSR_STAR, x->star);
	wrmsr(MSR_LSTAR, x->lstar);
	wrmsr(MSR_CSTAR, x->cstar);
	wrmsr(MSR_SFMASK, x->sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, x->kgsbase);
	if (vmx_cfg.features & VMX_FEAT_RDTSCP)
		wrmsr(MSR_TSC_AUX, x->tsc_aux);
	x->loaded = true;
}

void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	x->star = rdmsr(MSR_STAR);
	x->lstar = rdmsr(MSR_LSTAR);
	x->cstar = rdmsr(MSR_CSTAR);
	x->sfmask = rdmsr(MSR_SFMASK);
	x->kgsbase = rdmsr(MSR_KERNEL_GS_BASE);
	if (vmx_cfg.features & VMX_FEAT_RDTSCP)
		x->tsc_aux = rdmsr(MSR_TSC_AUX);
	x->loaded = false;
	/* VMCLEAR so the vCPU may be loaded on any pCPU next (SDM 25.11.1). */
	vmclear(x->vmcs);
	x->launched = false;
}

void vmx_dump(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	pr_err("vm %s vcpu%u: exit reason %u (%s) qualification %#llx", v->vm->name, v->id,
	       x->last_reason & 0xffff, vmx_exit_name(x->last_reason & 0xffff),
	       (unsigned long long)vmread(VMCS_EXIT_QUALIFICATION));
	pr_err("  RIP=%#llx RSP=%#llx RFLAGS=%#llx CS=%#llx (base %#llx ar %#llx)",
	       (unsigned long long)vmread(VMCS_GUEST_RIP), (unsigned long long)vmread(VMCS_GUEST_RSP),
	       (unsigned long long)vmread(VMCS_GUEST_RFLAGS), (unsigned long long)vmread(VMCS_GUEST_CS_SEL),
	       (unsigned long long)vmread(VMCS_GUEST_CS_BASE), (unsigned long long)vmread(VMCS_GUEST_CS_AR));
	pr_err("  CR0=%#llx (guest %#llx) CR3=%#llx CR4=%#llx (guest %#llx) EFER=%#llx",
	       (unsigned long long)vmread(VMCS_GUEST_CR0), (unsigned long long)vmx_get_reg(v, VREG_CR0),
	       (unsigned long long)vmread(VMCS_GUEST_CR3), (unsigned long long)vmread(VMCS_GUEST_CR4),
	       (unsigned long long)vmx_get_reg(v, VREG_CR4), (unsigned long long)vmread(VMCS_GUEST_IA32_EFER));
	pr_err("  RAX=%#llx RBX=%#llx RCX=%#llx RDX=%#llx RSI=%#llx RDI=%#llx",
	       (unsigned long long)v->gpr[GPR_RAX], (unsigned long long)v->gpr[GPR_RBX],
	       (unsigned long long)v->gpr[GPR_RCX], (unsigned long long)v->gpr[GPR_RDX],
	       (unsigned long long)v->gpr[GPR_RSI], (unsigned long long)v->gpr[GPR_RDI]);
	pr_err("  controls pin=%#llx proc=%#llx proc2=%#llx exit=%#llx entry=%#llx",
	       (unsigned long long)vmread(VMCS_PIN_CTLS), (unsigned long long)vmread(VMCS_PROC_CTLS),
	       (unsigned long long)vmread(VMCS_PROC_CTLS2), (unsigned long long)vmread(VMCS_EXIT_CTLS),
	       (unsigned long long)vmread(VMCS_ENTRY_CTLS));
	pr_err("  interruptibility=%#llx activity=%llu idt-vectoring=%#llx entry-intr=%#llx gpa=%#llx",
	       (unsigned long long)vmread(VMCS_GUEST_INTERRUPTIBILITY),
	       (unsigned long long)vmread(VMCS_GUEST_ACTIVITY_STATE),
	       (unsigned long long)vmread(VMCS_IDT_VECTORING_INFO),
	       (unsigned long long)vmread(VMCS_ENTRY_INTR_INFO),
	       (unsigned long long)vmread(VMCS_GUEST_PHYSICAL_ADDR));
}
