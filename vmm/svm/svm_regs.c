/* The neutral accessors over the VMCB: where AMD-V keeps each piece of
 * guest state, and the little it adds: EFER.SVME, which VMRUN requires
 * in the guest's EFER (APM 15.5.1) and the guest never sees; NMI blocking,
 * which the VMM tracks itself; the window exits. Segment attributes are
 * the neutral layout already. Validity is the caller's (vmm/emul/). */
#include "vmm/svm/svm.h"
#include "hw/x86.h"

static uint64_t *field(struct vmcb *vm, enum vcpu_reg r)
{
	switch (r) {
	case VREG_RIP: return &vm->save.rip;
	case VREG_RSP: return &vm->save.rsp;
	case VREG_RFLAGS: return &vm->save.rflags;
	case VREG_CR0: return &vm->save.cr0;
	case VREG_CR2: return &vm->save.cr2;
	case VREG_CR3: return &vm->save.cr3;
	case VREG_CR4: return &vm->save.cr4;
	case VREG_DR7: return &vm->save.dr7;
	case VREG_PAT: return &vm->save.g_pat;
	case VREG_SYSENTER_CS: return &vm->save.sysenter_cs;
	case VREG_SYSENTER_ESP: return &vm->save.sysenter_esp;
	case VREG_SYSENTER_EIP: return &vm->save.sysenter_eip;
	case VREG_FS_BASE: return &vm->save.fs.base;
	case VREG_GS_BASE: return &vm->save.gs.base;
	case VREG_KGS_BASE: return &vm->save.kernel_gs_base;
	case VREG_STAR: return &vm->save.star;
	case VREG_LSTAR: return &vm->save.lstar;
	case VREG_CSTAR: return &vm->save.cstar;
	case VREG_SFMASK: return &vm->save.sfmask;
	case VREG_GDTR_BASE: return &vm->save.gdtr.base;
	case VREG_IDTR_BASE: return &vm->save.idtr.base;
	default: return NULL;   /* EFER, TSC_AUX, limits, PDPTEs: below */
	}
}

uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r)
{
	struct svm_vcpu *s = to_svm(v);
	switch (r) {
	case VREG_EFER:
		return s->vmcb->save.efer & ~EFER_SVME;
	case VREG_TSC_AUX:
		/* Not in the VMCB: the hardware MSR is the guest's while the
		 * vCPU is loaded (only with RDTSCP, else nobody can read it). */
		return s->loaded && svm_cfg.rdtscp ? rdmsr(MSR_TSC_AUX) : s->tsc_aux;
	case VREG_GDTR_LIMIT:
		return s->vmcb->save.gdtr.limit;
	case VREG_IDTR_LIMIT:
		return s->vmcb->save.idtr.limit;
	case VREG_PDPTE0: case VREG_PDPTE1: case VREG_PDPTE2: case VREG_PDPTE3:
		/* The VMCB keeps no PDPTEs: with nested paging the CPU reads
		 * a PAE guest's PDPTEs from its memory itself (APM 15.25). */
		return 0;
	default:
		return *field(s->vmcb, r);
	}
}

void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
	struct svm_vcpu *s = to_svm(v);
	switch (r) {
	case VREG_EFER:
		/* LMA included: VMRUN takes the guest's EFER as it is. */
		s->vmcb->save.efer = val | EFER_SVME;
		return;
	case VREG_TSC_AUX:
		s->tsc_aux = val;
		if (s->loaded && svm_cfg.rdtscp)
			wrmsr(MSR_TSC_AUX, val);
		return;
	case VREG_GDTR_LIMIT:
		s->vmcb->save.gdtr.limit = (uint32_t)val;
		return;
	case VREG_IDTR_LIMIT:
		s->vmcb->save.idtr.limit = (uint32_t)val;
		return;
	case VREG_PDPTE0: case VREG_PDPTE1: case VREG_PDPTE2: case VREG_PDPTE3:
		return;         /* see svm_get_reg */
	default:
		*field(s->vmcb, r) = val;
	}
}

static struct vmcb_seg *seg_field(struct vmcb *vm, unsigned seg)
{
	static const uint16_t off[X86_SEG_NR] = {
		[X86_SEG_ES] = offsetof(struct vmcb_save, es), [X86_SEG_CS] = offsetof(struct vmcb_save, cs),
		[X86_SEG_SS] = offsetof(struct vmcb_save, ss), [X86_SEG_DS] = offsetof(struct vmcb_save, ds),
		[X86_SEG_FS] = offsetof(struct vmcb_save, fs), [X86_SEG_GS] = offsetof(struct vmcb_save, gs),
		[X86_SEG_LDTR] = offsetof(struct vmcb_save, ldtr), [X86_SEG_TR] = offsetof(struct vmcb_save, tr),
	};
	return (struct vmcb_seg *)((char *)&vm->save + off[seg]);
}

void svm_get_seg(struct vcpu *v, unsigned seg, struct x86_seg *out)
{
	const struct vmcb_seg *s = seg_field(vmcb_of(v), seg);
	out->sel = s->sel;
	out->attr = s->attrib;
	out->limit = s->limit;
	out->base = s->base;
}

void svm_set_seg(struct vcpu *v, unsigned seg, const struct x86_seg *in)
{
	/* The VMCB has no "unusable" flag: a null segment is one whose P
	 * bit is clear, and LDTR/TR carry their descriptor as it is. */
	struct vmcb_seg *s = seg_field(vmcb_of(v), seg);
	s->sel = in->sel;
	s->attrib = (uint16_t)(in->attr & 0xfff);
	s->limit = in->limit;
	s->base = in->base;
}

