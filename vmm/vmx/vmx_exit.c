/* VM-exit dispatch (SDM Appendix C) through a bounds-checked table. Each
 * handler returns -1 to re-enter the guest, or a vcpu_run_result for the
 * generic run loop. Guest mistakes become guest exceptions; what the guest
 * cannot be allowed to do stops its VM, never the hypervisor. */
#include "vmm/vmx/vmx.h"
#include "vmm/vmm_exits.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/x86.h"

#define RESUME (-1)
typedef int (*vmx_exit_fn)(struct vcpu *v, struct vmx_exit *e);

void vmx_advance_rip(struct vcpu *v, const struct vmx_exit *e)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + e->insn_len);
	/* Skipping an instruction ends STI/MOV-SS blocking (SDM 26.3.1.5). */
	uint64_t intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

void vmx_queue_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	struct vmx_vcpu *x = to_vmx(v);
	x->exc = (struct vmx_event){
		.valid = true,
		.info = INTR_INFO_VALID | (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | vector |
			(has_error ? INTR_INFO_ERROR_CODE : 0),
		.error = error,
	};
}

static int stop_vm(struct vcpu *v, enum vm_stop_reason why, const char *what)
{
	vmx_dump(v);
	vm_stop(v->vm, why, 0, what);
	return RUN_STOP;
}

static int h_exception_nmi(struct vcpu *v, struct vmx_exit *e)
{
	unsigned type = INTR_INFO_TYPE(e->intr_info);
	if (type == INTR_TYPE_NMI) {
		/* Host NMIs only ever mean "stop this pCPU" (panic, power-off). */
		this_cpu()->stopped = true;
		for (;;)
			halt();
	}
	unsigned vec = INTR_INFO_VECTOR(e->intr_info);
	if (vec == 18)
		panic("machine check while running vm %s", v->vm->name);
	/* Anything else in the bitmap is reflected back to the guest. */
	uint32_t err = (e->intr_info & INTR_INFO_ERROR_CODE) ? (uint32_t)vmread(VMCS_EXIT_INTR_ERROR) : 0;
	vmx_queue_exception(v, vec, e->intr_info & INTR_INFO_ERROR_CODE, err);
	return RESUME;
}

static int h_external_interrupt(struct vcpu *v, struct vmx_exit *e)
{
	/* "Acknowledge interrupt on exit": the vector is in the exit info. */
	if (e->intr_info & INTR_INFO_VALID)
		irq_dispatch(INTR_INFO_VECTOR(e->intr_info));
	return RESUME;
}

static int h_triple_fault(struct vcpu *v, struct vmx_exit *e)
{
	return stop_vm(v, STOP_FAULT, "triple fault");
}

static int h_init(struct vcpu *v, struct vmx_exit *e)
{
	return RUN_INIT;
}

static int h_ignore(struct vcpu *v, struct vmx_exit *e)
{
	return RESUME;
}

static int h_window(struct vcpu *v, struct vmx_exit *e)
{
	/* Injection happens at the next entry; inject_events() re-decides
	 * which window exits are still needed. */
	return RESUME;
}

static int h_cpuid(struct vcpu *v, struct vmx_exit *e)
{
	uint32_t out[4];
	uint32_t leaf = (uint32_t)v->gpr[GPR_RAX];
	vmm_cpuid(v, leaf, (uint32_t)v->gpr[GPR_RCX], out);
	if (leaf == 1 && (vmx_guest_cr4(v) & (1u << 18)))
		out[2] |= 1u << 27;                     /* OSXSAVE follows CR4 */
	v->gpr[GPR_RAX] = out[0];
	v->gpr[GPR_RBX] = out[1];
	v->gpr[GPR_RCX] = out[2];
	v->gpr[GPR_RDX] = out[3];
	vmx_advance_rip(v, e);
	return RESUME;
}

static int h_hlt(struct vcpu *v, struct vmx_exit *e)
{
	vmx_advance_rip(v, e);
	bool ifl = vmread(VMCS_GUEST_RFLAGS) & 0x200;
	if ((ifl && vmm_intr_pending(v)) || v->nmi_pending)
		return RESUME;
	v->halt_if_off = !ifl;
	return RUN_HALT;
}

static int h_nop(struct vcpu *v, struct vmx_exit *e)
{
	vmx_advance_rip(v, e);
	return RESUME;
}

static int h_ud(struct vcpu *v, struct vmx_exit *e)
{
	vmx_queue_exception(v, 6, false, 0);
	return RESUME;
}

