#include "vmm/vmm_exits.h"
#include "vmm/hypercall.h"

void vmm_hypercall(struct vcpu *v)
{
	/* Outside 64-bit mode only the low 32 bits count (KVM does the same);
	 * results are sign-extended so 32-bit guests see -1000 as 0xfffffc18. */
	uint64_t nr = v->gpr[GPR_RAX] & 0xffffffffu;
	uint64_t a0 = v->gpr[GPR_RBX];
	uint64_t ret;
	switch (nr) {
	case HC_LHV_ECHO:
		ret = a0 + 1;
		break;
	default:
		ret = HC_ENOSYS;
	}
	v->gpr[GPR_RAX] = ret;
}
