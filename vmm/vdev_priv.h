/* Inside the platform device models (vmm/vdev.c and the device glue):
 * the per-VM device state. Lock order: vm->lock (held by vmm/pio.c around
 * the UART, whose interrupt line raises here) -> one device lock -> the
 * I/O APIC lock; no device lock is held while a message goes to the local
 * APICs (vlapic_deliver) or while vm_stop() runs. */
#ifndef VMM_VDEV_PRIV_H
#define VMM_VDEV_PRIV_H
#include "vmm/vdev.h"
#include "vmm/vioapic_regs.h"
#include "vmm/vpit_calc.h"
#include "vmm/vpic.h"
#include "vmm/vrtc.h"
#include "vmm/vacpi_pm.h"

/* ISA IRQs as GSIs (the MADT's overrides: IRQ0 -> GSI 2, the rest 1:1). */
#define VDEV_GSI_PIT    2
#define VDEV_GSI_COM1   4

struct vpit {
	spinlock_t lock;
	struct vm *vm;
	struct pit_chan ch[3];
	uint8_t port61;                 /* bits 0-3 as written */
	struct timer timer;             /* channel 0's next rising OUT edge */
	uint64_t deadline;              /* ns the timer is armed for, 0 = none */
	uint64_t irqs;                  /* IRQ0 edges raised (statistics) */
};

struct vdevs {
	struct vm *vm;
	struct vdev_config cfg;

	spinlock_t ioapic_lock;
	struct vioapic_regs ioapic;

	struct vpit pit;

	spinlock_t pic_lock;
	struct vpic pic;

	spinlock_t rtc_lock;
	struct vrtc rtc;

	spinlock_t pm_lock;
	struct vacpi_pm pm;

	spinlock_t misc_lock;           /* PCI address, reset control */
	uint32_t pci_addr;              /* 0xCF8 */
	uint8_t rst_cnt;                /* 0xCF9 */
};

/* vmm/vioapic.c */
void vioapic_init(struct vdevs *d, uint8_t id);
void vioapic_mmio(struct vdevs *d, unsigned off, unsigned size, bool write, uint64_t *val);
void vioapic_set_line(struct vdevs *d, unsigned gsi, bool level, bool pulse);

/* vmm/vpit.c */
void vpit_init(struct vpit *p, struct vm *vm);
void vpit_destroy(struct vpit *p);
/* Ports 0x40-0x43 and 0x61, one byte. */
bool vpit_claims(uint16_t port);
void vpit_pio(struct vpit *p, uint16_t port, bool in, uint8_t *val);

#endif
