/* The generic handler of every neutral exit (vmm/vm/exit.h). Guest mistakes
 * become guest exceptions, as on hardware; what the guest cannot be allowed
 * to do stops its VM, never the hypervisor. */
#include "vmm/emul/emul.h"
#include "vmm/dev/route.h"
#include "vmm/emul/walk.h"
#include "vmm/pv/hypercall.h"
#include "vmm/pv/pv.h"
#include "core/fmt.h"
#include "core/log.h"

void emul_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	/* Real mode pushes no error code (SDM 21.1.4); VM entry refuses one
	 * there (SDM 27.2.1.3). */
	if (has_error && !(backend->get_reg(v, VREG_CR0) & CR0_PE))
		has_error = false, error = 0;
	v->exc = (struct x86_event){ .valid = true, .type = X86_EV_HW_EXC, .vector = (uint8_t)vector,
				     .has_error = has_error, .error = error };
}

static int gp(struct vcpu *v)
{
	emul_exception(v, X86_EXC_GP, true, 0);
	return RUN_RESUME;
}

int emul_stop_vm(struct vcpu *v, enum vm_stop_reason why, const char *what)
{
	backend->vcpu_dump(v);
	vm_stop(v->vm, why, 0, what);
	return RUN_STOP;
}

void emul_skip(struct vcpu *v, const struct vm_exit *e)
{
	/* A backend that cannot tell the length (AMD-V without NRIP save)
	 * reports 0: decode the instruction; if that fails the VM stops. */
	unsigned len = e->insn_len;
	if (!len && !(len = emul_insn_len(v)))
		return;
	backend->skip_insn(v, len);
}

/* The instruction retired. (If it stopped the VM, the run loop sees that
 * before the next entry.) */
static inline int done(struct vcpu *v, const struct vm_exit *e)
{
	emul_skip(v, e);
	return RUN_RESUME;
}

static int h_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	uint32_t out[4];
	emul_cpuid(v, (uint32_t)v->gpr[GPR_RAX], (uint32_t)v->gpr[GPR_RCX], out);
	v->gpr[GPR_RAX] = out[0];
	v->gpr[GPR_RBX] = out[1];
	v->gpr[GPR_RCX] = out[2];
	v->gpr[GPR_RDX] = out[3];
	return done(v, e);
}

static int h_rdmsr(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t val;
	if (!emul_rdmsr(v, (uint32_t)v->gpr[GPR_RCX], &val))
		return gp(v);
	v->gpr[GPR_RAX] = (uint32_t)val;
	v->gpr[GPR_RDX] = val >> 32;
	return done(v, e);
}

static int h_wrmsr(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t val = ((v->gpr[GPR_RDX] & 0xffffffff) << 32) | (v->gpr[GPR_RAX] & 0xffffffff);
	if (!emul_wrmsr(v, (uint32_t)v->gpr[GPR_RCX], val))
		return gp(v);
	return done(v, e);
}

static int h_io(struct vcpu *v, const struct vm_exit *e)
{
	if (e->u.io.string)
		return emul_stop_vm(v, STOP_ERROR, "string I/O instructions are not supported");
	unsigned size = e->u.io.size;
	uint32_t val = (uint32_t)v->gpr[GPR_RAX];
	dev_pio(v, e->u.io.port, size, e->u.io.in, &val);
	if (e->u.io.in) {
		/* A 32-bit IN zero-extends into RAX; smaller ones merge. */
		uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffff : 0xff;
		if (size == 4)
			v->gpr[GPR_RAX] = val;
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~mask) | (val & mask);
	}
	return done(v, e);
}

static NOINLINE int fetch_outside_ram(struct vcpu *v, uint64_t gpa)
{
	char msg[96];
	fmt_snprintf(msg, sizeof(msg), "instruction fetch outside RAM at gpa %#llx",
		     (unsigned long long)gpa);
	return emul_stop_vm(v, STOP_FAULT, msg);
}

static NOINLINE int unhandled(struct vcpu *v, const struct vm_exit *e)
{
	char msg[80];
	fmt_snprintf(msg, sizeof(msg), "unhandled VM exit (%s)",
		     e->code == VMEXIT_UNHANDLED ? e->u.text : vm_exit_name(e->code));
	return emul_stop_vm(v, STOP_ERROR, msg);
}

static int h_npf(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t gpa = e->u.npf.gpa;
	if (e->u.npf.fetch)
		return fetch_outside_ram(v, gpa);
	unsigned len = emul_mmio(v, gpa);
	if (!len) {
		backend->vcpu_dump(v);
		return RUN_STOP;
	}
	backend->skip_insn(v, len);
	return RUN_RESUME;
}

static int h_hlt(struct vcpu *v, const struct vm_exit *e)
{
	emul_skip(v, e);
	bool ifl = backend->get_reg(v, VREG_RFLAGS) & RFLAGS_IF;
	/* A kick that came first ends this HLT at once; like any HLT that
	 * ends, it consumes the kick (KVM clears pv_unhalted then too). */
	bool kicked = pv_hlt_skip(v);
	if (kicked || (ifl && v->vm->intr_pending(v)) || v->nmi_pending)
		return RUN_RESUME;
	v->halt_if_off = !ifl;
	return RUN_HALT;
}

static int h_hypercall(struct vcpu *v, const struct vm_exit *e)
{
	enum hc_result r = hypercall(v);
	emul_skip(v, e);        /* decodes the length where the CPU gave none */
	return r == HC_YIELD ? RUN_YIELD : r == HC_BLOCK ? RUN_HALT : RUN_RESUME;
}

