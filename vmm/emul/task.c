/* Hardware task switches (SDM Vol. 3 8.3, APM Vol. 2 12.3): VT-x makes
 * every one exit and AMD-V intercepts them, so the switch is done here,
 * once, through the backend's accessors. A CALL, JMP or IRET to a task, or
 * an event through a task gate in the IDT (32-bit Linux's double-fault
 * handler), with 32-bit TSSes. Not done: 16-bit TSSes (the VM stops with
 * reason=error), the T (debug trap) flag, setting accessed bits in
 * descriptors, NMI blocking after an NMI through a task gate, the I/O
 * permission map (every port exits anyway). */
#include "vmm/emul/emul.h"
#include "vmm/emul/walk.h"

/* 32-bit TSS (SDM Figure 8-2). */
#define TSS_LINK    0x00
#define TSS_CR3     0x1c
#define TSS_EIP     0x20
#define TSS_EFLAGS  0x24
#define TSS_GPR     0x28    /* EAX ECX EDX EBX ESP EBP ESI EDI */
#define TSS_SEG     0x48    /* ES CS SS DS FS GS, 4 bytes each */
#define TSS_LDT     0x60
#define TSS32_SIZE  0x68    /* a 32-bit TSS needs limit >= 0x67 */

enum { TS_CALL, TS_IRET, TS_JMP, TS_GATE };     /* exit qualification bits 31:30 */

#define TYPE_TSS16_AVAIL 1
#define TYPE_TSS16_BUSY  3
#define TYPE_TSS32_AVAIL 9
#define TYPE_TSS32_BUSY  0xb
#define TYPE_BUSY_BIT    2

/* RFLAGS bits that exist in 32-bit mode; bit 1 reads as 1. */
#define EFLAGS_DEFINED 0x3f7fd5u

struct desc {
	uint64_t addr;          /* linear address of the descriptor */
	struct x86_seg seg;     /* decoded; seg.sel is the selector */
};

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

/* The descriptor `sel` names in the GDT or LDT; false if outside the table
 * or unreadable. */
static bool read_desc(struct vcpu *v, const struct guest_mode *m, uint16_t sel, struct desc *d)
{
	const struct vmm_backend *b = backend;
	uint64_t base, limit;
	if (sel & 4) {
		struct x86_seg ldt;
		b->get_seg(v, X86_SEG_LDTR, &ldt);
		if (ldt.attr & SEG_UNUSABLE)
			return false;
		base = ldt.base;
		limit = ldt.limit;
	} else {
		base = b->get_reg(v, VREG_GDTR_BASE);
		limit = b->get_reg(v, VREG_GDTR_LIMIT);
	}
	uint64_t raw;
	if ((sel & ~7u) + 7u > limit)
		return false;
	d->addr = (base + (sel & ~7u)) & 0xffffffffull;
	if (guest_read_linear(v->vm, m, d->addr, &raw, 8) != 8)
		return false;
	uint32_t lim = (uint32_t)((raw & 0xffff) | ((raw >> 32) & 0xf0000));
	uint32_t attr = SEG_ATTR_FROM_DESC((uint32_t)(raw >> 40) & 0xffff);
	d->seg = (struct x86_seg){
		.sel = sel,
		.attr = attr,
		.limit = (attr & SEG_G) ? (lim << 12) | 0xfff : lim,
		.base = ((raw >> 16) & 0xffffff) | ((raw >> 32) & 0xff000000u),
	};
	return true;
}

/* Set or clear the busy bit of a TSS descriptor in the GDT. */
static bool set_busy(struct vcpu *v, const struct guest_mode *m, const struct desc *d, bool busy)
{
	uint8_t access = (uint8_t)(d->seg.attr & 0xff);
	access = busy ? access | TYPE_BUSY_BIT : access & ~TYPE_BUSY_BIT;
	return guest_write_linear(v->vm, m, d->addr + 5, &access, 1);
}

static int fault(struct vcpu *v, unsigned vector, uint16_t sel)
{
	emul_exception(v, vector, true, sel & 0xfffc);
	return RUN_RESUME;
}

/* Check and load one segment register of the new task (SDM 8.3 step 12,
 * "Loading a Segment Register"); 0, or the exception vector to raise with
 * the selector. On a fault the register keeps its old hidden part, which
 * stays consistent for VM entry; the guest's handler takes over. */
