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

/* Carry out the hypercall in v's registers (the caller checked CPL 0).
 * Outside 64-bit mode only the low 32 bits of the number and of each
 * argument count, as in KVM; the mode is read only when that matters. */
void hypercall(struct vcpu *v);

#endif