static int h_vmcall(struct vcpu *v, struct vmx_exit *e)
{
	/* Hypercalls from user mode are refused like KVM does (-KVM_EPERM). */
	if ((vmread(VMCS_GUEST_SS_AR) >> 5 & 3) != 0) {
		v->gpr[GPR_RAX] = (uint64_t)-1;
	} else {
		vmm_hypercall(v);
	}
	vmx_advance_rip(v, e);
	return v->vm->state == VM_RUNNING ? RESUME : RUN_STOP;
}

static int h_cr_access(struct vcpu *v, struct vmx_exit *e)
{
	unsigned cr = CRQ_CR(e->qual), gpr = CRQ_GPR(e->qual);
	struct vmx_vcpu *x = to_vmx(v);
	bool gp = false;
	switch (CRQ_TYPE(e->qual)) {
	case CRQ_TYPE_MOV_TO_CR: {
		uint64_t val = vcpu_get_gpr(v, gpr);
		if (!(x->efer & 0x400))
			val &= 0xffffffff;
		if (cr == 0)
			vmx_write_cr0(v, val, &gp);
		else if (cr == 4)
			vmx_write_cr4(v, val, &gp);
		else if (cr == 8)
			vmm_set_tpr(v, val);
		else if (cr == 3)
			vmwrite(VMCS_GUEST_CR3, val);
		break;
	}
	case CRQ_TYPE_MOV_FROM_CR:
		if (cr == 8)
			vcpu_set_gpr(v, gpr, vmm_get_tpr(v));
		else if (cr == 3)
			vcpu_set_gpr(v, gpr, vmread(VMCS_GUEST_CR3));
		break;
	case CRQ_TYPE_CLTS:
		vmx_write_cr0(v, vmx_guest_cr0(v) & ~8ull, &gp);
		break;
	case CRQ_TYPE_LMSW: {
		/* LMSW loads CR0[3:0] but cannot clear PE. */
		uint64_t val = (vmx_guest_cr0(v) & ~0xeull) | (CRQ_LMSW_DATA(e->qual) & 0xf);
		vmx_write_cr0(v, val, &gp);
		break;
	}
	}
	if (gp) {
		vmx_queue_exception(v, 13, true, 0);
		return RESUME;
	}
	vmx_advance_rip(v, e);
	return RESUME;
}

static int h_mov_dr(struct vcpu *v, struct vmx_exit *e)
{
	/* Debug registers are emulated, never loaded: guests get no hardware
	 * breakpoints, and no guest sees another's DR values. */
	struct vmx_vcpu *x = to_vmx(v);
	unsigned dr = DRQ_DR(e->qual), gpr = DRQ_GPR(e->qual);
	if (dr == 4 || dr == 5)
		dr += 2;
	if (e->qual & DRQ_FROM_DR)
		vcpu_set_gpr(v, gpr, dr == 7 ? vmread(VMCS_GUEST_DR7) : x->dr[dr]);
	else if (dr == 7)
		vmwrite(VMCS_GUEST_DR7, (vcpu_get_gpr(v, gpr) & 0xffffffff) | 0x400);
	else
		x->dr[dr] = vcpu_get_gpr(v, gpr);
	vmx_advance_rip(v, e);
	return RESUME;
}

static int h_io(struct vcpu *v, struct vmx_exit *e)
{
	if (e->qual & IOQ_STRING)
		return stop_vm(v, STOP_ERROR, "string I/O instructions are not supported");
	unsigned size = IOQ_SIZE(e->qual);
	bool in = e->qual & IOQ_IN;
	uint32_t val = (uint32_t)v->gpr[GPR_RAX];
	vmm_pio(v, (uint16_t)IOQ_PORT(e->qual), size, in, &val);
	if (in) {
		uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffff : 0xff;
		/* A 32-bit IN zero-extends into RAX; smaller ones merge. */
		if (size == 4)
			v->gpr[GPR_RAX] = val;
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (val & mask);
	}
	vmx_advance_rip(v, e);
	return v->vm->state == VM_RUNNING ? RESUME : RUN_STOP;
}

static int h_rdmsr(struct vcpu *v, struct vmx_exit *e)
{
	uint32_t msr = (uint32_t)v->gpr[GPR_RCX];
	uint64_t val;
	if (!vmx_msr_read(v, msr, &val) && !vmm_rdmsr(v, msr, &val)) {
		vmx_queue_exception(v, 13, true, 0);
		return RESUME;
	}
	v->gpr[GPR_RAX] = (uint32_t)val;
	v->gpr[GPR_RDX] = val >> 32;
	vmx_advance_rip(v, e);
	return RESUME;
}

