/* VMCS life cycle on VT-x: creation, the fields every VMCS shares, the
 * boot state, loading on a pCPU and putting (SDM 25.11), TLB flushes, the
 * state dump.
 *
 * A VMCS stays active on the pCPU it last ran on when its vCPU is put: if
 * the scheduler dispatches the same vCPU there again, VMPTRLD is skipped
 * (or cheap), VMRESUME continues it and its VPID-tagged TLB entries are
 * still good. SDM 25.11.1 forbids a VMCS active on two processors and
 * requires VMCLEAR on the old one before VMPTRLD on a new one, and only
 * the processor that holds an active VMCS can clear it. So:
 *  - each pCPU keeps at most one active VMCS (the last it ran); loading
 *    another vCPU there clears the old one first, locally;
 *  - a pCPU that must load a VMCS still active elsewhere asks that pCPU
 *    (VEC_BACKEND IPI; its handler clears the VMCS) and waits. It cleared
 *    its own active VMCS before waiting, so two pCPUs never wait for each
 *    other. The other pCPU takes the IPI at once when idle or in a guest
 *    (an external-interrupt exit), otherwise at its next load or idle: in
 *    between it holds no lock and waits for nothing;
 *  - VMCLEAR does not touch the TLB (SDM 29.4.3.1): a vCPU's VPID-tagged
 *    entries on a pCPU stay valid until it runs elsewhere, where the
 *    guest's own INVLPG/MOV CR3 reach only that pCPU's TLB. Hence a VPID
 *    flush when a vCPU runs on another pCPU than last time (migration),
 *    and on request (vcpu_request, the guest's PV flush). EPT entries never
 *    change after a VM is built, so guest-physical mappings need none. */
#include "vmm/vmx/vmx.h"
#include "boot/boot_defs.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"

/* Shared by every VMCS: trap every port (the guest owns none). */
static uint64_t io_bitmap_a, io_bitmap_b;
static spinlock_t bitmap_lock = SPINLOCK_INIT;
static uint16_t next_vpid = 1;

/* Per pCPU: the vCPU whose VMCS is active here (at most one), and the
 * VMCS that is current (VMPTRLD'ed), 0 when none. Changed only by this
 * pCPU with interrupts off (its VEC_BACKEND handler included). */
static struct vmx_pcpu {
	struct vcpu *active;
	uint64_t current;
} vmx_pcpus[MAX_PCPUS];

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
	x->active_cpu = x->host_cpu = x->tlb_cpu = -1;
	if (vmx_cfg.features & VMX_FEAT_VPID) {
		uint64_t f = spin_lock_irqsave(&bitmap_lock);
		x->vpid = next_vpid++;
		spin_unlock_irqrestore(&bitmap_lock, f);
	}
	return 0;
}

static void write_pcpu_fields(void);

/* VMCLEAR the VMCS active on this pCPU (interrupts off): its data goes to
 * memory, it is neither active nor current any more, the next entry is a
 * VMLAUNCH. Then another pCPU may load it. */
static void release_local(struct vmx_pcpu *pc)
{
	struct vmx_vcpu *x = to_vmx(pc->active);
	vmclear(x->vmcs);
	if (pc->current == x->vmcs)
		pc->current = 0;
	x->launched = false;
	pc->active = NULL;
	__atomic_store_n(&x->active_cpu, -1, __ATOMIC_RELEASE);
}

/* VEC_BACKEND: another pCPU waits for the VMCS active here. */
static void release_irq(unsigned vec)
{
	struct vmx_pcpu *pc = &vmx_pcpus[cpu_id()];
	if (pc->active && __atomic_load_n(&to_vmx(pc->active)->release_req, __ATOMIC_ACQUIRE))
		release_local(pc);
}

void vmx_vmcs_cpu_init(void)
{
	irq_register(VEC_BACKEND, release_irq);
}

/* v's VMCS, active on pCPU `cpu` (not this one), must be cleared there.
 * Interrupts off; this pCPU holds no active VMCS meanwhile. */
static void release_remote(struct vcpu *v, int cpu)
{
	struct vmx_vcpu *x = to_vmx(v);
	__atomic_store_n(&x->release_req, true, __ATOMIC_SEQ_CST);
	lapic_send_ipi(pcpus[cpu].apic_id, VEC_BACKEND);
	while (__atomic_load_n(&x->active_cpu, __ATOMIC_ACQUIRE) >= 0)
		cpu_relax();
	__atomic_store_n(&x->release_req, false, __ATOMIC_RELAXED);
	v->load_remote++;
}

/* Make v's VMCS active and current on this pCPU (interrupts off). True if
 * it was active here already (nothing to clear, nothing to reload). */
static bool acquire(struct vcpu *v)
{
	unsigned me = cpu_id();
	struct vmx_pcpu *pc = &vmx_pcpus[me];
	struct vmx_vcpu *x = to_vmx(v);
	bool warm = pc->active == v;
	if (!warm) {
		if (pc->active)
			release_local(pc);
		int cpu = __atomic_load_n(&x->active_cpu, __ATOMIC_ACQUIRE);
		if (cpu >= 0)
			release_remote(v, cpu);
		pc->active = v;
		x->active_cpu = (int)me;
	}
	if (pc->current != x->vmcs) {
		if (!vmptrld(x->vmcs))
			panic("VMPTRLD of vCPU %s/%u failed", v->vm->name, v->id);
		pc->current = x->vmcs;
	}
	if (x->host_cpu != (int)me) {
		write_pcpu_fields();
		x->host_cpu = (int)me;
	}
	return warm;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->arch;
	if (!x)
		return;
	if (x->vmcs && x->active_cpu >= 0) {
		/* Never free an active VMCS: the processor may write it back. */
		uint64_t f = irq_save();
		struct vmx_pcpu *pc = &vmx_pcpus[cpu_id()];
		if (pc->active == v)
			release_local(pc);
		else
			release_remote(v, x->active_cpu);
		irq_restore(f);
	}
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
	/* #DB: its status goes to the guest's DR6, which is emulated
	 * (vmm/emul/cr.c); #DB and #AC also because a guest whose #DB or #AC
	 * delivery raises the same exception again keeps a real CPU in
	 * microcode with no exit (CVE-2015-8104, CVE-2015-5307, as KVM). */
	vmwrite(VMCS_EXCEPTION_BITMAP, 1u << X86_EXC_MC | 1u << X86_EXC_UD | 1u << X86_EXC_DB |
		1u << X86_EXC_AC);
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

/* Make the VMCS current on this pCPU and run `fn`: for set-up off the run
 * path (creation, SIPI). It stays active here, like after a put. */
static void with_vmcs(struct vcpu *v, void (*fn)(struct vcpu *, const void *), const void *arg)
{
	uint64_t f = irq_save();
	acquire(v);
	fn(v, arg);
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
	int me = (int)cpu_id();
	if (acquire(v))
		v->load_warm++;
	else
		v->load_cold++;
	/* Entries tagged with this VPID on this pCPU are stale if the vCPU
	 * ran elsewhere since it last ran here (see the top of this file). */
	if (x->tlb_cpu != me) {
		if (x->tlb_cpu >= 0)
			v->tlb_migr++;
		vmx_flush_tlb(v);
		x->tlb_cpu = me;
	}
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
	/* No VMCLEAR: the VMCS stays active here until this pCPU loads
	 * another one or another pCPU asks for it (see the top). */
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
