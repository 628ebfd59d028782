/* Virtual local APIC, one per vCPU: xAPIC (MMIO page at 0xFEE00000) and
 * x2APIC (MSRs 0x800-0x8ff) modes; timer in one-shot, periodic and
 * TSC-deadline modes on a 1 GHz virtual bus clock; IPIs (fixed, lowest
 * priority, NMI, INIT, SIPI; shorthands; physical and logical destinations);
 * TPR/PPR, ISR/IRR, EOI. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H
#include "vmm/vm/vm.h"

#define VLAPIC_BASE       0xFEE00000ull
#define VLAPIC_BUS_KHZ    1000000ull      /* timer ticks per ms before the divider */

int vlapic_create(struct vcpu *v);
void vlapic_destroy(struct vcpu *v);
/* Back to the power-on state (INIT), keeping the APIC ID. */
void vlapic_reset(struct vcpu *v);

/* MMIO access at offset off (0..0xfff) of the xAPIC page. */
void vlapic_mmio(struct vcpu *v, unsigned off, unsigned size, bool write, uint64_t *val);
/* MSR access: APIC_BASE (0x1b), TSC_DEADLINE (0x6e0), x2APIC 0x800-0x8ff.
 * Returns false for #GP. */
bool vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

/* An interrupt message from the VM's IOAPIC: destination (physical APIC
 * ID, or logical), delivery mode (0 fixed, 1 lowest priority, 4 NMI, 5 INIT,
 * 7 ExtINT ignored), vector, and whether it is level-triggered (then its
 * EOI is forwarded to vioapic_eoi()). */
void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode, uint8_t vector, bool level);

/* An interprocessor message to t whose delivery mode, vector and INIT
 * level are those of ICR low word icr_lo (destination and shorthand are
 * the caller's business: KVM_HC_SEND_IPI). Edge-triggered, as every IPI
 * lhv delivers. False when the mode is not one lhv models (SMI, ExtINT)
 * or is an INIT de-assert: nothing was delivered. */
bool vlapic_send_msg(struct vcpu *t, uint32_t icr_lo);

/* Raise a fixed interrupt on v (from a device or another vCPU). */
void vlapic_set_irq(struct vcpu *v, uint8_t vector);
bool vlapic_pending(struct vcpu *v);
int vlapic_ack(struct vcpu *v);
uint32_t vlapic_get_tpr(struct vcpu *v);
void vlapic_set_tpr(struct vcpu *v, uint32_t tpr);

#endif
