/* Placeholder until the platform device models land: no devices, every
 * access falls through to the VMM's defaults. */
#include "vmm/vdev.h"

int vdev_create(struct vm *vm, const struct vdev_config *cfg) { return 0; }
void vdev_destroy(struct vm *vm) { }
bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val) { return false; }
bool vdev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val) { return false; }
void vm_irq_set(struct vm *vm, unsigned gsi, bool level) { }
void vm_irq_pulse(struct vm *vm, unsigned gsi) { }
void vioapic_eoi(struct vm *vm, uint8_t vector) { }
