/* VMCS set-up and the run loop of one vCPU on VT-x. */
#include "vmm/vmx/vmx.h"
#include "vmm/vmm_exits.h"
#include "vmm/run.h"
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

static uint64_t xcr0_host;          /* what the host keeps in XCR0 (all allowed) */
static uint32_t xsave_size;

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
		uint32_t a, b, c, d;
		cpuid(1, &a, &b, &c, &d);
		if (c & (1u << 26)) {
			cpuid_count(0xD, 0, &a, &b, &c, &d);
			xcr0_host = (((uint64_t)d << 32) | a) & GUEST_XCR0_MASK;
			xsave_size = c;
		} else {
			xsave_size = 512;   /* FXSAVE */
		}
	}
	spin_unlock_irqrestore(&bitmap_lock, f);
}


/* Guest/host masks: the guest sees its own CR0/CR4 values (read shadows) while
 * the real ones keep the bits VMX operation needs (SDM 25.6.6). PE and PG are
 * owned by us too so long-mode transitions can be tracked. */
static uint64_t cr0_mask(void)
{
	return VMX_CR0_PE | VMX_CR0_PG | VMX_CR0_NE | VMX_CR0_CD | VMX_CR0_NW;
}
static uint64_t cr4_mask(void)
{
	return vmx_cfg.cr4_fixed0 | ~vmx_cfg.cr4_fixed1 | VMX_CR4_VMXE | (1ull << 14) /* SMXE */;
}

/* What the guest sees in CR0/CR4: owned bits from our shadow, the others
 * straight from the VMCS (the guest changes those without exits). */
uint64_t vmx_guest_cr0(struct vcpu *v)
{
	return (to_vmx(v)->cr0_shadow & cr0_mask()) | (vmread(VMCS_GUEST_CR0) & ~cr0_mask());
}

uint64_t vmx_guest_cr4(struct vcpu *v)
{
	return (to_vmx(v)->cr4_shadow & cr4_mask()) | (vmread(VMCS_GUEST_CR4) & ~cr4_mask());
}

