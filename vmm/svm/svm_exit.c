/* One VMRUN on AMD-V and the decoding of its #VMEXIT (APM Appendix C,
 * 15.7) into a neutral exit (vmm/vm/exit.h). Handled here: ASIDs, the
 * window intercepts, NMI blocking, events whose delivery was cut short
 * (EXITINTINFO), machine checks. Host interrupts were taken by the entry
 * stub. */
#include "vmm/svm/svm.h"
#include "core/log.h"
#include "core/percpu.h"
#include "hw/x86.h"

/* Exit codes that need no decoding: their neutral code, and whether they
 * are instruction intercepts, whose length NRIP save reports. */
static const struct {
	uint8_t code;
	bool insn;
} simple[] = {
	[SVM_EXIT_INIT] = { VMEXIT_INIT, false },
	[SVM_EXIT_SHUTDOWN] = { VMEXIT_SHUTDOWN, false },
	[SVM_EXIT_CPUID] = { VMEXIT_CPUID, true },
	[SVM_EXIT_HLT] = { VMEXIT_HLT, true },
	[SVM_EXIT_PAUSE] = { VMEXIT_PAUSE, true },
	[SVM_EXIT_VMMCALL] = { VMEXIT_HYPERCALL, true },
	[SVM_EXIT_XSETBV] = { VMEXIT_XSETBV, true },
	[SVM_EXIT_INVD] = { VMEXIT_SKIP, true },
	[SVM_EXIT_WBINVD] = { VMEXIT_SKIP, true },
	[SVM_EXIT_RDPMC] = { VMEXIT_RDPMC, false },
	[SVM_EXIT_MONITOR] = { VMEXIT_UD, false },
	[SVM_EXIT_MWAIT] = { VMEXIT_UD, false },
	[SVM_EXIT_MWAIT_COND] = { VMEXIT_UD, false },
	[SVM_EXIT_INVLPGA] = { VMEXIT_UD, false },
	[SVM_EXIT_VMRUN] = { VMEXIT_UD, false },
	[SVM_EXIT_VMLOAD] = { VMEXIT_UD, false },
	[SVM_EXIT_VMSAVE] = { VMEXIT_UD, false },
	[SVM_EXIT_STGI] = { VMEXIT_UD, false },
	[SVM_EXIT_CLGI] = { VMEXIT_UD, false },
	[SVM_EXIT_SKINIT] = { VMEXIT_UD, false },
};

static const char *const names[] = {
	[SVM_EXIT_INTR] = "intr", [SVM_EXIT_NMI] = "nmi", [SVM_EXIT_SMI] = "smi",
	[SVM_EXIT_INIT] = "init", [SVM_EXIT_VINTR] = "vintr", [SVM_EXIT_CR0_SEL_WRITE] = "cr0-sel-write",
	[SVM_EXIT_RDPMC] = "rdpmc", [SVM_EXIT_CPUID] = "cpuid", [SVM_EXIT_IRET] = "iret",
	[SVM_EXIT_INVD] = "invd", [SVM_EXIT_PAUSE] = "pause", [SVM_EXIT_HLT] = "hlt",
	[SVM_EXIT_INVLPGA] = "invlpga", [SVM_EXIT_IOIO] = "ioio", [SVM_EXIT_MSR] = "msr",
	[SVM_EXIT_TASK_SWITCH] = "task-switch", [SVM_EXIT_SHUTDOWN] = "shutdown",
	[SVM_EXIT_VMRUN] = "vmrun", [SVM_EXIT_VMMCALL] = "vmmcall", [SVM_EXIT_VMLOAD] = "vmload",
	[SVM_EXIT_VMSAVE] = "vmsave", [SVM_EXIT_STGI] = "stgi", [SVM_EXIT_CLGI] = "clgi",
	[SVM_EXIT_SKINIT] = "skinit", [SVM_EXIT_WBINVD] = "wbinvd", [SVM_EXIT_MONITOR] = "monitor",
	[SVM_EXIT_MWAIT] = "mwait", [SVM_EXIT_MWAIT_COND] = "mwait-cond", [SVM_EXIT_XSETBV] = "xsetbv",
};

