/* Application processors for tests: the trampoline (trampoline.S) brings an
 * AP from its SIPI to ap_main() in 32-bit protected mode on the stack of its
 * APIC ID; a test that needs an AP names a function for it to run. */
#ifndef TK_AP_H
#define TK_AP_H
#include <stdbool.h>
#include <stdint.h>

#define ICR_FIXED        0x00000000u
#define ICR_LOWEST       0x00000100u
#define ICR_SMI          0x00000200u
#define ICR_NMI          0x00000400u
#define ICR_INIT         0x00004500u  /* delivery INIT, level assert, edge */
#define ICR_SIPI         0x00004600u  /* delivery start-up, vector in bits 7:0 */
#define ICR_LOGICAL      (1u << 11)
#define ICR_ASSERT       (1u << 14)
#define ICR_LEVEL        (1u << 15)
#define ICR_SELF         (1u << 18)
#define ICR_ALL          (2u << 18)
#define ICR_ALL_BUT_SELF (3u << 18)

/* Shared with trampoline.S. */
extern volatile uint32_t ap_next_slot;      /* trampoline entries so far */

/* Starts of each APIC ID (ap_main increments it before running anything). */
extern volatile uint32_t ap_starts[];

/* Copy the trampoline to its page (once per test is enough). False if the
 * page is not usable RAM. */
bool ap_trampoline_install(void);
/* The SIPI vector of the trampoline page. */
uint32_t ap_sipi_vector(void);
/* What the next AP to start runs (NULL: the smp test's report and park);
 * it gets its APIC ID and must not return. */
void ap_set_entry(void (*fn)(uint32_t apic_id));
/* INIT, wait, SIPI, wait, SIPI to apic_id (the Linux sequence), then wait
 * until that AP has started once more; false if it did not (bounded). */
bool ap_start(uint32_t apic_id, void (*fn)(uint32_t apic_id));
/* Spin up to n pause iterations. */
void tk_delay(uint32_t n);
/* Wait until *c >= want (n pause iterations at most). */
bool tk_wait_count(volatile uint32_t *c, uint32_t want, uint32_t n);
/* Park this CPU for good (interrupts off). */
__attribute__((noreturn)) void ap_park(void);
/* Park with interrupts on: handlers still run (IPIs counted in idt.c). */
__attribute__((noreturn)) void ap_idle(void);

#endif
