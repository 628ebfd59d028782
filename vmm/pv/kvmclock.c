#include "vmm/pv/kvmclock.h"
#include "vmm/vm/gpa.h"
#include "hw/tsc.h"

void kvmclock_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift)
{
	/* Find shift so that ns-per-tick / 2^shift lies in [0.5, 1), then mul
	 * is that fraction in 32-bit fixed point. */
	uint64_t num = 1000000ull, den = tsc_khz;    /* ns per tick = num/den */
	int s = 0;
	while (num >= den) {
		den <<= 1;
		s++;
	}
	while (num < den / 2) {
		num <<= 1;
		s--;
	}
	*mul = (uint32_t)((num << 32) / den);
	*shift = (int8_t)s;
}

/* struct pvclock_vcpu_time_info, 32 bytes: version, pad, tsc_timestamp,
 * system_time, tsc_to_system_mul, tsc_shift, flags, pad[2]. */
#define PVCLOCK_TSC_STABLE 0x01

static bool write_time_info(struct vcpu *v, uint64_t gpa)
{
	uint8_t ti[32] = { 0 };
	uint32_t mul;
	int8_t shift;
	kvmclock_scale(tsc_khz_get(), &mul, &shift);
	/* Every vCPU publishes the same line through the origin: guest TSC 0
	 * (VM creation, see vm->tsc_offset) is system time 0. The host TSC is
	 * constant-rate and shared by all pCPUs, so the values never need
	 * refreshing and vCPUs can never disagree. */
	put_le32(ti + 0, 2);                          /* even: stable */
	put_le64(ti + 8, 0);
	put_le64(ti + 16, 0);
	put_le32(ti + 24, mul);
	ti[28] = (uint8_t)shift;
	ti[29] = PVCLOCK_TSC_STABLE;
	return vm_write_gpa(v->vm, gpa, ti, sizeof(ti));
}

static bool write_wall_clock(struct vcpu *v, uint64_t gpa)
{
	uint8_t wc[12] = { 0 };
	put_le32(wc + 0, 2);
	put_le32(wc + 4, KVMCLOCK_EPOCH_SEC);
	put_le32(wc + 8, 0);
	return vm_write_gpa(v->vm, gpa, wc, sizeof(wc));
}

bool kvmclock_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (msr == MSR_KVM_SYSTEM_TIME || msr == MSR_KVM_SYSTEM_TIME_NEW) {
		*val = v->kvmclock_msr;
		return true;
	}
	if (msr == MSR_KVM_WALL_CLOCK || msr == MSR_KVM_WALL_CLOCK_NEW) {
		*val = 0;
		return true;
	}
	return false;
}

bool kvmclock_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (msr == MSR_KVM_SYSTEM_TIME || msr == MSR_KVM_SYSTEM_TIME_NEW) {
		/* Bit 0 enables; the 32-byte structure is 4-byte aligned in RAM
		 * (KVM's msr.rst: "4-byte aligned physical address"). A bad
		 * address is the guest's mistake: refuse with #GP, which (like
		 * any faulting WRMSR) changes nothing. */
		if ((val & 1) && ((val & 2) || !write_time_info(v, val & ~3ull)))
			return false;
		v->kvmclock_msr = val;
		return true;
	}
	if (msr == MSR_KVM_WALL_CLOCK || msr == MSR_KVM_WALL_CLOCK_NEW)
		return write_wall_clock(v, val);
	return false;
}
