/* Hypercalls (VMCALL/VMMCALL) with KVM's register convention: number in
 * RAX, arguments in RBX, RCX, RDX, RSI, result in RAX. KVM's own numbers are
 * honoured where lhv implements them; lhv's start at 0x4C480000 ("LH").
 * Unknown numbers return -1000 (KVM's -KVM_ENOSYS), calls from CPL > 0
 * return -1 (-KVM_EPERM). Documented in docs/hypercalls.md. */
#ifndef VMM_PV_HYPERCALL_H
#define VMM_PV_HYPERCALL_H
#include "vmm/vm/vm.h"

#define HC_ENOSYS        ((uint64_t)-1000)
#define HC_EPERM         ((uint64_t)-1)
#define HC_EINVAL        ((uint64_t)-22)
#define HC_LHV_ECHO      0x4C480001u   /* returns arg0 + 1: a liveness probe */

/* Observation calls of the guest agent (0x4C4801xx, docs/hypercalls.md),
 * carried out by vmm/obs/ (above this layer), which installs
 * hypercall_obs at start. User space may make them when the VM's module
 * line says user_hc=agent. */
#define HC_LHV_AGENT_REGISTER 0x4C480100u
#define HC_LHV_AGENT_SYMS     0x4C480101u
#define HC_LHV_AGENT_MARK     0x4C480102u
#define HC_LHV_AGENT_SYNC     0x4C480103u
#define HC_LHV_OBS_FIRST      0x4C480100u
#define HC_LHV_OBS_LAST       0x4C4801FFu
extern uint64_t (*hypercall_obs)(struct vcpu *v, uint32_t nr);

/* May v make hypercall nr from CPL > 0? Only what its module line allows
 * (user_hc=), never KVM's calls. */
bool hypercall_user_ok(struct vcpu *v, uint64_t nr);

/* Carry out the hypercall in v's registers (the caller checked CPL 0, or
 * hypercall_user_ok).
 * Outside 64-bit mode only the low 32 bits of the number and of each
 * argument count, as in KVM; the mode is read only when that matters. */
void hypercall(struct vcpu *v);

#endif
