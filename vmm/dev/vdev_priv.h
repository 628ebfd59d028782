/* Inside the platform device models (vmm/dev/): the per-VM device state
 * and the device entry points the routing table (route.c) calls. Each
 * device owns its state and its lock. Lock order: one device lock (the
 * UART's, whose interrupt line raises here) -> the I/O APIC lock; no
 * device lock is held while a message goes to the local APICs
 * (vlapic_deliver) or while vm_stop() runs. */
#ifndef VMM_VDEV_PRIV_H
#define VMM_VDEV_PRIV_H
#include "vmm/dev/vdev.h"
#include "vmm/dev/vioapic_regs.h"
#include "vmm/dev/vpit_calc.h"
#include "vmm/dev/vpic.h"
#include "vmm/dev/vrtc.h"
#include "vmm/dev/vacpi_pm.h"
#include "vmm/dev/vuart.h"
#include "vmm/dev/vfwcfg.h"

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

	spinlock_t uart_lock;
	struct vuart uart;

	spinlock_t exit_lock;           /* the Bochs shutdown port's progress */
	unsigned shutdown_match;        /* characters of "Shutdown" seen so far */

	spinlock_t ioapic_lock;
	struct vioapic_regs ioapic;

	struct vpit pit;

	spinlock_t pic_lock;
	struct vpic pic;

	spinlock_t rtc_lock;
	struct vrtc rtc;

	spinlock_t pm_lock;
	struct vacpi_pm pm;

	spinlock_t misc_lock;           /* PCI address, reset control, fw_cfg */
	uint32_t pci_addr;              /* 0xCF8 */
	uint8_t rst_cnt;                /* 0xCF9 */
	struct vfwcfg fwcfg;            /* 0x510-0x511 */
};

/* A device's port handler: size 1, 2 or 4 (1 for the 8-bit ISA devices,
 * whose wider accesses route.c splits); in: *val receives the value. */
typedef void (*vdev_pio_fn)(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);

/* vdev.c: the small devices */
void vdev_kbc_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_pci_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_rst_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_pic_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_rtc_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_uart_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_exit_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_fwcfg_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
void vdev_pm_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);
bool vdev_pm_claims(const struct vdevs *d, uint16_t port);

/* vioapic.c */
void vioapic_init(struct vdevs *d, uint8_t id);
void vioapic_mmio(struct vdevs *d, unsigned off, unsigned size, bool write, uint64_t *val);
void vioapic_set_line(struct vdevs *d, unsigned gsi, bool level, bool pulse);

/* vpit.c */
void vpit_init(struct vpit *p, struct vm *vm);
void vpit_destroy(struct vpit *p);
/* Ports 0x40-0x43 and 0x61, one byte. */
void vpit_pio(struct vpit *p, uint16_t port, bool in, uint8_t *val);
void vdev_pit_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val);

#endif
