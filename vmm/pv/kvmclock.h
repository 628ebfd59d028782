/* kvmclock: KVM's paravirtual clock (Linux Documentation/virt/kvm/x86/msr.rst
 * for the interface facts). Guests read time as TSC scaled by a multiplier
 * the hypervisor publishes, so Linux skips PIT/HPET calibration. */
#ifndef VMM_KVMCLOCK_H
#define VMM_KVMCLOCK_H
#include "vmm/vm/vm.h"

#define MSR_KVM_WALL_CLOCK      0x11
#define MSR_KVM_SYSTEM_TIME     0x12
#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

/* The guest's wall clock at its time 0 (the RTC model uses the same). */
#define KVMCLOCK_EPOCH_SEC 1767225600u   /* 2026-01-01 00:00:00 UTC */

/* Pure: the (mul, shift) pair with ns = ((ticks << shift) * mul) >> 32 for
 * a TSC of tsc_khz (negative shift: >> -shift). */
void kvmclock_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift);

bool kvmclock_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool kvmclock_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