const char *svm_exit_name(uint64_t code)
{
	if (code < 0x20)
		return code < 0x10 ? "cr-read" : "cr-write";
	if (code < 0x40)
		return code < 0x30 ? "dr-read" : "dr-write";
	if (code < 0x60)
		return "exception";
	if (code < ARRAY_SIZE(names) && names[code])
		return names[code];
	if (code == SVM_EXIT_NPF)
		return "npf";
	if (code == SVM_EXIT_INVALID)
		return "invalid";
	return "other";
}

/* Vectors that push an error code (APM 8.2). */
#define EXC_WITH_ERROR ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | \
			(1u << 14) | (1u << 17) | (1u << 21) | (1u << 29) | (1u << 30))

/* The exiting instruction's length from NRIP save, or 0. */
static unsigned nrip_len(const struct vmcb *vm)
{
	if (!(svm_cfg.features & SVM_FEAT_NRIPS))
		return 0;
	uint64_t d = vm->ctl.next_rip - vm->save.rip;
	return d >= 1 && d <= 15 ? (unsigned)d : 0;
}

/* A fresh ASID from this pCPU's pool whenever the vCPU's is from another
 * pCPU or an older generation, so no TLB entry tagged with it can be
 * stale here; when the pool runs out every ASID is flushed and the pool
 * starts again (APM 15.16). */
static void new_asid(struct svm_vcpu *s, struct svm_pcpu *p, unsigned cpu)
{
	if (p->next_asid >= svm_cfg.nasid) {
		p->asid_gen++;
		p->next_asid = 1;
		s->vmcb->ctl.tlb_control = SVM_TLB_FLUSH_ALL;
	}
	s->asid = p->next_asid++;
	s->asid_gen = p->asid_gen;
	s->asid_cpu = (int)cpu;
	s->vmcb->ctl.asid = s->asid;
}

/* An event whose delivery the exit cut short goes again (APM 15.7.2);
 * software interrupts and INT3/INTO are not redelivered: RIP still points
 * at their instruction, which runs again. */
static void exit_int_info(struct vcpu *v, uint32_t ii, uint32_t err)
{
	unsigned type = SVM_EV_TYPE(ii), vec = SVM_EV_VECTOR(ii);
	static const uint8_t to_neutral[8] = {
		[SVM_EV_TYPE_INTR] = X86_EV_INTR, [SVM_EV_TYPE_NMI] = X86_EV_NMI,
		[SVM_EV_TYPE_EXC] = X86_EV_HW_EXC,
	};
	if (type == SVM_EV_TYPE_SOFT || (type == SVM_EV_TYPE_EXC && (vec == X86_EXC_BP || vec == X86_EXC_OF)))
		return;
	if (type != SVM_EV_TYPE_INTR && type != SVM_EV_TYPE_NMI && type != SVM_EV_TYPE_EXC)
		return;
	/* QEMU's TCG reports any interrupted delivery that EVENTINJ did not
	 * start as an exception, a virtual interrupt's too; exceptions have
	 * vectors below 32, so a higher one was an external interrupt. */
	if (type == SVM_EV_TYPE_EXC && vec >= 32)
		type = SVM_EV_TYPE_INTR;
	v->reinject = (struct x86_event){ .valid = true, .type = to_neutral[type], .vector = (uint8_t)vec,
					  .has_error = ii & SVM_EV_ERR_VALID, .error = err };
}

/* The interrupt svm_inject offered in V_IRQ: the CPU clears V_IRQ when
 * the guest takes it (APM 15.21.4). An exit that came first (a host
 * interrupt pending at VMRUN) leaves it set: the interrupt, already
 * acknowledged in the virtual LAPIC, is then still to be delivered, as
 * one whose delivery an exit interrupted. Should another event already
 * wait for re-injection (not seen: nothing runs before the first
 * boundary), V_IRQ stays armed behind it, in the order the CPU would
 * take them. */