static unsigned load_seg(struct vcpu *v, const struct guest_mode *m, unsigned r, uint16_t sel,
			 unsigned cpl, bool vm86)
{
	struct x86_seg s;
	if (vm86) {
		s = (struct x86_seg){ sel, SEG_P | SEG_S | SEG_DPL(3) | SEG_TYPE_DATA_RW, 0xffff,
				      (uint64_t)sel << 4 };
		if (r == X86_SEG_CS)
			s.attr = SEG_P | SEG_S | SEG_DPL(3) | SEG_TYPE_CODE_RX;
		backend->set_seg(v, r, &s);
		return 0;
	}
	if (!(sel & ~3u)) {
		if (r == X86_SEG_CS || r == X86_SEG_SS)
			return X86_EXC_TS;
		s = (struct x86_seg){ sel, SEG_UNUSABLE, 0, 0 };
		backend->set_seg(v, r, &s);
		return 0;
	}
	struct desc d;
	if (!read_desc(v, m, sel, &d))
		return X86_EXC_TS;
	uint32_t a = d.seg.attr, type = SEG_TYPE(a);
	unsigned dpl = SEG_DPL_OF(a), rpl = sel & 3;
	bool code = type & SEG_TYPE_CODE, conforming = code && (type & 4);
	if (!(a & SEG_S))
		return X86_EXC_TS;
	if (r == X86_SEG_CS) {
		if (!code || (conforming ? dpl > cpl : dpl != cpl))
			return X86_EXC_TS;
	} else if (r == X86_SEG_SS) {
		if (code || !(type & 2) || rpl != cpl || dpl != cpl)
			return X86_EXC_TS;
	} else if ((code && !(type & 2)) || (!conforming && (dpl < cpl || dpl < rpl))) {
		return X86_EXC_TS;
	}
	if (!(a & SEG_P))
		return r == X86_SEG_SS ? X86_EXC_SS : X86_EXC_NP;
	backend->set_seg(v, r, &d.seg);
	return 0;
}

