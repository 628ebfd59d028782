/* The instruction at the guest's RIP, fetched and decoded, for exits whose
 * hardware did not say how long it is or which operands it has (AMD-V
 * without NRIP save or decode assists: QEMU TCG, Bochs), and for the #UD
 * of the other vendor's hypercall instruction. */
#include "vmm/emul/emul.h"
#include "vmm/emul/walk.h"
#include "vmm/emul/x86_decode.h"
#include "core/fmt.h"

/* 0, or -1 with *why saying what failed. */
static int fetch_sys(struct vcpu *v, struct x86_sys_insn *in, const char **why)
{
	struct guest_mode m;
	uint8_t bytes[X86_MAX_INSN_LEN];
	emul_guest_mode(v, &m);
	size_t n = guest_read_linear(v->vm, &m, m.cs_base + m.rip, bytes, sizeof(bytes));
	if (!n) {
		*why = "cannot fetch the instruction";
		return -1;
	}
	enum x86_cpu_mode mode = m.code_bits == 64 ? X86_MODE_64 :
				 m.code_bits == 32 ? X86_MODE_32 : X86_MODE_16;
	return x86_decode_sys(bytes, n, mode, in, why);
}

static NOINLINE void undecodable(struct vcpu *v, const char *what, const char *why)
{
	char msg[112];
	fmt_snprintf(msg, sizeof(msg), "%s: %s", what, why);
	emul_stop_vm(v, STOP_ERROR, msg);
}

/* The exiting instruction, or false with the VM stopped ("what: why"). */
static bool fetch_or_stop(struct vcpu *v, struct x86_sys_insn *in, const char *what)
{
	const char *why;
	if (fetch_sys(v, in, &why) == 0)
		return true;
	undecodable(v, what, why);
	return false;
}

unsigned emul_insn_len(struct vcpu *v)
{
	struct x86_sys_insn in;
	return fetch_or_stop(v, &in, "cannot tell the length of the exiting instruction") ? in.len : 0;
}

bool emul_decode_cr(struct vcpu *v, const struct vm_exit *e, struct vm_exit *out)
{
	struct x86_sys_insn in;
	*out = *e;
	if (!fetch_or_stop(v, &in, "undecodable CR access"))
		return false;
	bool write = e->u.cr.op == CR_OP_WRITE;
	if (in.op == X86_SYS_MOV_CR && in.reg == e->u.cr.cr && in.write == write) {
		out->u.cr.gpr = (uint8_t)in.gpr;
	} else if (in.op == X86_SYS_CLTS && e->u.cr.cr == 0 && write) {
		out->u.cr.op = CR_OP_CLTS;
	} else if (in.op == X86_SYS_LMSW && e->u.cr.cr == 0 && write && !in.mem) {
		out->u.cr.op = CR_OP_LMSW;
		out->u.cr.lmsw = (uint16_t)vcpu_get_gpr(v, in.gpr);
	} else {
		/* Another vCPU rewrote the instruction, or LMSW from memory
		 * (which no guest lhv runs uses). */
		undecodable(v, "undecodable CR access",
			    in.op == X86_SYS_LMSW ? "LMSW with a memory operand is not supported" :
			    "the instruction is not the one that exited");
		return false;
	}
	out->insn_len = in.len;
	return true;
}

bool emul_decode_dr(struct vcpu *v, const struct vm_exit *e, struct vm_exit *out)
{
	struct x86_sys_insn in;
	*out = *e;
	if (!fetch_or_stop(v, &in, "undecodable DR access"))
		return false;
	if (in.op != X86_SYS_MOV_DR || in.reg != e->u.dr.dr || in.write != e->u.dr.write) {
		undecodable(v, "undecodable DR access", "the instruction is not the one that exited");
		return false;
	}
	out->u.dr.gpr = (uint8_t)in.gpr;
	out->insn_len = in.len;
	return true;
}

unsigned emul_hypercall_insn(struct vcpu *v)
{
	struct x86_sys_insn in;
	const char *why;
	if (fetch_sys(v, &in, &why) < 0 || (in.op != X86_SYS_VMCALL && in.op != X86_SYS_VMMCALL))
		return 0;
	return in.len;
}