int vmx_vcpu_init(struct vcpu *v, char *err, size_t errlen)
{
	host_setup_once();
	struct vmx_vcpu *x = kzalloc(sizeof(*x));
	if (!x)
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	v->arch = x;
	x->vmcs = page_alloc_contig(1);
	x->xsave_mem = kzalloc(xsave_size + 64);
	if (!x->vmcs || !x->xsave_mem) {
		vmx_vcpu_destroy(v);
		return fmt_error(err, errlen, "out of memory for vCPU %u", v->id);
	}
	*(uint32_t *)phys_to_virt(x->vmcs) = vmx_cfg.revision_id;
	x->xsave = (void *)ALIGN_UP((uint64_t)x->xsave_mem, 64);
	x->xcr0 = 1;
	x->last_pcpu = -1;
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
	kfree(x->xsave_mem);
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
	vmwrite(VMCS_EXCEPTION_BITMAP, 1u << 18);        /* #MC: the host's business */
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
	vmwrite(VMCS_CR0_GUEST_HOST_MASK, cr0_mask());
	vmwrite(VMCS_CR4_GUEST_HOST_MASK, cr4_mask());
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

static void set_seg(uint64_t sel_f, uint64_t base_f, uint64_t lim_f, uint64_t ar_f,
		    uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	vmwrite(sel_f, sel);
	vmwrite(base_f, base);
	vmwrite(lim_f, limit);
	vmwrite(ar_f, ar);
}

#define SEG(name) VMCS_GUEST_##name##_SEL, VMCS_GUEST_##name##_BASE, \
		  VMCS_GUEST_##name##_LIMIT, VMCS_GUEST_##name##_AR

static void write_boot_state(struct vcpu *v, const struct vcpu_boot_state *s)
{
	struct vmx_vcpu *x = to_vmx(v);
	bool real = s->mode == BOOT_REAL_SIPI, lm = s->mode == BOOT_LONG64;
	uint64_t cr0 = real ? 0x10 /* ET */ : (VMX_CR0_PE | 0x10);
	uint64_t cr4 = 0;
	x->efer = 0;
	if (lm) {
		cr0 |= VMX_CR0_PG;
		cr4 = 0x20;                              /* PAE */
		x->efer = 0x500;                         /* LME | LMA */
	}
	x->cr0_shadow = cr0;
	x->cr4_shadow = cr4;
	x->xcr0 = 1;
	v->xcr0 = 1;
	vmwrite(VMCS_CR0_READ_SHADOW, cr0);
	vmwrite(VMCS_CR4_READ_SHADOW, cr4);
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_fixup(&vmx_cfg, cr0, true));
	vmwrite(VMCS_GUEST_CR3, lm ? s->cr3 : 0);
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixup(&vmx_cfg, cr4 | VMX_CR4_VMXE));
	vmwrite(VMCS_GUEST_IA32_EFER, x->efer);
	if (lm)
		x->entry_ctls |= ENTRY_IA32E_MODE_GUEST;
	else
		x->entry_ctls &= ~ENTRY_IA32E_MODE_GUEST;
	vmwrite(VMCS_ENTRY_CTLS, x->entry_ctls);
	vmwrite(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull);   /* power-on PAT */
	vmwrite(VMCS_GUEST_DR7, 0x400);
	vmwrite(VMCS_GUEST_RFLAGS, 0x2);
	vmwrite(VMCS_GUEST_RSP, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_IA32_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_PENDING_DBG_EXC, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	if (real) {
		uint16_t cs = (uint16_t)(s->sipi_vector << 8);
		set_seg(SEG(CS), cs, (uint64_t)cs << 4, 0xffff, 0x9b);
		vmwrite(VMCS_GUEST_RIP, 0);
		uint32_t dar = 0x93;
		set_seg(SEG(DS), 0, 0, 0xffff, dar);
		set_seg(SEG(ES), 0, 0, 0xffff, dar);
		set_seg(SEG(SS), 0, 0, 0xffff, dar);
		set_seg(SEG(FS), 0, 0, 0xffff, dar);
		set_seg(SEG(GS), 0, 0, 0xffff, dar);
	} else if (lm) {
		/* Linux boot protocol 64-bit entry: __BOOT_CS/__BOOT_DS of the
		 * loader's GDT, interrupts off, paging on (boot.rst). */
		set_seg(SEG(CS), s->cs, 0, 0xffffffff, s->cs_ar);
		vmwrite(VMCS_GUEST_RIP, s->rip);
		set_seg(SEG(DS), s->ds, 0, 0xffffffff, s->ds_ar);
		set_seg(SEG(ES), s->ds, 0, 0xffffffff, s->ds_ar);
		set_seg(SEG(SS), s->ds, 0, 0xffffffff, s->ds_ar);
		set_seg(SEG(FS), s->ds, 0, 0xffffffff, s->ds_ar);
		set_seg(SEG(GS), s->ds, 0, 0xffffffff, s->ds_ar);
	} else {
		/* Multiboot: flat 4 GiB code and data, 32-bit (spec section 3.2). */
		set_seg(SEG(CS), 0x08, 0, 0xffffffff, 0xc09b);
		vmwrite(VMCS_GUEST_RIP, s->rip);
		uint32_t dar = 0xc093;
		set_seg(SEG(DS), 0x10, 0, 0xffffffff, dar);
		set_seg(SEG(ES), 0x10, 0, 0xffffffff, dar);
		set_seg(SEG(SS), 0x10, 0, 0xffffffff, dar);
		set_seg(SEG(FS), 0x10, 0, 0xffffffff, dar);
		set_seg(SEG(GS), 0x10, 0, 0xffffffff, dar);
	}
	set_seg(SEG(TR), 0, 0, 0xffff, 0x8b);           /* busy 32-bit TSS */
	set_seg(SEG(LDTR), 0, 0, 0xffff, SEG_AR_UNUSABLE | 0x82);
	vmwrite(VMCS_GUEST_GDTR_BASE, lm ? s->gdt_base : 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, lm ? s->gdt_limit : 0xffff);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff);
	x->reinject.valid = false;
	x->exc.valid = false;
	memset(x->dr, 0, sizeof(x->dr));
	x->dr[6] = 0xffff0ff0;
	x->dr[7] = 0x400;
	x->star = x->lstar = x->cstar = x->sfmask = x->kgsbase = x->tsc_aux = 0;
	/* Fresh FPU state: XRSTOR of a zeroed header gives the init state. */
	memset(x->xsave, 0, xsave_size);
	if (!xcr0_host) {
		((uint16_t *)x->xsave)[0] = 0x37f;             /* FCW */
		((uint32_t *)x->xsave)[6] = 0x1f80;            /* MXCSR */
	}
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
	if (v->pcpu == (int)cpu_id() && v->state == VCPU_RUNNING) {
		/* Called from this vCPU's own exit handling (INIT/SIPI). */
		write_boot_state(v, s);
		return;
	}
	with_vmcs(v, boot_fn, s);
}

