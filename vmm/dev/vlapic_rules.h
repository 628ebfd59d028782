/* Architectural rules of the local APIC that need no state (pure logic,
 * host-tested): which x2APIC MSR accesses fault, and the timer arithmetic
 * a guest must not be able to turn against the hypervisor. */
#ifndef VMM_DEV_VLAPIC_RULES_H
#define VMM_DEV_VLAPIC_RULES_H
#include "core/lib.h"

/* The shortest period a periodic LAPIC timer runs with: a guest asking
 * for less (count 1, divide by 1: 1 ns) gets this, so no guest can fill a
 * pCPU with timer interrupts (the PIT has the same floor; KVM clamps
 * periodic timers the same way). The count read back stays within the
 * programmed one. */
#define VLAPIC_MIN_PERIOD_NS 100000ull

/* A TSC-deadline further ahead than this many ns is armed for this long
 * and re-armed when it is reached: no ns/TSC product can overflow. */
#define VLAPIC_TSCDL_MAX_NS  (1ull << 40)

/* Divide configuration register -> divisor (SDM 11.5.4: bits 0, 1, 3). */
uint64_t vlapic_divisor(uint32_t tdcr);

/* Nanoseconds for count ticks of the 1 GHz bus clock divided by div; a
 * periodic timer's period is at least VLAPIC_MIN_PERIOD_NS. */
uint64_t vlapic_period_ns(uint32_t count, uint64_t div, bool periodic);

/* The deadline after a periodic expiry at `deadline` seen at `now`:
 * missed periods are skipped, never replayed. */
uint64_t vlapic_next_period(uint64_t deadline, uint64_t period, uint64_t now);

/* The current-count register: what is left of the count, from the time
 * left, never more than the programmed count (a clamped period lasts
 * longer than count * div). */
uint32_t vlapic_current_count(uint64_t left_ns, uint64_t div, uint32_t count);

/* x2APIC mode (SDM 11.12.1.2-3, Table 11-6): may the guest RDMSR (write =
 * false) or WRMSR val to register offset off (MSR - 0x800) << 4? False
 * means #GP: an address with no register, a read of a write-only one (EOI,
 * self IPI), a write to a read-only one, a value with reserved bits set
 * (bits 63:32 are reserved except in the ICR), a non-zero write to EOI or
 * ESR. */
bool vlapic_x2apic_access_ok(unsigned off, bool write, uint64_t val);

#endif