static int h_xsetbv(struct vcpu *v, const struct vm_exit *e)
{
	uint64_t val = ((v->gpr[GPR_RDX] & 0xffffffff) << 32) | (v->gpr[GPR_RAX] & 0xffffffff);
	if (backend->get_cpl(v) != 0 || !fpu_xsetbv(v, (uint32_t)v->gpr[GPR_RCX], val))
		return gp(v);
	return done(v, e);
}

static int h_resume(struct vcpu *v, const struct vm_exit *e)
{
	/* Whatever was pending is looked at before the next entry. */
	return RUN_RESUME;
}

static int h_preempt(struct vcpu *v, const struct vm_exit *e)
{
	return RUN_PREEMPT;      /* the slice is over by the TSC */
}

static int h_pause(struct vcpu *v, const struct vm_exit *e)
{
	/* A PAUSE loop: the guest spins on something (a lock). */
	emul_skip(v, e);
	return RUN_SPIN;
}

static int h_exception(struct vcpu *v, const struct vm_exit *e)
{
	/* A backend intercepts #UD for the other vendor's hypercall
	 * instruction (VMCALL on AMD-V, as KVM does): that one is a
	 * hypercall. Anything else is reflected back. */
	unsigned len;
	if (e->u.exc.vector == X86_EXC_UD && (len = emul_hypercall_insn(v)))
		return h_hypercall(v, &(struct vm_exit){ .code = VMEXIT_HYPERCALL, .insn_len = len });
	if (e->u.exc.vector == X86_EXC_DB) {
		/* The guest's DR6 is v->dr6: a #DB replaces B0-B3 and adds
		 * its other status bits, which stay until software clears
		 * them (SDM 18.2.3). INT1 reports nothing in DR6 and pushes
		 * the address after itself, as KVM delivers it. */
		v->dr6 = (v->dr6 & ~DR6_TRAP_BITS) | DR6_FIXED | (e->u.exc.dr6 & (DR6_TRAP_BITS | DR6_BD | DR6_BS));
		if (e->u.exc.int1)
			emul_skip(v, e);
	}
	emul_exception(v, e->u.exc.vector, e->u.exc.has_error, e->u.exc.error);
	return RUN_RESUME;
}

static int h_init(struct vcpu *v, const struct vm_exit *e)
{
	return RUN_INIT;
}

static int h_shutdown(struct vcpu *v, const struct vm_exit *e)
{
	return emul_stop_vm(v, STOP_FAULT, "triple fault");
}

static int h_ud(struct vcpu *v, const struct vm_exit *e)
{
	emul_exception(v, X86_EXC_UD, false, 0);
	return RUN_RESUME;
}

static int h_skip(struct vcpu *v, const struct vm_exit *e)
{
	emul_skip(v, e);
	return RUN_RESUME;
}

static int h_rdpmc(struct vcpu *v, const struct vm_exit *e)
{
	/* Guests are offered no performance counters (CPUID leaf 0xA is
	 * zero), so every ECX names an invalid counter: #GP(0), as RDPMC
	 * gives for one (SDM "RDPMC"), whatever CR4.PCE and the CPL. */
	return gp(v);
}

static int h_error(struct vcpu *v, const struct vm_exit *e)
{
	return emul_stop_vm(v, STOP_ERROR, e->u.text);
}

/* Every neutral exit: its name in the power-off summary and its handler
 * (NULL: the VM stops with "unhandled VM exit"). */
static const struct {
	const char *name;
	int (*fn)(struct vcpu *v, const struct vm_exit *e);
} exits[VMEXIT_NR] = {
	[VMEXIT_HOST_INTR] = { "host-intr", h_resume },
	[VMEXIT_WINDOW] = { "window", h_resume },
	[VMEXIT_PREEMPT] = { "preempt", h_preempt },
	[VMEXIT_CPUID] = { "cpuid", h_cpuid },
	[VMEXIT_RDMSR] = { "rdmsr", h_rdmsr },
	[VMEXIT_WRMSR] = { "wrmsr", h_wrmsr },
	[VMEXIT_IO] = { "io", h_io },
	[VMEXIT_NPF] = { "npf", h_npf },
	[VMEXIT_HLT] = { "hlt", h_hlt },
	[VMEXIT_PAUSE] = { "pause", h_pause },
	[VMEXIT_HYPERCALL] = { "hypercall", h_hypercall },
	[VMEXIT_CR] = { "cr", emul_cr_access },
	[VMEXIT_DR] = { "dr", emul_dr_access },
	[VMEXIT_XSETBV] = { "xsetbv", h_xsetbv },
	[VMEXIT_EXCEPTION] = { "exception", h_exception },
	[VMEXIT_INIT] = { "init", h_init },
	[VMEXIT_SHUTDOWN] = { "shutdown", h_shutdown },
	[VMEXIT_UD] = { "ud", h_ud },
	[VMEXIT_SKIP] = { "skip", h_skip },
	[VMEXIT_TASK_SWITCH] = { "task-switch", emul_task_switch },
	[VMEXIT_RDPMC] = { "rdpmc", h_rdpmc },
	[VMEXIT_ERROR] = { "error", h_error },
	[VMEXIT_UNHANDLED] = { "unhandled", NULL },
};

const char *vm_exit_name(unsigned code)
{
	return code < VMEXIT_NR && exits[code].name ? exits[code].name : "?";
}

int emul_exit(struct vcpu *v, const struct vm_exit *e)
{
	if (e->code < VMEXIT_NR && exits[e->code].fn)
		return exits[e->code].fn(v, e);
	return unhandled(v, e);
}