int emul_task_switch(struct vcpu *v, const struct vm_exit *e)
{
	const struct vmm_backend *b = backend;
	uint16_t sel = e->u.ts.selector;
	unsigned src = e->u.ts.source;
	struct guest_mode m;
	emul_guest_mode(v, &m);
	if (m.efer & EFER_LMA)
		return emul_stop_vm(v, STOP_ERROR, "task switch in long mode");

	/* The event that went through a task gate is delivered by the switch
	 * itself: it is not injected again, and its error code goes onto the
	 * new task's stack. A software interrupt returns past its INT n. */
	bool push_err = false;
	uint32_t err = 0, len = src == TS_GATE ? 0 : e->insn_len;
	if (src == TS_GATE && v->reinject.valid) {
		struct x86_event *ev = &v->reinject;
		push_err = ev->type == X86_EV_HW_EXC && ev->has_error;
		err = ev->error;
		if (ev->type == X86_EV_SW_INTR || ev->type == X86_EV_SW_EXC ||
		    ev->type == X86_EV_PRIV_SW_EXC)
			len = ev->insn_len;
		ev->valid = false;
	}

	/* The new TSS descriptor: in the GDT, a TSS, available (busy for
	 * IRET), privileged enough for CALL/JMP, present, big enough. */
	struct desc nd;
	if ((sel & 4) || !read_desc(v, &m, sel, &nd))
		return fault(v, X86_EXC_GP, sel);
	unsigned type = SEG_TYPE(nd.seg.attr), kind = type & ~TYPE_BUSY_BIT;
	if ((nd.seg.attr & SEG_S) || (kind != TYPE_TSS16_AVAIL && kind != TYPE_TSS32_AVAIL))
		return fault(v, X86_EXC_GP, sel);
	if (src == TS_IRET ? !(type & TYPE_BUSY_BIT) : (type & TYPE_BUSY_BIT))
		return fault(v, src == TS_IRET ? X86_EXC_TS : X86_EXC_GP, sel);
	if ((src == TS_CALL || src == TS_JMP) &&
	    (SEG_DPL_OF(nd.seg.attr) < b->get_cpl(v) || SEG_DPL_OF(nd.seg.attr) < (sel & 3u)))
		return fault(v, X86_EXC_GP, sel);
	if (!(nd.seg.attr & SEG_P))
		return fault(v, X86_EXC_NP, sel);
	struct x86_seg tr;
	b->get_seg(v, X86_SEG_TR, &tr);
	if (kind == TYPE_TSS16_AVAIL ||
	    (SEG_TYPE(tr.attr) & ~TYPE_BUSY_BIT) == TYPE_TSS16_AVAIL)
		return emul_stop_vm(v, STOP_ERROR, "task switch with a 16-bit TSS is not supported");
	if (nd.seg.limit < TSS32_SIZE - 1)
		return fault(v, X86_EXC_TS, sel);

	/* Read the new TSS and save the old task's state (step 8). */
	uint8_t nt[TSS32_SIZE], ot[TSS_LDT - TSS_EIP];
	if (guest_read_linear(v->vm, &m, nd.seg.base, nt, sizeof(nt)) != sizeof(nt))
		return emul_stop_vm(v, STOP_ERROR, "task switch: the new TSS is not readable");
	uint32_t eflags = (uint32_t)b->get_reg(v, VREG_RFLAGS);
	wr32(ot, (uint32_t)m.rip + len);
	wr32(ot + 4, src == TS_IRET ? eflags & ~RFLAGS_NT : eflags);
	for (unsigned i = 0; i < 8; i++)
		wr32(ot + 8 + 4 * i, (uint32_t)vcpu_get_gpr(v, i));
	for (unsigned i = 0; i < 6; i++) {
		struct x86_seg s;
		b->get_seg(v, i, &s);
		wr32(ot + 0x28 + 4 * i, s.sel);
	}
	if (!guest_write_linear(v->vm, &m, tr.base + TSS_EIP, ot, sizeof(ot)))
		return emul_stop_vm(v, STOP_ERROR, "task switch: the current TSS is not writable");

	/* Busy bits and the back link (steps 7, 9, 10). */
	struct desc od;
	if ((src == TS_JMP || src == TS_IRET) && read_desc(v, &m, tr.sel, &od))
		set_busy(v, &m, &od, false);
	uint32_t neflags = rd32(nt + TSS_EFLAGS);
	if (src == TS_CALL || src == TS_GATE) {
		uint8_t link[2] = { (uint8_t)tr.sel, (uint8_t)(tr.sel >> 8) };
		guest_write_linear(v->vm, &m, nd.seg.base + TSS_LINK, link, 2);
		neflags |= RFLAGS_NT;
	}
	if (src != TS_IRET)
		set_busy(v, &m, &nd, true);

	/* Commit: TR, CR0.TS, then the new task's state (steps 11-12).
	 * Faults from here on are the new task's. */
	nd.seg.attr |= TYPE_BUSY_BIT;
	b->set_seg(v, X86_SEG_TR, &nd.seg);
	b->set_reg(v, VREG_CR0, b->get_reg(v, VREG_CR0) | CR0_TS);
	b->set_reg(v, VREG_DR7, b->get_reg(v, VREG_DR7) & ~0x55ull);   /* L0-L3 */
	neflags = (neflags & EFLAGS_DEFINED) | RFLAGS_FIXED;
	b->set_reg(v, VREG_RFLAGS, neflags);
	b->set_reg(v, VREG_RIP, rd32(nt + TSS_EIP));
	b->skip_insn(v, 0);                     /* no STI/MOV-SS shadow survives */
	for (unsigned i = 0; i < 8; i++)
		vcpu_set_gpr(v, i, rd32(nt + TSS_GPR + 4 * i));
	if ((m.cr0 & CR0_PG) && !emul_write_cr3(v, rd32(nt + TSS_CR3)))
		return fault(v, X86_EXC_GP, 0);
	struct guest_mode nm;
	emul_guest_mode(v, &nm);

	uint16_t ldt = (uint16_t)rd32(nt + TSS_LDT);
	struct desc ld;
	if (!(ldt & ~3u)) {
		struct x86_seg none = { ldt, SEG_UNUSABLE, 0, 0 };
		b->set_seg(v, X86_SEG_LDTR, &none);
	} else if ((ldt & 4) || !read_desc(v, &nm, ldt, &ld) || (ld.seg.attr & SEG_S) ||
		   SEG_TYPE(ld.seg.attr) != SEG_TYPE_LDT) {
		return fault(v, X86_EXC_TS, ldt);
	} else if (!(ld.seg.attr & SEG_P)) {
		return fault(v, X86_EXC_NP, ldt);
	} else {
		b->set_seg(v, X86_SEG_LDTR, &ld.seg);
	}

	bool vm86 = neflags & RFLAGS_VM;
	uint16_t cs = (uint16_t)rd32(nt + TSS_SEG + 4 * X86_SEG_CS);
	unsigned cpl = vm86 ? 3 : cs & 3;
	static const uint8_t order[] = { X86_SEG_CS, X86_SEG_SS, X86_SEG_DS, X86_SEG_ES,
					 X86_SEG_FS, X86_SEG_GS };
	for (unsigned i = 0; i < sizeof(order); i++) {
		uint16_t s = (uint16_t)rd32(nt + TSS_SEG + 4 * order[i]);
		unsigned vec = load_seg(v, &nm, order[i], s, cpl, vm86);
		if (vec)
			return fault(v, vec, s);
	}

	if (push_err) {
		/* Onto the new stack, as wide as the stack is (SDM 8.3 step 13). */
		struct x86_seg ss;
		b->get_seg(v, X86_SEG_SS, &ss);
		unsigned w = (ss.attr & SEG_DB) ? 4 : 2;
		uint64_t sp = vcpu_get_gpr(v, GPR_RSP) - w;
		if (w == 2)
			sp = (vcpu_get_gpr(v, GPR_RSP) & ~0xffffull) | (sp & 0xffff);
		uint8_t ec[4];
		wr32(ec, err);
		if (!guest_write_linear(v->vm, &nm, (ss.base + (sp & (w == 4 ? 0xffffffffull : 0xffff))) &
					0xffffffffull, ec, w))
			return emul_stop_vm(v, STOP_ERROR, "task switch: the new stack is not writable");
		vcpu_set_gpr(v, GPR_RSP, sp & 0xffffffffull);
	}
	return RUN_RESUME;
}
