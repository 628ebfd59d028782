/* MMIO emulation: decode the faulting instruction and apply it to a device
 * model. Anything else outside RAM stops the VM. */
#include "vmm/emul/emul.h"
#include "vmm/emul/walk.h"
#include "vmm/emul/x86_decode.h"
#include "vmm/dev/route.h"
#include "core/fmt.h"
#include "core/log.h"

void emul_guest_mode(struct vcpu *v, struct guest_mode *m)
{
	const struct vmm_backend *b = backend;
	struct x86_seg cs;
	b->get_seg(v, X86_SEG_CS, &cs);
	m->rip = b->get_reg(v, VREG_RIP);
	m->cs_base = cs.base;
	m->code_bits = b->get_code_bits(v);
	m->cr0 = b->get_reg(v, VREG_CR0);
	m->cr3 = b->get_reg(v, VREG_CR3);
	m->cr4 = b->get_reg(v, VREG_CR4);
	m->efer = b->get_reg(v, VREG_EFER);
	m->cpl = b->get_cpl(v);
}

/* Stop the VM: `fault` for an access no hardware would complete (outside
 * RAM and devices), `error` for a device access lhv cannot emulate (an
 * instruction form it does not decode), as docs/console.md says. */
static unsigned fail(struct vcpu *v, enum vm_stop_reason why, const char *what, uint64_t gpa)
{
	char msg[128];
	fmt_snprintf(msg, sizeof(msg), "%s at gpa %#llx", what, (unsigned long long)gpa);
	vm_stop(v->vm, why, 0, msg);
	return 0;
}

/* STOS (no REP: the decoder refuses it) stepped rDI by the operand size,
 * down when RFLAGS.DF is set, within the address size. */
static void stos_step(struct vcpu *v, const struct x86_insn *in)
{
	uint64_t di = vcpu_get_gpr(v, GPR_RDI);
	uint64_t step = (backend->get_reg(v, VREG_RFLAGS) & RFLAGS_DF) ? -(uint64_t)in->size : in->size;
	uint64_t mask = in->addr_size == 8 ? ~0ull : in->addr_size == 4 ? 0xffffffffull : 0xffff;
	uint64_t nd = (di + step) & mask;
	/* A 32-bit address write zero-extends in 64-bit mode; a 16-bit one
	 * keeps the upper bits (SDM 3.4.1.1). */
	vcpu_set_gpr(v, GPR_RDI, in->addr_size == 2 ? (di & ~0xffffull) | nd : nd);
}

unsigned emul_mmio(struct vcpu *v, uint64_t gpa)
{
	if (!dev_mmio_claims(gpa))
		return fail(v, STOP_FAULT, "access outside RAM and devices", gpa);
	struct guest_mode gm, *m = &gm;
	emul_guest_mode(v, m);
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t n = guest_read_linear(v->vm, m, m->cs_base + m->rip, bytes, sizeof(bytes));
	if (!n)
		return fail(v, STOP_ERROR, "cannot fetch the instruction accessing a device", gpa);
	struct x86_insn in;
	const char *err;
	enum x86_cpu_mode mode = m->code_bits == 64 ? X86_MODE_64 : m->code_bits == 32 ? X86_MODE_32 :
				 X86_MODE_16;
	if (x86_decode(bytes, n, mode, &in, &err) < 0) {
		char msg[96];
		fmt_snprintf(msg, sizeof(msg), "undecodable device access (%s)", err);
		return fail(v, STOP_ERROR, msg, gpa);
	}
	uint64_t memval = 0, regval;
	uint64_t src = in.has_imm ? in.imm : in.reg >= 0 ?
		x86_reg_get(vcpu_get_gpr(v, (unsigned)in.reg), in.size, in.high8) : 0;
	switch (in.kind) {
	case X86_MMIO_READ:
		dev_mmio(v, gpa, in.size, false, &memval);
		regval = x86_extend(memval & x86_size_mask(in.size), in.size, in.reg_size, in.ext);
		vcpu_set_gpr(v, (unsigned)in.reg, x86_reg_set(vcpu_get_gpr(v, (unsigned)in.reg),
							    regval, in.reg_size, in.high8));
		break;
	case X86_MMIO_WRITE:
		memval = src & x86_size_mask(in.size);
		dev_mmio(v, gpa, in.size, true, &memval);
		if (in.string)
			stos_step(v, &in);
		break;
	case X86_MMIO_XCHG:
		dev_mmio(v, gpa, in.size, false, &memval);
		regval = src & x86_size_mask(in.size);
		dev_mmio(v, gpa, in.size, true, &regval);
		vcpu_set_gpr(v, (unsigned)in.reg, x86_reg_set(vcpu_get_gpr(v, (unsigned)in.reg),
							    memval, in.size, in.high8));
		break;
	case X86_MMIO_RMW:
	case X86_MMIO_CMP: {
		/* The arithmetic flags are the instruction's, as on RAM. */
		uint64_t flags = backend->get_reg(v, VREG_RFLAGS);
		dev_mmio(v, gpa, in.size, false, &memval);
		uint64_t res = x86_alu(in.alu, memval, src, in.size, &flags);
		if (in.kind == X86_MMIO_RMW)
			dev_mmio(v, gpa, in.size, true, &res);
		backend->set_reg(v, VREG_RFLAGS, flags);
		break;
	}
	}
	return in.len;
}
