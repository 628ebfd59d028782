/* Which event the guest receives at the next entry. One event per entry
 * (VM entry injects at most one: SDM 26.6, APM 15.20), in the order the
 * hardware would deliver them: an event whose delivery an exit interrupted
 * (SDM 27.2.4 "IDT-vectoring information", APM 15.7.2 EXITINTINFO), an
 * exception an exit handler raised, an NMI unless NMIs are blocked, then
 * the LAPIC's highest interrupt if RFLAGS.IF is set and no STI/MOV-SS
 * shadow is in force. Whatever must wait gets a window exit. */
#include "vmm/emul/emul.h"
#include "vmm/dev/vlapic.h"

/* Ask for window exits, calling the backend only when that changes:
 * nearly every entry has nothing pending and no window open. */
static void windows(struct vcpu *v, bool intr, bool nmi)
{
	if (!intr && !nmi && !v->windows)
		return;
	v->windows = intr || nmi;
	backend->set_windows(v, intr, nmi);
}

/* Fault-class exceptions: #DE, #BR, #UD, #NM, #TS, #NP, #SS, #GP, #PF,
 * #MF, #AC, #XM, #VE, #CP (SDM Table 6-1); #DB is a fault or a trap. */
#define FAULT_VECTORS (1u << X86_EXC_DE | 1u << X86_EXC_BR | 1u << X86_EXC_UD | 1u << X86_EXC_NM | \
		       1u << X86_EXC_TS | 1u << X86_EXC_NP | 1u << X86_EXC_SS | 1u << X86_EXC_GP | \
		       1u << X86_EXC_PF | 1u << X86_EXC_MF | 1u << X86_EXC_AC | 1u << X86_EXC_XM | \
		       1u << X86_EXC_VE | 1u << X86_EXC_CP)

void emul_inject_slow(struct vcpu *v)
{
	const struct vmm_backend *b = backend;
	struct x86_event *ev = v->reinject.valid ? &v->reinject : v->exc.valid ? &v->exc : NULL;
	if (ev == &v->exc && ev->vector < 32 && ((FAULT_VECTORS >> ev->vector) & 1)) {
		/* Delivering a fault pushes RFLAGS with RF set, so that IRET
		 * back to the faulting instruction does not hit its own
		 * instruction breakpoint again (SDM 6.13, 18.3.1.1). The
		 * hardware does it for the faults it delivers, never for one
		 * injected by VM entry: an exception raised by an exit
		 * handler (or reflected) gets it here, as KVM does. */
		b->set_reg(v, VREG_RFLAGS, b->get_reg(v, VREG_RFLAGS) | RFLAGS_RF);
	}
	if (ev) {
		b->inject(v, ev);
		ev->valid = false;
		/* Further events wait for the next exit. */
		windows(v, v->nmi_pending || vlapic_pending(v), false);
		return;
	}
	if (v->nmi_pending) {
		if (!(b->get_intr_state(v) & (VCPU_BLOCKED_NMI | VCPU_SHADOW_STI | VCPU_SHADOW_MOVSS))) {
			v->nmi_pending = false;
			b->inject(v, &(struct x86_event){ .valid = true, .type = X86_EV_NMI,
							  .vector = X86_EXC_NMI });
			windows(v, false, false);
		} else {
			windows(v, false, true);
		}
		return;
	}
	if (!vlapic_pending(v)) {
		windows(v, false, false);
		return;
	}
	if ((b->get_reg(v, VREG_RFLAGS) & RFLAGS_IF) &&
	    !(b->get_intr_state(v) & (VCPU_SHADOW_STI | VCPU_SHADOW_MOVSS))) {
		int vec = vlapic_ack(v);
		if (vec >= 0)
			b->inject(v, &(struct x86_event){ .valid = true, .type = X86_EV_INTR,
							  .vector = (uint8_t)vec });
		windows(v, false, false);
	} else {
		windows(v, true, false);
	}
}
