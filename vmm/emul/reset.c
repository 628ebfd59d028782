/* Putting a vCPU into a start state: the backend's part (registers in its
 * control structure) and what generic code keeps (FPU, debug registers,
 * events not yet delivered). */
#include "vmm/emul/emul.h"
#include "vmm/pv/pv.h"

void emul_vcpu_reset(struct vcpu *v, const struct vcpu_boot_state *s)
{
	backend->vcpu_set_boot(v, s);
	fpu_vcpu_reset(v);
	emul_dr_reset(v);
	v->reinject.valid = v->exc.valid = false;
	pv_vcpu_reset(v);
}
