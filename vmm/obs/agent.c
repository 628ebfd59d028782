/* The guest agent's hypercalls (docs/hypercalls.md, "Observation calls"):
 * a program in the guest (guest/linux/lhvagent.c) tells lhv where the
 * guest kernel keeps its per-CPU preemption count, hands over the kernel's
 * text symbols for the trace, brackets its workloads with marks and lines
 * the VMs up before each. Every argument is checked here; a bad one gets
 * -22 (-EINVAL) or -14 (-EFAULT) and changes nothing. */
#include "vmm/obs/obs.h"
#include "vmm/obs/trace.h"
#include "vmm/pv/hypercall.h"
#include "vmm/vm/backend.h"
#include "vmm/emul/emul.h"
#include "vmm/emul/walk.h"
#include "core/spinlock.h"

#define AGENT_ABI        1
#define AGENT_EFAULT     ((uint64_t)-14)
#define PERCPU_OFF_MAX   MiB(16)       /* far above Linux's per-CPU area (~200 KiB) */
#define SYMS_CHUNK_MAX   65536u
#define USER_VA_END      (1ull << 47)  /* the lower canonical half */
#define SYM_TABLES_MAX   16

static spinlock_t syms_lock = SPINLOCK_INIT;
static char syms_buf[SYMS_CHUNK_MAX];           /* under syms_lock */
static uint64_t sym_hash[SYM_TABLES_MAX];       /* tables already in the trace */
static unsigned nsym_hash;
static volatile uint64_t sync_seq[VM_MAX];

static bool percpu_off_ok(uint64_t off, unsigned align, bool may_be_zero)
{
	if (!off)
		return may_be_zero;
	return off < PERCPU_OFF_MAX && IS_ALIGNED(off, align);
}

/* RBX = __preempt_count, RCX = current_task, RDX = idle_threads (per-CPU
 * offsets; the last two may be 0 = unknown), RSI = ABI version. */
static uint64_t agent_register(struct vcpu *v)
{
	uint64_t pc = v->gpr[GPR_RBX], cur = v->gpr[GPR_RCX], idle = v->gpr[GPR_RDX];
	if (v->gpr[GPR_RSI] != AGENT_ABI || !percpu_off_ok(pc, 4, false) ||
	    !percpu_off_ok(cur, 8, true) || !percpu_off_ok(idle, 8, true))
		return HC_EINVAL;
	struct obs_percpu_syms s = { (uint32_t)pc, (uint32_t)cur, (uint32_t)idle };
	obs_vm_register(v->vm, &s);
	return 0;
}

static void guest_mode_now(struct vcpu *v, struct guest_mode *m)
{
	const struct vmm_backend *b = backend;
	*m = (struct guest_mode){ .cr0 = b->get_reg(v, VREG_CR0), .cr3 = b->get_reg(v, VREG_CR3),
				  .cr4 = b->get_reg(v, VREG_CR4), .efer = b->get_reg(v, VREG_EFER),
				  .cpl = b->get_cpl(v) };
}

/* RBX = address of a chunk of symbol lines, RCX = its length, RDX = hash
 * of the whole table. Length 0 asks whether to send the table: 0 yes, 1 it
 * is in the trace already (same hash), 2 no trace is being written. */
