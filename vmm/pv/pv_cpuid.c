/* The hypervisor CPUID leaves. 0x40000000 carries the KVM signature so
 * stock Linux enables its paravirtual paths (Linux's
 * Documentation/virt/kvm/x86/cpuid.rst); 0x40000001 lists the features the
 * VM's pv= gives it; 0x40000010 gives the TSC and LAPIC bus rates (the
 * VMware/KVM timing leaf); 0x40000100 names lhv itself. */
#include "vmm/pv/pv.h"
#include "vmm/pv/pv_abi.h"
#include "vmm/dev/vlapic.h"
#include "hw/tsc.h"

#define HV_LEAF_MAX 0x40000010u

static void sig(uint32_t out[4], uint32_t eax, const char s[12])
{
	out[0] = eax;
	memcpy(&out[1], s, 4);
	memcpy(&out[2], s + 4, 4);
	memcpy(&out[3], s + 8, 4);
}

/* KVM feature bits for the VM_PV_* of pv=; kvmclock is always there.
 * PV_UNHALT also means lhv intercepts HLT, which it always does (KVM hides
 * the bit when it lets the guest halt natively). */
static uint32_t features(unsigned pv)
{
	uint32_t f = KVM_FEATURE_CLOCKSOURCE | KVM_FEATURE_CLOCKSOURCE2 |
		     KVM_FEATURE_CLOCKSOURCE_STABLE;
	if (pv & VM_PV_UNHALT)
		f |= KVM_FEATURE_PV_UNHALT;
	if (pv & VM_PV_STEAL)
		f |= KVM_FEATURE_STEAL_TIME;
	if (pv & VM_PV_TLB)
		f |= KVM_FEATURE_PV_TLB_FLUSH;
	if (pv & VM_PV_YIELD)
		f |= KVM_FEATURE_PV_SCHED_YIELD;
	if (pv & VM_PV_IPI)
		f |= KVM_FEATURE_PV_SEND_IPI;
	return f;
}

void pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	if (leaf == 0x40000000u) {
		sig(out, HV_LEAF_MAX, "KVMKVMKVM\0\0\0");
	} else if (leaf == 0x40000100u) {
		sig(out, 0x40000100u, "LHVLHVLHVLHV");
	} else if (leaf == 0x40000001u) {       /* KVM features, hints */
		out[0] = features(v->vm->cfg.pv);
		out[3] = (v->vm->cfg.pv & VM_PV_REALTIME) ? KVM_HINTS_REALTIME : 0;
	} else if (leaf == 0x40000010u) {       /* TSC and bus (LAPIC timer) kHz */
		out[0] = (uint32_t)tsc_khz_get(), out[1] = (uint32_t)VLAPIC_BUS_KHZ;
	}
}
