/* The paravirtual interface guests see: KVM's (CPUID leaves 0x40000000+,
 * kvmclock MSRs, hypercalls) for stock Linux, and lhv's own (docs/
 * hypercalls.md). The generic CPUID, MSR and hypercall paths hand every
 * request in this space to these functions. */
#ifndef VMM_PV_PV_H
#define VMM_PV_PV_H
#include "vmm/vm/vm.h"

/* The hypervisor leaves 0x40000000-0x4fffffff. */
void pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);

#endif