static void virq_settle(struct vcpu *v, struct svm_vcpu *s, struct vmcb *vm)
{
	if (!s->virq_armed)
		return;
	if (!(vm->ctl.int_ctl & SVM_V_IRQ)) {
		vm->ctl.int_ctl &= ~SVM_V_IRQ_FIELDS;
		s->virq_armed = false;
	} else if (!v->reinject.valid) {
		vm->ctl.int_ctl &= ~SVM_V_IRQ_FIELDS;
		s->virq_armed = false;
		v->reinject = (struct x86_event){ .valid = true, .type = X86_EV_INTR, .vector = s->virq_vector };
	}
}

static void decode_crdr(const struct vmcb *vm, uint64_t code, struct vm_exit *e)
{
	uint64_t i1 = vm->ctl.exit_info1;
	/* Decode assists name the register of a MOV (APM 15.33.1); without
	 * them (or for CLTS/LMSW) the generic code decodes the instruction. */
	bool known = (svm_cfg.features & SVM_FEAT_DECODE) && (i1 & SVM_CRDR_MOV);
	uint8_t gpr = known ? (uint8_t)SVM_CRDR_GPR(i1) : VM_EXIT_GPR_UNDECODED;
	if (known)
		e->insn_len = nrip_len(vm);
	if (code == SVM_EXIT_CR0_SEL_WRITE || code < SVM_EXIT_READ_DR0) {
		bool write = code >= SVM_EXIT_WRITE_CR0;
		e->code = VMEXIT_CR;
		e->u.cr = (struct vm_exit_cr){ code == SVM_EXIT_CR0_SEL_WRITE ? 0 : (uint8_t)(code & 15), gpr,
					       write ? CR_OP_WRITE : CR_OP_READ, 0 };
	} else {
		e->code = VMEXIT_DR;
		e->u.dr = (struct vm_exit_dr){ (uint8_t)(code & 15), gpr, code >= SVM_EXIT_WRITE_DR0 };
	}
}

static void decode(struct vcpu *v, struct vmcb *vm, uint64_t code, struct vm_exit *e)
{
	struct svm_vcpu *s = to_svm(v);
	uint64_t i1 = vm->ctl.exit_info1, i2 = vm->ctl.exit_info2;
	if (code < ARRAY_SIZE(simple) && simple[code].code) {
		e->code = simple[code].code;
		if (simple[code].insn)
			e->insn_len = nrip_len(vm);
		return;
	}
	if (code < SVM_EXIT_EXCP0 || code == SVM_EXIT_CR0_SEL_WRITE) {
		decode_crdr(vm, code, e);
		return;
	}
	if (code < SVM_EXIT_INTR) {
		unsigned vec = (unsigned)(code - SVM_EXIT_EXCP0);
		if (vec == X86_EXC_MC)
			panic("machine check while running vm %s", v->vm->name);
		bool has_error = (EXC_WITH_ERROR >> vec) & 1;
		e->code = VMEXIT_EXCEPTION;
		e->u.exc = (struct vm_exit_exc){ .vector = (uint8_t)vec, .has_error = has_error,
						 .error = has_error ? (uint32_t)i1 : 0 };
		if (vec == X86_EXC_DB) {
			/* The CPU put the #DB's status into the VMCB's DR6; the
			 * guest's DR6 is emulated (vmm/emul/cr.c). */
			e->u.exc.dr6 = (uint32_t)vm->save.dr6;
			vm->save.dr6 = DR6_FIXED;
		}
		return;
	}
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		/* Taken by the stub after STGI (a host NMI stops this pCPU). */
		e->code = VMEXIT_HOST_INTR;
		return;
	case SVM_EXIT_VINTR:
		/* The window is open: the generic code injects now. */
		svm_set_windows(v, false, false);
		e->code = VMEXIT_WINDOW;
		return;
	case SVM_EXIT_IRET:
		/* The NMI handler's IRET is about to run: NMIs stay blocked
		 * until RIP has moved past it (checked at each exit). */
		s->iret_seen = true;
		s->iret_rip = vm->save.rip;
		vm->ctl.intercept1 &= ~SVM_I1_IRET;
		e->code = VMEXIT_WINDOW;
		return;
	case SVM_EXIT_MSR:
		e->code = i1 ? VMEXIT_WRMSR : VMEXIT_RDMSR;
		e->insn_len = nrip_len(vm);
		return;
	case SVM_EXIT_IOIO:
		/* EXITINFO2 is the next RIP, with or without NRIP save. */
		e->code = VMEXIT_IO;
		e->u.io = (struct vm_exit_io){ SVM_IOIO_PORT(i1), (uint8_t)SVM_IOIO_SIZE(i1), i1 & SVM_IOIO_IN,
					       i1 & SVM_IOIO_STR, i1 & SVM_IOIO_REP };
		e->insn_len = (unsigned)(i2 - vm->save.rip);
		return;
	case SVM_EXIT_NPF:
		e->code = VMEXIT_NPF;
		e->u.npf = (struct vm_exit_npf){ i2, i1 & SVM_NPF_WRITE, i1 & SVM_NPF_FETCH };
		return;
	case SVM_EXIT_TASK_SWITCH:
		e->code = VMEXIT_TASK_SWITCH;
		e->u.ts = (struct vm_exit_ts){ (uint16_t)i1, (i2 & SVM_TS_IRET) ? 1 : (i2 & SVM_TS_JMP) ? 2 :
					       (vm->ctl.exit_int_info & SVM_EV_VALID) ? 3 : 0 };
		return;
	case SVM_EXIT_INVALID:
		e->code = VMEXIT_ERROR;
		e->u.text = "VMRUN failed: invalid guest state in the VMCB";
		return;
	}
	e->code = VMEXIT_UNHANDLED;
	e->u.text = svm_exit_name(code);
}