static uint64_t agent_syms(struct vcpu *v)
{
	uint64_t gva = v->gpr[GPR_RBX], len = v->gpr[GPR_RCX], hash = v->gpr[GPR_RDX];
	if (!len) {
		if (!trace_on())
			return 2;
		uint64_t f = spin_lock_irqsave(&syms_lock);
		uint64_t ret = 0;
		for (unsigned i = 0; i < nsym_hash; i++)
			if (sym_hash[i] == hash)
				ret = 1;
		if (!ret && nsym_hash < SYM_TABLES_MAX)
			sym_hash[nsym_hash++] = hash;
		spin_unlock_irqrestore(&syms_lock, f);
		return ret;
	}
	if (len > SYMS_CHUNK_MAX || gva + len < gva)
		return HC_EINVAL;
	struct guest_mode m;
	guest_mode_now(v, &m);
	/* User space may only name its own half of the address space. */
	if (m.cpl != 0 && (gva >= USER_VA_END || gva + len > USER_VA_END))
		return HC_EINVAL;
	if (!trace_on())
		return 0;
	uint64_t f = spin_lock_irqsave(&syms_lock);
	uint64_t ret = 0;
	if (guest_read_linear(v->vm, &m, gva, syms_buf, len) != len) {
		ret = AGENT_EFAULT;
	} else if (syms_buf[len - 1] != '\n') {
		ret = HC_EINVAL;         /* whole lines only */
	} else {
		for (size_t i = 0; i < len; i++)
			if (syms_buf[i] != '\n' && !trace_sym_char_ok(syms_buf[i]))
				ret = HC_EINVAL;
	}
	if (!ret)
		trace_text(v->vm->id, syms_buf, len);
	spin_unlock_irqrestore(&syms_lock, f);
	return ret;
}

/* A label packed little-endian into RCX, RDX, RSI: 1-24 characters of
 * [A-Za-z0-9._-], NUL-padded. */
static bool get_label(struct vcpu *v, char out[OBS_LABEL_MAX + 1])
{
	put_le64(out, v->gpr[GPR_RCX]);
	put_le64(out + 8, v->gpr[GPR_RDX]);
	put_le64(out + 16, v->gpr[GPR_RSI]);
	out[OBS_LABEL_MAX] = '\0';
	size_t n = 0;
	while (n < OBS_LABEL_MAX && out[n])
		n++;
	if (!n)
		return false;
	for (size_t i = 0; i < OBS_LABEL_MAX; i++) {
		char c = out[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';
		if (i < n ? !ok : c != '\0')
			return false;
	}
	return true;
}

/* RBX = 1 begin / 2 end of the phase named in RCX, RDX, RSI. */
static uint64_t agent_mark(struct vcpu *v)
{
	char label[OBS_LABEL_MAX + 1];
	uint64_t kind = v->gpr[GPR_RBX];
	if ((kind != 1 && kind != 2) || !get_label(v, label))
		return HC_EINVAL;
	uint64_t ns;
	int r = kind == 1 ? obs_phase_begin(v->vm, label, &ns) : obs_phase_end(v->vm, label, &ns);
	if (r < 0)
		return HC_EINVAL;
	obs_trace_mark(v, (unsigned)kind, label, ns);
	return 0;
}

/* RBX = n (1, 2, ...): this VM reached its n-th rendezvous. 0 once every
 * running VM whose module line lets its agent call (user_hc=agent) has
 * reached it too, 1 while some has not (the agent asks again). */
static uint64_t agent_sync(struct vcpu *v)
{
	uint64_t n = v->gpr[GPR_RBX];
	if (!n)
		return HC_EINVAL;
	uint64_t *mine = (uint64_t *)&sync_seq[v->vm->id];
	uint64_t old = __atomic_load_n(mine, __ATOMIC_ACQUIRE);
	while (old < n && !__atomic_compare_exchange_n(mine, &old, n, false, __ATOMIC_ACQ_REL,
						       __ATOMIC_ACQUIRE))
		;
	for (unsigned i = 0; i < nvms; i++) {
		struct vm *o = vms[i];
		if (o->state == VM_RUNNING && (o->cfg.user_hc & VM_USER_HC_AGENT) &&
		    __atomic_load_n(&sync_seq[o->id], __ATOMIC_ACQUIRE) < n)
			return 1;
	}
	return 0;
}

uint64_t obs_agent_hypercall(struct vcpu *v, uint32_t nr)
{
	/* The agent is a 64-bit program: its arguments are 64-bit. */
	if (backend->get_code_bits(v) != 64)
		return HC_EINVAL;
	switch (nr) {
	case HC_LHV_AGENT_REGISTER: return agent_register(v);
	case HC_LHV_AGENT_SYMS: return agent_syms(v);
	case HC_LHV_AGENT_MARK: return agent_mark(v);
	case HC_LHV_AGENT_SYNC: return agent_sync(v);
	default: return HC_ENOSYS;
	}
}
