/* Platform device models of a VM (beyond the LAPIC and the UART data path):
 * the interface between them and the rest of the VMM.
 *
 * The VMM calls vdev_create() once per VM, after its UART is initialised and
 * before its vCPUs are created (sizes come from vm->cfg), and routes
 * every port access and every non-RAM guest-physical access it does not
 * handle itself to vdev_pio()/vdev_mmio(). Devices raise interrupts on the
 * VM's IOAPIC with vm_irq_set()/vm_irq_pulse(); the IOAPIC delivers through
 * vlapic_deliver(), and the LAPIC reports EOIs of level-triggered vectors
 * back with vioapic_eoi(). All entry points may be called from any pCPU;
 * each device locks its own state. */
#ifndef VMM_VDEV_H
#define VMM_VDEV_H
#include "vmm/vm.h"

#define VIOAPIC_BASE   0xFEC00000ull
#define VIOAPIC_PINS   24

struct vdev_config {
	uint16_t pm_base;        /* ACPI PM1a event block; control at +4, timer at +8 */
	uint8_t sci_gsi;
};

struct vdevs;

int vdev_create(struct vm *vm, const struct vdev_config *cfg);
void vdev_destroy(struct vm *vm);

/* true if a device owns the port (then *val is set for reads). */
bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);
/* true if a device owns gpa; off is gpa itself. */
bool vdev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val);

/* Interrupt lines (IOAPIC pins = GSIs). Level: the line follows `level`;
 * pulse: a rising and a falling edge. */
void vm_irq_set(struct vm *vm, unsigned gsi, bool level);
void vm_irq_pulse(struct vm *vm, unsigned gsi);
/* The LAPIC finished a level-triggered interrupt with this vector. */
void vioapic_eoi(struct vm *vm, uint8_t vector);

#endif