void svm_enter_guest(struct vcpu *v, uint64_t deadline_tsc, struct vm_exit *e)
{
	/* No preemption timer on AMD-V: the host's LAPIC timer ends the
	 * slice, its interrupt makes the guest exit. */
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vm = s->vmcb;
	unsigned cpu = cpu_id();
	struct svm_pcpu *p = &svm_pcpus[cpu];
	if (s->asid_cpu != (int)cpu || s->asid_gen != p->asid_gen)
		new_asid(s, p, cpu);
	/* Without flush-by-ASID the CPU may be an emulator whose TLB is not
	 * tagged by ASID at all (QEMU's TCG): another vCPU run here, though
	 * it has an ASID of its own, could then use the last one's
	 * translations when both guests have the same CR3 value (two Linux
	 * guests booted alike do), and a flush request answered with a fresh
	 * ASID would flush nothing. Flush everything whenever the vCPU here
	 * changes: it costs only where flush-by-ASID is missing. */
	if (!(svm_cfg.features & SVM_FEAT_FLUSH_ASID) && p->last != s) {
		vm->ctl.tlb_control = SVM_TLB_FLUSH_ALL;
		p->last = s;
	}
	vm->save.rax = v->gpr[GPR_RAX];
	/* decode() sets e->code and the fields that code needs. */
	e->insn_len = 0;
	svm_run(v, s->vmcb_pa, p->host_pa);
	v->gpr[GPR_RAX] = vm->save.rax;
	vm->ctl.tlb_control = SVM_TLB_NONE;
	/* QEMU 7.2's TCG runs an SVM guest's XSETBV without checking the
	 * intercept; XCR0, which VMRUN does not switch, then holds what the
	 * guest set: follow it (on hardware the intercept always fires). */
	if (svm_host_xsave && read_xcr0() != v->xcr0)
		v->xcr0 = read_xcr0();
	uint64_t code = vm->ctl.exit_code;
	s->exit_code = code;
	s->exit_info1 = vm->ctl.exit_info1;
	s->exit_info2 = vm->ctl.exit_info2;
	if (s->iret_seen && vm->save.rip != s->iret_rip)
		s->nmi_blocked = s->iret_seen = false;
	if (vm->ctl.exit_int_info & SVM_EV_VALID)
		exit_int_info(v, vm->ctl.exit_int_info, vm->ctl.exit_int_info_err);
	vm->ctl.event_inj = 0;
	virq_settle(v, s, vm);
	decode(v, vm, code, e);
	/* NextRIP is written only for the exits that report it: a stale one
	 * must never look like a length next time (nrip_len). */
	vm->ctl.next_rip = 0;
}
