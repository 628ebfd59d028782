/* Local APIC in xAPIC (MMIO) mode at its architectural default base. We do
 * not relocate it and do not use x2APIC (QEMU TCG has no x2APIC). */
#ifndef TK_LAPIC_H
#define TK_LAPIC_H
#include <stdbool.h>
#include <stdint.h>

#define LAPIC_BASE 0xFEE00000u

#define LAPIC_ID       0x020
#define LAPIC_VERSION  0x030
#define LAPIC_TPR      0x080
#define LAPIC_EOI      0x0B0
#define LAPIC_SVR      0x0F0
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310
#define LAPIC_LVT_TMR  0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3E0

#define SVR_ENABLE     (1u << 8)
#define LVT_MASKED     (1u << 16)
#define ICR_BUSY       (1u << 12)  /* delivery status: send pending */

uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
uint32_t lapic_id(void);              /* ID register bits 31:24 */
void lapic_enable(void);              /* SVR: software enable, spurious vector */
void lapic_eoi(void);
/* Send an IPI: wait for the ICR to be idle, write dest then the low word.
 * Returns false if the ICR stayed busy (bounded wait). */
bool lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_lo);

#endif
