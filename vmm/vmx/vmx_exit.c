/* One VM entry on VT-x and the decoding of its exit (SDM Appendix C, 28.2)
 * into a neutral exit (vmm/vm/exit.h). Only what needs the host is handled
 * here: host interrupts and NMIs, machine checks. */
#include "vmm/vmx/vmx.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/x86.h"

/* Exit reasons that need no qualification, and their neutral codes. */
static const uint8_t simple[] = {
	[EXIT_TRIPLE_FAULT] = VMEXIT_SHUTDOWN, [EXIT_INIT] = VMEXIT_INIT,
	[EXIT_SIPI] = VMEXIT_WINDOW,   /* only in wait-for-SIPI, which lhv never enters */
	[EXIT_INTERRUPT_WINDOW] = VMEXIT_WINDOW, [EXIT_NMI_WINDOW] = VMEXIT_WINDOW,
	[EXIT_CPUID] = VMEXIT_CPUID, [EXIT_GETSEC] = VMEXIT_UD, [EXIT_HLT] = VMEXIT_HLT,
	[EXIT_INVD] = VMEXIT_SKIP, [EXIT_VMCALL] = VMEXIT_HYPERCALL,
	[EXIT_VMCLEAR] = VMEXIT_UD, [EXIT_VMLAUNCH] = VMEXIT_UD, [EXIT_VMPTRLD] = VMEXIT_UD,
	[EXIT_VMPTRST] = VMEXIT_UD, [EXIT_VMREAD] = VMEXIT_UD, [EXIT_VMRESUME] = VMEXIT_UD,
	[EXIT_VMWRITE] = VMEXIT_UD, [EXIT_VMXOFF] = VMEXIT_UD, [EXIT_VMXON] = VMEXIT_UD,
	[EXIT_INVEPT] = VMEXIT_UD, [EXIT_INVVPID] = VMEXIT_UD, [EXIT_VMFUNC] = VMEXIT_UD,
	[EXIT_RDMSR] = VMEXIT_RDMSR, [EXIT_WRMSR] = VMEXIT_WRMSR,
	[EXIT_MWAIT] = VMEXIT_UD, [EXIT_MONITOR] = VMEXIT_UD, [EXIT_PAUSE] = VMEXIT_PAUSE,
	[EXIT_PREEMPTION_TIMER] = VMEXIT_PREEMPT, [EXIT_WBINVD] = VMEXIT_SKIP,
	[EXIT_XSETBV] = VMEXIT_XSETBV, [EXIT_RDPMC] = VMEXIT_RDPMC,
};

/* Exit reasons after which this guest cannot go on. */
static const char *const errors[] = {
	[EXIT_INVALID_GUEST_STATE] = "VM entry failed: invalid guest state",
	[EXIT_MSR_LOADING] = "VM entry failed: MSR loading",
	[EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
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

static void exception_nmi(struct vcpu *v, struct vm_exit *e)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		/* Host NMIs only ever mean "stop this pCPU" (panic, power-off). */
		this_cpu()->stopped = true;
		for (;;)
			halt();
	}
	unsigned vec = INTR_INFO_VECTOR(info);
	if (vec == X86_EXC_MC)
		panic("machine check while running vm %s", v->vm->name);
	/* Anything else in the exception bitmap goes back to the guest. */
	bool has_error = info & INTR_INFO_ERROR_CODE;
	e->code = VMEXIT_EXCEPTION;
	e->u.exc = (struct vm_exit_exc){ .vector = (uint8_t)vec, .has_error = has_error,
		.error = has_error ? (uint32_t)vmread(VMCS_EXIT_INTR_ERROR) : 0 };
	if (vec == X86_EXC_DB) {
		/* A #DB that exits leaves DR6 alone; the qualification has
		 * its status bits (SDM 28.2.1, Table 28-1). */
		e->u.exc.dr6 = (uint32_t)vmread(VMCS_EXIT_QUALIFICATION);
		if (INTR_INFO_TYPE(info) == INTR_TYPE_PRIV_SW_EXCEPTION) {
			e->u.exc.int1 = true;
			e->insn_len = (unsigned)vmread(VMCS_EXIT_INSN_LEN);
		}
	}
}