void vmx_set_entry_ctls(struct vcpu *v, uint32_t ctls)
{
	to_vmx(v)->entry_ctls = ctls;
	vmwrite(VMCS_ENTRY_CTLS, ctls);
}

void vmx_set_proc_ctls(struct vcpu *v, uint32_t ctls)
{
	if (to_vmx(v)->proc_ctls == ctls)
		return;
	to_vmx(v)->proc_ctls = ctls;
	vmwrite(VMCS_PROC_CTLS, ctls);
}

uint64_t vmx_get_rsp(struct vcpu *v) { return vmread(VMCS_GUEST_RSP); }
void vmx_set_rsp(struct vcpu *v, uint64_t rsp) { vmwrite(VMCS_GUEST_RSP, rsp); }

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

static void fpu_load(struct vmx_vcpu *x)
{
	if (xcr0_host) {
		write_xcr0(xcr0_host);
		__asm__ volatile("xrstor64 (%0)" :: "r"(x->xsave), "a"((uint32_t)xcr0_host),
				 "d"((uint32_t)(xcr0_host >> 32)) : "memory");
		write_xcr0(x->xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" :: "r"(x->xsave) : "memory");
	}
}

static void fpu_save(struct vmx_vcpu *x)
{
	if (xcr0_host) {
		write_xcr0(xcr0_host);
		__asm__ volatile("xsave64 (%0)" :: "r"(x->xsave), "a"((uint32_t)xcr0_host),
				 "d"((uint32_t)(xcr0_host >> 32)) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" :: "r"(x->xsave) : "memory");
	}
}

static void vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	if (!vmptrld(x->vmcs))
		panic("VMPTRLD of vCPU %s/%u failed", v->vm->name, v->id);
	write_pcpu_fields();
	/* TLB entries tagged with this VPID/EPTP may be stale on a pCPU the
	 * vCPU ran on before (SDM 29.4.3). Flushing at every load is simple and
	 * correct; it costs some TLB refills per time slice. */
	if (vmx_cfg.features & VMX_FEAT_VPID)
		invvpid_ctx(x->vpid);
	invept_single(((struct vmx_vm *)v->vm->arch)->eptp);
	wrmsr(0xC0000081, x->star);
	wrmsr(0xC0000082, x->lstar);
	wrmsr(0xC0000083, x->cstar);
	wrmsr(0xC0000084, x->sfmask);
	wrmsr(MSR_KERNEL_GS_BASE, x->kgsbase);
	if (vmx_cfg.features & VMX_FEAT_RDTSCP)
		wrmsr(0xC0000103, x->tsc_aux);
	fpu_load(x);
	x->last_pcpu = (int)cpu_id();
}

void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	fpu_save(x);
	x->star = rdmsr(0xC0000081);
	x->lstar = rdmsr(0xC0000082);
	x->cstar = rdmsr(0xC0000083);
	x->sfmask = rdmsr(0xC0000084);
	x->kgsbase = rdmsr(MSR_KERNEL_GS_BASE);
	if (vmx_cfg.features & VMX_FEAT_RDTSCP)
		x->tsc_aux = rdmsr(0xC0000103);
	/* VMCLEAR so the vCPU may be loaded on any pCPU next (SDM 25.11.1). */
	vmclear(x->vmcs);
	x->launched = false;
}

/* Decide what to inject at this entry (SDM 27.6, 26.7.5). Order: an event
 * whose delivery an exit interrupted, an exception from a handler, NMI,
 * then the highest-priority LAPIC interrupt when the guest can take it;
 * otherwise ask for a window exit. */