static int h_wrmsr(struct vcpu *v, struct vmx_exit *e)
{
	uint32_t msr = (uint32_t)v->gpr[GPR_RCX];
	uint64_t val = ((v->gpr[GPR_RDX] & 0xffffffff) << 32) | (v->gpr[GPR_RAX] & 0xffffffff);
	bool gp;
	if (vmx_msr_write(v, msr, val, &gp)) {
		if (gp) {
			vmx_queue_exception(v, 13, true, 0);
			return RESUME;
		}
	} else if (!vmm_wrmsr(v, msr, val)) {
		vmx_queue_exception(v, 13, true, 0);
		return RESUME;
	}
	vmx_advance_rip(v, e);
	return v->vm->state == VM_RUNNING ? RESUME : RUN_STOP;
}

static int h_entry_failure(struct vcpu *v, struct vmx_exit *e)
{
	return stop_vm(v, STOP_ERROR, EXIT_REASON_BASIC(e->reason) == EXIT_INVALID_GUEST_STATE ?
		       "VM entry failed: invalid guest state" : "VM entry failed: MSR loading");
}

static int h_pause(struct vcpu *v, struct vmx_exit *e)
{
	vmm_spin_hint(v);
	/* PAUSE-loop exits are faults-like: RIP already points past PAUSE? No:
	 * the exit is instruction-like, so skip the PAUSE (SDM 26.1.3). */
	vmx_advance_rip(v, e);
	return vmm_need_resched() ? RUN_PREEMPT : RESUME;
}

static int h_preempt_timer(struct vcpu *v, struct vmx_exit *e)
{
	/* The slice is over by the TSC. Do not wait for the host's slice
	 * timer interrupt: an expired preemption timer outranks a pending
	 * external interrupt (SDM 26.7.4), so the guest would never get far
	 * enough for that interrupt to cause its exit. */
	return RUN_PREEMPT;
}

static void guest_mode(struct vcpu *v, struct guest_mode *m)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint64_t ar = vmread(VMCS_GUEST_CS_AR);
	m->rip = vmread(VMCS_GUEST_RIP);
	m->cs_base = vmread(VMCS_GUEST_CS_BASE);
	m->cs_l = (ar & SEG_AR_L) && (x->efer & 0x400);
	m->cs_db = ar & SEG_AR_DB;
	m->cr0 = vmx_guest_cr0(v);
	m->cr3 = vmread(VMCS_GUEST_CR3);
	m->cr4 = vmx_guest_cr4(v);
	m->efer = x->efer;
	m->cpl = (vmread(VMCS_GUEST_SS_AR) >> 5) & 3;
}

static int h_ept_violation(struct vcpu *v, struct vmx_exit *e)
{
	uint64_t gpa = vmread(VMCS_GUEST_PHYSICAL_ADDR);
	if (e->qual & EPTQ_FETCH) {
		char msg[96];
		fmt_snprintf(msg, sizeof(msg), "instruction fetch outside RAM at gpa %#llx",
			     (unsigned long long)gpa);
		return stop_vm(v, STOP_FAULT, msg);
	}
	struct guest_mode m;
	guest_mode(v, &m);
	unsigned len = vmm_mmio(v, &m, gpa);
	if (!len) {
		vmx_dump(v);
		return RUN_STOP;
	}
	struct vmx_exit fake = *e;
	fake.insn_len = len;
	vmx_advance_rip(v, &fake);
	return v->vm->state == VM_RUNNING ? RESUME : RUN_STOP;
}

static int h_ept_misconfig(struct vcpu *v, struct vmx_exit *e)
{
	return stop_vm(v, STOP_ERROR, "EPT misconfiguration");
}

static int h_xsetbv(struct vcpu *v, struct vmx_exit *e)
{
	struct vmx_vcpu *x = to_vmx(v);
	uint64_t val = ((v->gpr[GPR_RDX] & 0xffffffff) << 32) | (v->gpr[GPR_RAX] & 0xffffffff);
	uint64_t allowed = vmx_guest_xcr0_allowed();
	/* SDM XSETBV: only XCR0; x87 must stay on; AVX needs SSE; AVX-512's
	 * three components go together and need AVX. */
	bool bad = (uint32_t)v->gpr[GPR_RCX] != 0 || !(val & 1) || (val & ~allowed) ||
		   ((val & 4) && !(val & 2)) ||
		   ((val & 0xe0) && ((val & 0xe0) != 0xe0 || !(val & 4)));
	if (bad) {
		vmx_queue_exception(v, 13, true, 0);
		return RESUME;
	}
	x->xcr0 = val;
	v->xcr0 = val;
	write_xcr0(val);
	vmx_advance_rip(v, e);
	return RESUME;
}