static void decode(struct vcpu *v, unsigned basic, struct vm_exit *e)
{
	uint64_t q;
	if (basic < ARRAY_SIZE(simple) && simple[basic]) {
		e->code = simple[basic];
		return;
	}
	if (basic < ARRAY_SIZE(errors) && errors[basic]) {
		e->code = VMEXIT_ERROR;
		e->u.text = errors[basic];
		return;
	}
	switch (basic) {
	case EXIT_EXCEPTION_NMI:
		exception_nmi(v, e);
		return;
	case EXIT_EXTERNAL_INTERRUPT: {
		/* "Acknowledge interrupt on exit": the vector is in the exit info. */
		uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
		if (info & INTR_INFO_VALID)
			irq_dispatch(INTR_INFO_VECTOR(info));
		e->code = VMEXIT_HOST_INTR;
		return;
	}
	case EXIT_CR_ACCESS: {
		/* SDM Table 28-3; the access types are in the same order. */
		static const uint8_t ops[] = { CR_OP_WRITE, CR_OP_READ, CR_OP_CLTS, CR_OP_LMSW };
		q = vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VMEXIT_CR;
		e->u.cr = (struct vm_exit_cr){ (uint8_t)CRQ_CR(q), (uint8_t)CRQ_GPR(q), ops[CRQ_TYPE(q)],
					       (uint16_t)CRQ_LMSW_DATA(q) };
		return;
	}
	case EXIT_MOV_DR:
		q = vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VMEXIT_DR;
		e->u.dr = (struct vm_exit_dr){ (uint8_t)DRQ_DR(q), (uint8_t)DRQ_GPR(q), !(q & DRQ_FROM_DR) };
		return;
	case EXIT_IO_INSTRUCTION:
		q = vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VMEXIT_IO;
		e->u.io = (struct vm_exit_io){ (uint16_t)IOQ_PORT(q), (uint8_t)IOQ_SIZE(q), q & IOQ_IN,
					       q & IOQ_STRING, q & IOQ_REP };
		return;
	case EXIT_EPT_VIOLATION:
		q = vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VMEXIT_NPF;
		e->u.npf = (struct vm_exit_npf){ vmread(VMCS_GUEST_PHYSICAL_ADDR), q & EPTQ_WRITE,
						 q & EPTQ_FETCH };
		return;
	case EXIT_TASK_SWITCH:
		q = vmread(VMCS_EXIT_QUALIFICATION);
		e->code = VMEXIT_TASK_SWITCH;
		e->u.ts = (struct vm_exit_ts){ (uint16_t)q, (uint8_t)((q >> 30) & 3) };
		return;
	}
	e->code = VMEXIT_UNHANDLED;
	e->u.text = vmx_exit_name(basic);
}

void vmx_enter_guest(struct vcpu *v, uint64_t deadline_tsc, struct vm_exit *e)
{
	struct vmx_vcpu *x = to_vmx(v);
	if (vmx_cfg.features & VMX_FEAT_PREEMPT_TIMER) {
		/* The VMX preemption timer ends the slice even with interrupts
		 * masked; it counts TSC >> preempt_shift (SDM 26.5.1). */
		uint64_t now = rdtsc();
		uint64_t left = deadline_tsc > now ? (deadline_tsc - now) >> vmx_cfg.preempt_shift : 0;
		vmwrite(VMCS_PREEMPTION_TIMER_VALUE, MIN(left, 0xffffffffull));
	}
	/* decode() sets e->code and the fields that code needs; nothing else
	 * of *e is read (no memset: this is the hottest path there is). */
	e->insn_len = 0;
	if (vmx_enter(v, x->launched)) {
		static char msg[VM_MAX][64];    /* outlives the exit: one per VM */
		fmt_snprintf(msg[v->vm->id % VM_MAX], sizeof(msg[0]),
			     "VM entry failed: VM-instruction error %llu",
			     (unsigned long long)vmread(VMCS_VM_INSN_ERROR));
		e->code = VMEXIT_ERROR;
		e->u.text = msg[v->vm->id % VM_MAX];
		return;
	}
	x->launched = true;
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	x->last_reason = reason;
	/* An event being delivered when the exit happened must be delivered
	 * again (SDM 28.2.4, 27.6.1.1). */
	uint32_t idt = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	if (idt & INTR_INFO_VALID) {
		unsigned type = INTR_INFO_TYPE(idt);
		v->reinject = (struct x86_event){
			.valid = true, .type = (uint8_t)type, .vector = (uint8_t)INTR_INFO_VECTOR(idt),
			.has_error = idt & INTR_INFO_ERROR_CODE,
		};
		if (v->reinject.has_error)
			v->reinject.error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERROR);
		if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_SW_EXCEPTION ||
		    type == INTR_TYPE_PRIV_SW_EXCEPTION)
			v->reinject.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	}
	/* A failed entry sets bit 31 with reason 33 or 34 (SDM 27.8). */
	unsigned basic = EXIT_REASON_BASIC(reason);
	decode(v, basic, e);
	/* Instruction-like exits report the length (SDM 28.2.5). */
	e->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
}
