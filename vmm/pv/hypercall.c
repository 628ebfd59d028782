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
	{ HC_LHV_HINT_REGISTER, 0, hc_lhv_hint_register },
	{ HC_LHV_YIELD, 0, hc_lhv_yield },
	{ HC_LHV_SPIN, 0, hc_lhv_spin },
	{ HC_LHV_BALLOON, 0, hc_lhv_balloon },
	{ HC_LHV_SPEED, 0, hc_lhv_speed },
};

uint64_t (*hypercall_obs)(struct vcpu *v, uint32_t nr);

bool hypercall_user_ok(struct vcpu *v, uint64_t nr)
{
	unsigned open = v->vm->cfg.user_hc;
	return (nr >= HC_LHV_OBS_FIRST && nr <= HC_LHV_OBS_LAST && (open & VM_USER_HC_AGENT)) ||
	       (nr >= HC_LHV_LHP_FIRST && nr <= HC_LHV_LHP_LAST && (open & VM_USER_HC_LHP));
}

static const struct hc_desc *find(uint64_t nr)
{
	for (unsigned i = 0; i < ARRAY_SIZE(calls); i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

bool hc_long_mode(struct vcpu *v, struct hc_call *c)
{
	if (c->long_mode < 0)
		c->long_mode = backend->get_code_bits(v) == 64;
	return c->long_mode;
}

enum hc_result hypercall(struct vcpu *v)
{
	struct hc_call c = { { v->gpr[GPR_RBX], v->gpr[GPR_RCX], v->gpr[GPR_RDX], v->gpr[GPR_RSI] },
			     -1, HC_RESUME };
	uint64_t nr = v->gpr[GPR_RAX], ret;
	/* 32-bit code has no upper halves: KVM truncates number and arguments
	 * outside 64-bit mode. Only when an upper half is set does the mode
	 * matter (this is the exit path: the mode costs a VMREAD). */
	if (((nr | c.a[0] | c.a[1] | c.a[2] | c.a[3]) >> 32) && !hc_long_mode(v, &c)) {
		nr = (uint32_t)nr;
		for (unsigned i = 0; i < 4; i++)
			c.a[i] = (uint32_t)c.a[i];
	}
	/* Refused from user mode, as KVM does (a guest kernel decides what
	 * its user space may ask of the hypervisor), except lhv's own calls
	 * that the VM's module line opens to user space (user_hc=). */
	const struct hc_desc *d;
	if (backend->get_cpl(v) != 0 && !hypercall_user_ok(v, nr)) {
		ret = HC_EPERM;
		v->pv.stats.eperm++;
	} else if (nr >= HC_LHV_OBS_FIRST && nr <= HC_LHV_OBS_LAST) {
		ret = hypercall_obs ? hypercall_obs(v, (uint32_t)nr) : HC_ENOSYS;
	} else if (!(d = find(nr)) || (d->need & ~v->vm->cfg.pv)) {
		ret = HC_ENOSYS;
		v->pv.stats.enosys++;
	} else {
		ret = d->fn(v, &c);
	}
	if ((ret >> 32) && !hc_long_mode(v, &c))
		ret = (uint32_t)ret;
	v->gpr[GPR_RAX] = ret;
	return c.result;
}