static void inject_events(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint32_t proc = x->proc_ctls & ~(PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING);
	struct vmx_event *ev = x->reinject.valid ? &x->reinject : x->exc.valid ? &x->exc : NULL;
	if (ev) {
		vmwrite(VMCS_ENTRY_INTR_INFO, ev->info);
		if (ev->info & INTR_INFO_ERROR_CODE)
			vmwrite(VMCS_ENTRY_EXCEPTION_ERROR, ev->error);
		vmwrite(VMCS_ENTRY_INSN_LEN, ev->insn_len);
		ev->valid = false;
		/* Further events wait for the next exit. */
		if (v->nmi_pending || vmm_intr_pending(v))
			proc |= PROC_INTR_WINDOW_EXITING;
		vmx_set_proc_ctls(v, proc);
		return;
	}
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (v->nmi_pending) {
		if (!(intr & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
			v->nmi_pending = false;
			vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) | 2);
		} else if ((vmx_cfg.features & VMX_FEAT_VNMI) &&
			   vmx_ctl_allowed(&vmx_cfg, VMX_CTL_PROC, PROC_NMI_WINDOW_EXITING)) {
			proc |= PROC_NMI_WINDOW_EXITING;
		} else {
			proc |= PROC_INTR_WINDOW_EXITING;
		}
		vmx_set_proc_ctls(v, proc);
		return;
	}
	if (vmm_intr_pending(v)) {
		uint64_t rflags = vmread(VMCS_GUEST_RFLAGS);
		if ((rflags & 0x200) && !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
			int vec = vmm_intr_ack(v);
			if (vec >= 0)
				vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID |
					(INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT) | (uint32_t)vec);
		} else {
			proc |= PROC_INTR_WINDOW_EXITING;
		}
	}
	vmx_set_proc_ctls(v, proc);
}

enum vcpu_run_result vmx_vcpu_run(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	vcpu_load(v);
	for (;;) {
		int why = vmm_check_exit(v);
		if (why >= 0)
			return (enum vcpu_run_result)why;
		inject_events(v);
		if (vmx_cfg.features & VMX_FEAT_PREEMPT_TIMER) {
			uint64_t left = vmm_slice_left_tsc() >> vmx_cfg.preempt_shift;
			vmwrite(VMCS_PREEMPTION_TIMER_VALUE, MIN(left, 0xffffffffull));
		}
		int failed = vmx_enter(v, x->launched);
		if (failed) {
			uint64_t err = vmread(VMCS_VM_INSN_ERROR);
			vmx_dump(v);
			char msg[96];
			fmt_snprintf(msg, sizeof(msg), "VM entry failed: VM-instruction error %llu",
				     (unsigned long long)err);
			vm_stop(v->vm, STOP_ERROR, 0, msg);
			return RUN_STOP;
		}
		x->launched = true;
		v->exits++;
		struct vmx_exit e = {
			.reason = (uint32_t)vmread(VMCS_EXIT_REASON),
			.qual = vmread(VMCS_EXIT_QUALIFICATION),
			.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN),
			.intr_info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO),
		};
		x->last_reason = e.reason;
		x->last_qual = e.qual;
		/* An event being delivered when the exit happened must be
		 * delivered again (SDM 28.2.4, 27.6.1.1). */
		uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
		if (idt & INTR_INFO_VALID) {
			x->reinject = (struct vmx_event){ true, idt & ~(1u << 12), 0, 0 };
			if (idt & INTR_INFO_ERROR_CODE)
				x->reinject.error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
			unsigned type = INTR_INFO_TYPE(idt);
			if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
			    type == INTR_TYPE_PRIV_SW_EXCEPTION)
				x->reinject.insn_len = e.insn_len;
		}
		unsigned basic = EXIT_REASON_BASIC(e.reason);
		if (log_threshold >= LOG_DEBUG && v->exits <= 400)
			pr_debug("vm %s vcpu%u exit %u (%s) rip=%#llx qual=%#llx info=%#x", v->vm->name, v->id,
				 basic, vmx_exit_name(basic), (unsigned long long)vmread(VMCS_GUEST_RIP),
				 (unsigned long long)e.qual, e.intr_info);
		v->vm->exit_count[MIN(basic, (unsigned)VMM_EXIT_REASONS)]++;
		int r = vmx_handle_exit(v, &e);
		if (r >= 0)
			return (enum vcpu_run_result)r;
	}
}

