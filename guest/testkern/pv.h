/* KVM's paravirtual ABI from the guest's side (Linux 6.1 uapi
 * asm/kvm_para.h), for the pv tests (t_pv.c, t_steal.c, t_kicklat.c) and
 * what the tests need around it: the features the VM should have (its
 * `pv=`, repeated on the test command line), hypercalls, MSRs with fault
 * recovery, a TSC-based wait. */
#ifndef TK_PV_H
#define TK_PV_H
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/tk.h"

#define KVM_CPUID_FEATURES      0x40000001u
#define KVM_CPUID_TIMING        0x40000010u   /* EAX: TSC kHz */
#define KVM_FEATURE_CLOCKSOURCE (1u << 0)
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_STEAL_TIME  (1u << 5)
#define KVM_FEATURE_PV_UNHALT   (1u << 7)
#define KVM_FEATURE_PV_TLB_FLUSH (1u << 9)
#define KVM_FEATURE_PV_SEND_IPI (1u << 11)
#define KVM_FEATURE_PV_SCHED_YIELD (1u << 13)
#define KVM_FEATURE_CLOCKSOURCE_STABLE (1u << 24)
#define KVM_HINTS_REALTIME      (1u << 0)

#define KVM_HC_KICK_CPU    5
#define KVM_HC_SEND_IPI    10
#define KVM_HC_SCHED_YIELD 11
#define HC_LHV_ECHO        0x4C480001u
#define RET_ENOSYS         0xfffffc18u   /* -1000 in EAX */
#define RET_EPERM          0xffffffffu   /* -1 */
#define RET_EINVAL         0xffffffeau   /* -22 */

#define MSR_KVM_STEAL_TIME 0x4b564d03u
#define KVM_VCPU_PREEMPTED 1u
#define KVM_VCPU_FLUSH_TLB 2u

struct kvm_steal_time {
	uint64_t steal;
	uint32_t version;
	uint32_t flags;
	uint8_t preempted;
	uint8_t pad8[3];
	uint32_t pad[11];
} __attribute__((aligned(64)));

/* The feature bits CPUID 0x40000001 EAX should show for the command line's
 * pv= (same words as lhv's module line; absent: all, lhv's default), and
 * whether the realtime hint should be set. */
uint32_t pv_expected(bool *realtime);
/* Should the VM have been offered this feature bit (pv_expected)? */
bool pv_has(uint32_t feature);

/* A hypercall in 32-bit mode; every argument register is checked to be
 * unchanged afterwards (the ABI clobbers only EAX): *clobbered is set if
 * not. A fault (no hypervisor) leaves 0xdeadbeef. */
uint32_t pv_hypercall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
		      bool *clobbered);
static inline uint32_t pv_call(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3)
{
	bool c;
	return pv_hypercall(nr, a0, a1, a2, a3, &c);
}
/* user.S: the same from CPL 3 (vmmcall: with VMMCALL instead of VMCALL). */
void user_setup(void);
uint32_t user_hypercall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
			uint32_t vmmcall);

/* RDMSR/WRMSR: the fault vector, or -1 if they completed. */
int pv_rdmsr(uint32_t msr, uint64_t *val);
int pv_wrmsr(uint32_t msr, uint64_t val);

/* TSC ticks per ms (CPUID 0x40000010), and busy-waiting by the TSC. */
uint32_t pv_tsc_khz(void);
void pv_spin_ms(uint32_t ms);
/* Steal time in a record, read consistently (version even and unchanged). */
uint64_t pv_steal_read(volatile struct kvm_steal_time *st, uint32_t *version);

#endif