unsigned svm_get_cpl(struct vcpu *v)
{
	return vmcb_of(v)->save.cpl & 3;
}

unsigned svm_get_code_bits(struct vcpu *v)
{
	const struct vmcb *vm = vmcb_of(v);
	if ((vm->save.cs.attrib & SEG_L) && (vm->save.efer & EFER_LMA))
		return 64;
	return (vm->save.cs.attrib & SEG_DB) ? 32 : 16;
}

unsigned svm_get_intr_state(struct vcpu *v)
{
	/* One shadow bit for STI and MOV SS alike (APM 15.21.5). */
	struct svm_vcpu *s = to_svm(v);
	return ((s->vmcb->ctl.int_state & SVM_INT_SHADOW) ? VCPU_SHADOW_STI : 0) |
	       (s->nmi_blocked ? VCPU_BLOCKED_NMI : 0);
}

void svm_skip_insn(struct vcpu *v, unsigned len)
{
	struct vmcb *vm = vmcb_of(v);
	vm->save.rip += len;
	vm->ctl.int_state &= ~SVM_INT_SHADOW;   /* retiring an instruction ends the shadow */
}

void svm_inject(struct vcpu *v, const struct x86_event *ev)
{
	struct svm_vcpu *s = to_svm(v);
	struct vmcb *vm = s->vmcb;
	uint32_t type;
	switch (ev->type) {
	case X86_EV_INTR:
		if (!svm_cfg.virq_inject) {
			type = SVM_EV_TYPE_INTR;
			break;
		}
		/* Under QEMU's TCG external interrupts go in as a virtual
		 * interrupt (V_IRQ with its vector, any TPR, APM 15.21.4), not
		 * through EVENTINJ. The generic code offers one only when the
		 * guest can take it (IF set, no shadow), so the CPU takes it
		 * at the first instruction boundary, as it would deliver
		 * EVENTINJ. Why: QEMU 7.2 delivers an EVENTINJ interrupt at
		 * VMRUN but leaves it pending as an exception too, and delivers
		 * it a second time if its vCPU thread is told to stop before
		 * anything else clears that, with IF clear, on top of the first
		 * delivery's frame: a Linux guest interrupted in user mode then
		 * runs its handler without SWAPGS and crashes (docs/svm.md). A
		 * virtual interrupt is taken by QEMU's ordinary interrupt path,
		 * which leaves nothing pending. Not elsewhere: Bochs 2.7 does
		 * not take a V_IRQ offered while the guest's IF is already set
		 * (it unmasks V_IRQ only when IF changes), and hardware has no
		 * such bug. */
		vm->ctl.int_ctl = (vm->ctl.int_ctl & ~SVM_V_IRQ_FIELDS) | SVM_V_IRQ | SVM_V_IGN_TPR |
				  SVM_V_INTR_PRIO(0xf) | SVM_V_INTR_VECTOR(ev->vector);
		vm->ctl.intercept1 &= ~SVM_I1_VINTR;
		s->virq_armed = true;
		s->virq_vector = ev->vector;
		return;
	case X86_EV_NMI:
		/* Blocked from delivery until its handler's IRET retires:
		 * the IRET intercept tells (svm_exit.c). */
		type = SVM_EV_TYPE_NMI;
		s->nmi_blocked = true;
		s->iret_seen = false;
		vm->ctl.intercept1 |= SVM_I1_IRET;
		break;
	case X86_EV_SW_INTR:
	case X86_EV_SW_EXC:
	case X86_EV_PRIV_SW_EXC:
		/* INT n, INT3, INTO, INT1 push the address of the next
		 * instruction: RIP goes past it, and so does NextRIP, which a
		 * CPU with NRIP save pushes instead (APM 15.20, 15.7.1). */
		type = ev->type == X86_EV_SW_INTR ? SVM_EV_TYPE_SOFT : SVM_EV_TYPE_EXC;
		svm_skip_insn(v, ev->insn_len);
		vm->ctl.next_rip = vm->save.rip;
		break;
	default:
		type = SVM_EV_TYPE_EXC;
		break;
	}
	vm->ctl.event_inj = SVM_EV_VALID | (type << 8) | ev->vector |
			    (ev->has_error ? SVM_EV_ERR_VALID : 0);
	vm->ctl.event_inj_err = ev->error;
}

void svm_set_windows(struct vcpu *v, bool intr, bool nmi)
{
	/* An interrupt window: a virtual interrupt nobody will take, pending
	 * at any TPR, whose VINTR intercept fires as soon as the guest could
	 * take it (APM 15.21.4). An NMI window: the IRET intercept armed at
	 * injection while the NMI blocks; otherwise (an interrupt shadow, or
	 * the IRET seen but not yet retired) the interrupt window. */
	struct svm_vcpu *s = to_svm(v);
	struct vmcb_control *c = &s->vmcb->ctl;
	/* V_IRQ carries an interrupt for this entry (svm_inject): no window
	 * now; the generic code asks again at the next exit (the handler's
	 * EOI makes one). */
	if (s->virq_armed)
		return;
	if (intr || (nmi && (!s->nmi_blocked || s->iret_seen))) {
		c->int_ctl = (c->int_ctl & ~SVM_V_IRQ_FIELDS) | SVM_V_IRQ | SVM_V_IGN_TPR | SVM_V_INTR_PRIO(0xf);
		c->intercept1 |= SVM_I1_VINTR;
	} else {
		c->int_ctl &= ~SVM_V_IRQ_FIELDS;
		c->intercept1 &= ~SVM_I1_VINTR;
	}
}

void svm_set_tsc_offset(struct vcpu *v, int64_t offset)
{
	vmcb_of(v)->ctl.tsc_offset = (uint64_t)offset;
}