void vmx_dump(struct vcpu *v)
{
	struct vmx_vcpu *x = to_vmx(v);
	pr_err("vm %s vcpu%u: exit reason %u (%s) qualification %#llx", v->vm->name, v->id,
	       x->last_reason & 0xffff, vmx_exit_name(x->last_reason & 0xffff),
	       (unsigned long long)x->last_qual);
	pr_err("  RIP=%#llx RSP=%#llx RFLAGS=%#llx CS=%#llx (base %#llx ar %#llx)",
	       (unsigned long long)vmread(VMCS_GUEST_RIP), (unsigned long long)vmread(VMCS_GUEST_RSP),
	       (unsigned long long)vmread(VMCS_GUEST_RFLAGS), (unsigned long long)vmread(VMCS_GUEST_CS_SEL),
	       (unsigned long long)vmread(VMCS_GUEST_CS_BASE), (unsigned long long)vmread(VMCS_GUEST_CS_AR));
	pr_err("  CR0=%#llx (guest %#llx) CR3=%#llx CR4=%#llx (guest %#llx) EFER=%#llx",
	       (unsigned long long)vmread(VMCS_GUEST_CR0), (unsigned long long)vmx_guest_cr0(v),
	       (unsigned long long)vmread(VMCS_GUEST_CR3), (unsigned long long)vmread(VMCS_GUEST_CR4),
	       (unsigned long long)vmx_guest_cr4(v), (unsigned long long)vmread(VMCS_GUEST_IA32_EFER));
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

uint64_t vmx_guest_xcr0_allowed(void) { return xcr0_host ? xcr0_host : 1; }

/* MOV to CR0 (also CLTS, LMSW). Tracks long-mode activation: with PG owned
 * by the hypervisor, EFER.LMA and the "IA-32e mode guest" entry control are
 * set here when paging turns on with EFER.LME (SDM 10.8.5, 26.3.1.1). */
void vmx_write_cr0(struct vcpu *v, uint64_t val, bool *gp)
{
	struct vmx_vcpu *x = to_vmx(v);
	*gp = false;
	if ((val >> 32) || ((val & VMX_CR0_PG) && !(val & VMX_CR0_PE)) ||
	    ((val & VMX_CR0_NW) && !(val & VMX_CR0_CD))) {
		*gp = true;
		return;
	}
	bool was_pg = x->cr0_shadow & VMX_CR0_PG, pg = val & VMX_CR0_PG;
	if (!was_pg && pg && (x->efer & 0x100)) {
		if (!(vmx_guest_cr4(v) & 0x20)) {        /* long mode needs PAE */
			*gp = true;
			return;
		}
		x->efer |= 0x400;
		vmwrite(VMCS_GUEST_IA32_EFER, x->efer);
		vmx_set_entry_ctls(v, x->entry_ctls | ENTRY_IA32E_MODE_GUEST);
	} else if (was_pg && !pg && (x->efer & 0x400)) {
		x->efer &= ~0x400ull;
		vmwrite(VMCS_GUEST_IA32_EFER, x->efer);
		vmx_set_entry_ctls(v, x->entry_ctls & ~ENTRY_IA32E_MODE_GUEST);
	}
	x->cr0_shadow = val | 0x10;                      /* ET is hard-wired */
	vmwrite(VMCS_CR0_READ_SHADOW, x->cr0_shadow);
	/* The real CR0 keeps the host's caching (CD/NW are ours) and NE. */
	uint64_t real = vmx_cr0_fixup(&vmx_cfg, x->cr0_shadow & ~(uint64_t)(VMX_CR0_CD | VMX_CR0_NW), true);
	vmwrite(VMCS_GUEST_CR0, real);
}

void vmx_write_cr4(struct vcpu *v, uint64_t val, bool *gp)
{
	struct vmx_vcpu *x = to_vmx(v);
	*gp = false;
	/* No nested VMX/SMX; only bits the CPU supports; PAE stays on in long mode. */
	if ((val & (VMX_CR4_VMXE | (1ull << 14))) || (val & ~vmx_cfg.cr4_fixed1) ||
	    ((x->efer & 0x400) && !(val & 0x20))) {
		*gp = true;
		return;
	}
	x->cr4_shadow = val;
	vmwrite(VMCS_CR4_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_fixup(&vmx_cfg, val | VMX_CR4_VMXE));
}
