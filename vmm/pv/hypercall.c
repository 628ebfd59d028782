#include "vmm/pv/hypercall.h"
#include "vmm/vm/backend.h"

uint64_t (*hypercall_obs)(struct vcpu *v, uint32_t nr);

bool hypercall_user_ok(struct vcpu *v, uint64_t nr)
{
	return nr >= HC_LHV_OBS_FIRST && nr <= HC_LHV_OBS_LAST &&
	       (v->vm->cfg.user_hc & VM_USER_HC_AGENT);
}

void hypercall(struct vcpu *v)
{
	uint64_t nr = v->gpr[GPR_RAX];
	/* A number with upper bits set is unknown in 64-bit mode; outside it
	 * those bits do not exist. */
	if (nr >> 32) {
		if (backend->get_code_bits(v) == 64) {
			v->gpr[GPR_RAX] = HC_ENOSYS;
			return;
		}
		nr = (uint32_t)nr;
	}
	uint64_t ret;
	if (nr >= HC_LHV_OBS_FIRST && nr <= HC_LHV_OBS_LAST) {
		v->gpr[GPR_RAX] = hypercall_obs ? hypercall_obs(v, (uint32_t)nr) : HC_ENOSYS;
		return;
	}
	switch (nr) {
	case HC_LHV_ECHO:
		/* RBX + 1 whatever the mode: 32-bit code reads only EAX, whose
		 * value the upper half of RBX cannot change. */
		ret = v->gpr[GPR_RBX] + 1;
		break;
	default:
		ret = HC_ENOSYS;
	}
	v->gpr[GPR_RAX] = ret;
}
