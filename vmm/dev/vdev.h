/* Platform device models of a VM (beyond the per-vCPU local APIC): the
 * interface between them and the rest of the VMM.
 *
 * The VMM calls vdev_create() once per VM, before its vCPUs are created
 * (sizes come from vm->cfg); guest port and MMIO accesses reach the devices
 * through the routing table (route.h). Devices raise interrupts on the
 * VM's IOAPIC with vm_irq_set()/vm_irq_pulse(); the IOAPIC delivers through
 * vlapic_deliver(), and the LAPIC reports EOIs of level-triggered vectors
 * back with vioapic_eoi(). All entry points may be called from any pCPU;
 * each device locks its own state. */
#ifndef VMM_DEV_VDEV_H
#define VMM_DEV_VDEV_H
#include "vmm/vm/vm.h"

#define VIOAPIC_BASE   0xFEC00000ull
#define VIOAPIC_PINS   24

struct vdev_config {
	uint16_t pm_base;        /* ACPI PM1a event block; control at +4, timer at +8 */
	uint8_t sci_gsi;
};

struct vdevs;

int vdev_create(struct vm *vm, const struct vdev_config *cfg);
void vdev_destroy(struct vm *vm);

/* Print what the VM's UART still holds (the VM stopped). */
void vdev_flush(struct vm *vm);

/* Interrupt lines (IOAPIC pins = GSIs). Level: the line follows `level`;
 * pulse: a rising and a falling edge. */
void vm_irq_set(struct vm *vm, unsigned gsi, bool level);
void vm_irq_pulse(struct vm *vm, unsigned gsi);
/* The LAPIC finished a level-triggered interrupt with this vector. */
void vioapic_eoi(struct vm *vm, uint8_t vector);

#endif
