/* MSRs emulated in generic code: the virtual LAPIC's, the TSC, MTRRs, and a
 * few that Linux reads at boot. Everything else raises #GP in the guest, as
 * real hardware does for an MSR it lacks. */
#include "vmm/vmm_exits.h"
#include "vmm/vlapic.h"
#include "vmm/kvmclock.h"
#include "hw/x86.h"

#define MSR_TSC              0x10
#define MSR_PLATFORM_ID      0x17
#define MSR_FEAT_CTL         0x3a
#define MSR_BIOS_SIGN        0x8b
#define MSR_MTRRCAP          0xfe
#define MSR_MCG_CAP          0x179
#define MSR_MCG_STATUS       0x17a
#define MSR_MISC_ENABLE      0x1a0
#define MSR_MTRR_DEF_TYPE    0x2ff

bool vmm_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (vlapic_rdmsr(v, msr, val) || kvmclock_rdmsr(v, msr, val))
		return true;
	switch (msr) {
	case MSR_TSC: *val = rdtsc() + (uint64_t)v->vm->tsc_offset; return true;
	case MSR_PLATFORM_ID: *val = 0; return true;
	case MSR_FEAT_CTL: *val = 1; return true;            /* locked, VMX off */
	case MSR_BIOS_SIGN: *val = 0; return true;
	case MSR_MTRRCAP: *val = 0; return true;             /* no ranges, no fixed */
	case MSR_MTRR_DEF_TYPE: *val = 0x806; return true;   /* enabled, WB */
	case MSR_MCG_CAP: case MSR_MCG_STATUS: *val = 0; return true;
	case MSR_MISC_ENABLE: *val = 1; return true;         /* fast strings */
	}
	return false;
}

bool vmm_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (vlapic_wrmsr(v, msr, val))
		return true;
	if (msr == MSR_KVM_SYSTEM_TIME || msr == MSR_KVM_SYSTEM_TIME_NEW ||
	    msr == MSR_KVM_WALL_CLOCK || msr == MSR_KVM_WALL_CLOCK_NEW)
		return kvmclock_wrmsr(v, msr, val);
	switch (msr) {
	case MSR_TSC:
		/* Per-VM offset: a write moves the whole VM's TSC, which keeps
		 * vCPUs in step (Linux writes it only to synchronise). */
		v->vm->tsc_offset = (int64_t)(val - rdtsc());
		return true;
	case MSR_BIOS_SIGN: case MSR_MISC_ENABLE: case MSR_MCG_STATUS:
		return true;                                 /* accepted, ignored */
	case MSR_MTRR_DEF_TYPE:
		return val == 0x806 || val == 0x6 || val == 0;
	}
	return false;
}