static const vmx_exit_fn exit_table[] = {
	[EXIT_EXCEPTION_NMI] = h_exception_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = h_external_interrupt,
	[EXIT_TRIPLE_FAULT] = h_triple_fault,
	[EXIT_INIT] = h_init,
	[EXIT_SIPI] = h_ignore,
	[EXIT_INTERRUPT_WINDOW] = h_window,
	[EXIT_NMI_WINDOW] = h_window,
	[EXIT_CPUID] = h_cpuid,
	[EXIT_GETSEC] = h_ud,
	[EXIT_HLT] = h_hlt,
	[EXIT_INVD] = h_nop,
	[EXIT_VMCALL] = h_vmcall,
	[EXIT_VMCLEAR] = h_ud, [EXIT_VMLAUNCH] = h_ud, [EXIT_VMPTRLD] = h_ud,
	[EXIT_VMPTRST] = h_ud, [EXIT_VMREAD] = h_ud, [EXIT_VMRESUME] = h_ud,
	[EXIT_VMWRITE] = h_ud, [EXIT_VMXOFF] = h_ud, [EXIT_VMXON] = h_ud,
	[EXIT_INVEPT] = h_ud, [EXIT_INVVPID] = h_ud, [EXIT_VMFUNC] = h_ud,
	[EXIT_CR_ACCESS] = h_cr_access,
	[EXIT_MOV_DR] = h_mov_dr,
	[EXIT_IO_INSTRUCTION] = h_io,
	[EXIT_RDMSR] = h_rdmsr,
	[EXIT_WRMSR] = h_wrmsr,
	[EXIT_INVALID_GUEST_STATE] = h_entry_failure,
	[EXIT_MSR_LOADING] = h_entry_failure,
	[EXIT_MWAIT] = h_ud,
	[EXIT_MONITOR] = h_ud,
	[EXIT_PAUSE] = h_pause,
	[EXIT_EPT_VIOLATION] = h_ept_violation,
	[EXIT_EPT_MISCONFIG] = h_ept_misconfig,
	[EXIT_PREEMPTION_TIMER] = h_preempt_timer,
	[EXIT_WBINVD] = h_nop,
	[EXIT_XSETBV] = h_xsetbv,
};

static const char *const exit_names[] = {
	[EXIT_EXCEPTION_NMI] = "exception-nmi", [EXIT_EXTERNAL_INTERRUPT] = "external-interrupt",
	[EXIT_TRIPLE_FAULT] = "triple-fault", [EXIT_INIT] = "init", [EXIT_SIPI] = "sipi",
	[EXIT_INTERRUPT_WINDOW] = "interrupt-window", [EXIT_NMI_WINDOW] = "nmi-window",
	[EXIT_TASK_SWITCH] = "task-switch", [EXIT_CPUID] = "cpuid", [EXIT_GETSEC] = "getsec",
	[EXIT_HLT] = "hlt", [EXIT_INVD] = "invd", [EXIT_INVLPG] = "invlpg", [EXIT_RDPMC] = "rdpmc",
	[EXIT_RDTSC] = "rdtsc", [EXIT_VMCALL] = "vmcall", [EXIT_CR_ACCESS] = "cr-access",
	[EXIT_MOV_DR] = "mov-dr", [EXIT_IO_INSTRUCTION] = "io", [EXIT_RDMSR] = "rdmsr",
	[EXIT_WRMSR] = "wrmsr", [EXIT_INVALID_GUEST_STATE] = "invalid-guest-state",
	[EXIT_MSR_LOADING] = "msr-loading", [EXIT_MWAIT] = "mwait",
	[EXIT_MONITOR_TRAP_FLAG] = "mtf", [EXIT_MONITOR] = "monitor", [EXIT_PAUSE] = "pause",
	[EXIT_MACHINE_CHECK] = "machine-check", [EXIT_EPT_VIOLATION] = "ept-violation",
	[EXIT_EPT_MISCONFIG] = "ept-misconfig", [EXIT_PREEMPTION_TIMER] = "preemption-timer",
	[EXIT_WBINVD] = "wbinvd", [EXIT_XSETBV] = "xsetbv",
};

const char *vmx_exit_name(unsigned reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "other";
}

int vmx_handle_exit(struct vcpu *v, struct vmx_exit *e)
{
	unsigned basic = EXIT_REASON_BASIC(e->reason);
	if (e->reason & EXIT_REASON_ENTRY_FAIL)
		return h_entry_failure(v, e);
	if (basic >= ARRAY_SIZE(exit_table) || !exit_table[basic]) {
		char msg[80];
		fmt_snprintf(msg, sizeof(msg), "unhandled VM exit %u (%s)", basic, vmx_exit_name(basic));
		return stop_vm(v, STOP_ERROR, msg);
	}
	return exit_table[basic](v, e);
}
