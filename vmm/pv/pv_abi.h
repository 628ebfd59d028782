/* KVM's paravirtual ABI as Linux 6.1 uses it (uapi asm/kvm_para.h,
 * linux/kvm_para.h, Documentation/virt/kvm/x86/{cpuid,msr,hypercalls}.rst):
 * the numbers, and the pure parts of lhv's implementation (argument
 * checks, the PV IPI destination walk, the steal-time record update), which
 * compile for the host and are unit-tested there (tests/unit/vmm/pv/). */
#ifndef VMM_PV_PV_ABI_H
#define VMM_PV_PV_ABI_H
#include "core/lib.h"

/* CPUID 0x40000001 EAX (features) and EDX (hints). */
#define KVM_FEATURE_CLOCKSOURCE        (1u << 0)
#define KVM_FEATURE_CLOCKSOURCE2       (1u << 3)
#define KVM_FEATURE_STEAL_TIME         (1u << 5)
#define KVM_FEATURE_PV_UNHALT          (1u << 7)
#define KVM_FEATURE_PV_TLB_FLUSH       (1u << 9)
#define KVM_FEATURE_PV_SEND_IPI        (1u << 11)
#define KVM_FEATURE_PV_SCHED_YIELD     (1u << 13)
#define KVM_FEATURE_CLOCKSOURCE_STABLE (1u << 24)
#define KVM_HINTS_REALTIME             (1u << 0)

/* Hypercall numbers (KVM's) and results. Guests see negative errnos. */
#define KVM_HC_KICK_CPU    5
#define KVM_HC_SEND_IPI    10
#define KVM_HC_SCHED_YIELD 11
#define HC_ENOSYS          ((uint64_t)-1000)   /* -KVM_ENOSYS */
#define HC_EPERM           ((uint64_t)-1)      /* -KVM_EPERM (EPERM) */
#define HC_EINVAL          ((uint64_t)-22)     /* -KVM_EINVAL (EINVAL) */

/* MSR_KVM_STEAL_TIME: a 64-byte aligned guest-physical address | enable.
 * Bits 1-5 are reserved: a write with any of them set raises #GP. */
#define MSR_KVM_STEAL_TIME      0x4b564d03u
#define KVM_MSR_ENABLED         1ull
#define KVM_STEAL_ALIGNMENT_BITS 6
#define KVM_STEAL_RESERVED_MASK 0x3eull
#define KVM_STEAL_VALID_BITS    (~0ull << KVM_STEAL_ALIGNMENT_BITS)

/* struct kvm_steal_time (64 bytes): steal u64 @0, version u32 @8,
 * flags u32 @12, preempted u8 @16, padding to 64. */
#define KVM_ST_SIZE          64
#define KVM_ST_STEAL         0
#define KVM_ST_VERSION       8
#define KVM_ST_FLAGS         12
#define KVM_ST_PREEMPTED     16
#define KVM_VCPU_PREEMPTED   1u     /* lhv: taken off while still runnable */
#define KVM_VCPU_FLUSH_TLB   2u     /* the guest: flush my TLB before I run */

/* PV IPI: the ICR fields KVM_HC_SEND_IPI accepts. */
#define PV_ICR_VECTOR(icr)   ((uint8_t)((icr) & 0xff))
#define PV_ICR_MODE(icr)     ((unsigned)(((icr) >> 8) & 7))
#define PV_ICR_LOGICAL       (1ull << 11)
#define PV_ICR_ASSERT        (1ull << 14)
#define PV_ICR_LEVEL         (1ull << 15)
#define PV_ICR_SHORTHAND     (3ull << 18)

/* Is val a value WRMSR(MSR_KVM_STEAL_TIME) may take? (No reserved bit.)
 * Where the record lies is checked separately: KVM accepts any address and
 * simply never updates a record that is not in the guest's RAM. */
static inline bool pv_steal_msr_ok(uint64_t val)
{
	return !(val & KVM_STEAL_RESERVED_MASK);
}

/* Call fn(ctx, apic_id) for every APIC ID a KVM_HC_SEND_IPI with bitmaps
 * lo (a0) and hi (a1) and lowest ID min (a2) names, up to max_id; IDs past
 * max_id and bits past a cluster (64 bits in 64-bit mode, 32 otherwise:
 * the guest's unsigned long) are ignored, and no addition wraps. Returns
 * the sum of fn's results (KVM returns the number of vCPUs delivered to). */
uint64_t pv_ipi_walk(uint64_t lo, uint64_t hi, uint64_t min, bool long_mode, uint32_t max_id,
		     unsigned (*fn)(void *ctx, uint32_t apic_id), void *ctx);

/* Is icr (a3) something KVM_HC_SEND_IPI delivers? Physical destination,
 * no shorthand (KVM returns -KVM_EINVAL otherwise). */
static inline bool pv_ipi_icr_ok(uint64_t icr)
{
	return !(icr & (PV_ICR_LOGICAL | PV_ICR_SHORTHAND));
}

/* The steal-time record update at a dispatch (KVM's record_steal_time):
 * clear `preempted` atomically (the guest may be setting FLUSH_TLB in it
 * from another vCPU at the same moment) and return its old value; make
 * `version` odd, add steal_delta_ns to `steal`, make `version` even again,
 * so a reader retries across the update. rec is the 64-byte record. */
uint8_t pv_steal_record(uint8_t *rec, uint64_t steal_delta_ns);
/* The vCPU was taken off its pCPU while still runnable: preempted |= 1
 * (atomically: the guest may have set other bits). */
void pv_steal_mark_preempted(uint8_t *rec);

#endif
