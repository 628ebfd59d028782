/* Hypercall dispatch: one table row per call, with the paravirtual
 * feature (pv=) a VM needs for it. lhv's own calls (0x4C48xxxx) take rows
 * here like KVM's. */
#include "vmm/pv/hypercall.h"
#include "vmm/vm/backend.h"

static uint64_t hc_echo(struct vcpu *v, struct hc_call *c)
{
	return c->a[0] + 1;
}

static const struct hc_desc {
	uint32_t nr;
	unsigned need;          /* VM_PV_* the VM must have been offered; 0: none */
	uint64_t (*fn)(struct vcpu *v, struct hc_call *c);
} calls[] = {
	{ KVM_HC_KICK_CPU, VM_PV_UNHALT, hc_kick_cpu },
	{ KVM_HC_SEND_IPI, VM_PV_IPI, hc_send_ipi },
	{ KVM_HC_SCHED_YIELD, VM_PV_YIELD, hc_sched_yield },
	{ HC_LHV_ECHO, 0, hc_echo },
};

static const struct hc_desc *find(uint64_t nr)
{
	for (unsigned i = 0; i < ARRAY_SIZE(calls); i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

enum hc_result hypercall(struct vcpu *v)
{
	const struct vmm_backend *b = backend;
	struct hc_call c = { .long_mode = b->get_code_bits(v) == 64, .result = HC_RESUME };
	uint64_t nr = v->gpr[GPR_RAX], ret;
	c.a[0] = v->gpr[GPR_RBX];
	c.a[1] = v->gpr[GPR_RCX];
	c.a[2] = v->gpr[GPR_RDX];
	c.a[3] = v->gpr[GPR_RSI];
	if (!c.long_mode) {
		/* 32-bit code has no upper halves (KVM truncates likewise). */
		nr = (uint32_t)nr;
		for (unsigned i = 0; i < 4; i++)
			c.a[i] = (uint32_t)c.a[i];
	}
	/* Refused from user mode whatever the number, as KVM does: a guest
	 * kernel decides what its user space may ask of the hypervisor. */
	const struct hc_desc *d;
	if (b->get_cpl(v) != 0) {
		ret = HC_EPERM;
		v->pv.stats.eperm++;
	} else if (!(d = find(nr)) || (d->need & ~v->vm->cfg.pv)) {
		ret = HC_ENOSYS;
		v->pv.stats.enosys++;
	} else {
		ret = d->fn(v, &c);
	}
	v->gpr[GPR_RAX] = c.long_mode ? ret : (uint32_t)ret;
	return c.result;
}
