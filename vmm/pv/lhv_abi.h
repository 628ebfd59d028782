/* lhv's own LHP interface, version 1 (docs/hypercalls.md, "lhv's LHP
 * interface"): the per-vCPU hint area a guest registers and the calls of
 * the delayed-preemption, long-spin and time-balloon protocols (LHV_SPEED
 * reads the speed without a hint area). Numbers,
 * layout and the pure argument checks; they compile for the host and are
 * unit-tested there (tests/unit/vmm/pv/test_lhv_abi.c). */
#ifndef VMM_PV_LHV_ABI_H
#define VMM_PV_LHV_ABI_H
#include "core/lib.h"

#define LHV_LHP_VERSION       1u

/* Hypercalls (0x4C4800xx beside LHV_ECHO 0x4C480001; the observation calls
 * are 0x4C4801xx). The group user space may be given (user_hc=lhp) is
 * 0x4C480010-0x4C48001F. */
#define HC_LHV_HINT_REGISTER  0x4C480010u   /* RBX = GPA of the area (0: off), RCX = version */
#define HC_LHV_YIELD          0x4C480011u   /* left a critical section with preemption pending */
#define HC_LHV_SPIN           0x4C480012u   /* RBX = holder vCPU index, or LHV_NO_VCPU */
#define HC_LHV_BALLOON        0x4C480013u   /* RBX = microseconds to give back */
#define HC_LHV_SPEED          0x4C480014u   /* no arguments; returns the vCPU's speed */
#define HC_LHV_LHP_FIRST      0x4C480010u
#define HC_LHV_LHP_LAST       0x4C48001Fu

#define LHV_NO_VCPU           0xffffffffu   /* LHV_SPIN: holder unknown */
#define LHV_BALLOON_MAX_US    1000000u      /* longest balloon: 1 s */
#define LHV_SPEED_ONE         1024u         /* a whole pCPU, as in the hint area's speed */

/* The hint area: 64 bytes, 64-byte aligned, in the VM's RAM, one per vCPU.
 * All fields little-endian u32. */
#define LHV_HINT_SIZE         64u
#define LHV_HINT_ALIGN        64u
#define LHV_HINT_VERSION      0    /* lhv writes LHV_LHP_VERSION at registration */
#define LHV_HINT_CS           4    /* guest: critical-section count (raise/lower) */
#define LHV_HINT_PENDING      8    /* lhv: 1 = preemption pending, call LHV_YIELD when cs drops to 0 */
#define LHV_HINT_SPEED        12   /* lhv: 0..1024, share of a pCPU (0: not published) */
#define LHV_HINT_DISPATCHES   16   /* lhv: dispatches since registration (changes at each) */

/* Why a registration is refused (0: accepted). */
enum lhv_hint_err {
	LHV_HINT_OK,
	LHV_HINT_BAD_VERSION,   /* RCX is not a version lhv speaks */
	LHV_HINT_MISALIGNED,    /* not 64-byte aligned */
	LHV_HINT_NOT_RAM,       /* (checked by the caller: not wholly in the VM's RAM) */
};

/* Are (gpa, version) a registration lhv may accept, RAM aside? gpa 0 with
 * any version unregisters and is always accepted. */
static inline enum lhv_hint_err lhv_hint_check(uint64_t gpa, uint64_t version)
{
	if (!gpa)
		return LHV_HINT_OK;
	if (version != LHV_LHP_VERSION)
		return LHV_HINT_BAD_VERSION;
	if (gpa & (LHV_HINT_ALIGN - 1))
		return LHV_HINT_MISALIGNED;
	return LHV_HINT_OK;
}

/* LHV_SPIN's holder: a vCPU index below nvcpus, or "unknown" (LHV_NO_VCPU,
 * also as a 64-bit -1). *idx gets the index or LHV_NO_VCPU; false: bad. */
static inline bool lhv_spin_holder(uint64_t arg, uint32_t nvcpus, uint32_t *idx)
{
	if (arg == LHV_NO_VCPU || arg == ~0ull) {
		*idx = LHV_NO_VCPU;
		return true;
	}
	if (arg >= nvcpus)
		return false;
	*idx = (uint32_t)arg;
	return true;
}

/* LHV_BALLOON's time: 1 us .. LHV_BALLOON_MAX_US (0 and longer are absurd). */
static inline bool lhv_balloon_ok(uint64_t us)
{
	return us >= 1 && us <= LHV_BALLOON_MAX_US;
}

/* LHV_SPEED's result from the policy's speed (sched_vcpu_speed(): 0 when
 * the policy publishes none): never above LHV_SPEED_ONE, whatever the
 * policy's arithmetic, so a guest may divide by LHV_SPEED_ONE safely. */
static inline uint64_t lhv_speed_result(uint32_t speed)
{
	return speed > LHV_SPEED_ONE ? LHV_SPEED_ONE : speed;
}

#endif
