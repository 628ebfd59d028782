/* The host's local APIC: x2APIC (MSRs) where the CPU has it, xAPIC (MMIO)
 * otherwise; IPIs; and the per-pCPU one-shot timer behind core/timer.c
 * (TSC-deadline where available, else the LAPIC count-down). */
#ifndef HW_LAPIC_H
#define HW_LAPIC_H
#include "core/lib.h"

void lapic_init(void);              /* on each pCPU */
uint32_t lapic_id(void);
void lapic_eoi(void);
bool lapic_is_x2apic(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* Fire the timer interrupt (VEC_TIMER) when the TSC reaches tsc; 0 disarms. */
void lapic_timer_arm_tsc(uint64_t tsc);
/* Has the timer armed last run out (its interrupt raised)? */
bool lapic_timer_fired(void);
/* Once on the BSP after the TSC is calibrated. */
void lapic_timer_calibrate(void);
const char *lapic_timer_mode(void);

#endif
