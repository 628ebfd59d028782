/* Platform devices of a VM: creation, interrupt lines, and the port glue
 * of the devices whose models are pure (PIC, RTC, ACPI PM, UART) or too
 * small for a file of their own (reset control, PCI configuration ports, a
 * minimal keyboard controller, the exit ports). Which port reaches which
 * handler is route.c's table; docs/devices.md says what each device does
 * and does not do. */
#include "vmm/dev/vdev_priv.h"
#include "core/log.h"
#include "core/mm.h"
#include "vmm/load/acpi_build.h"
#include "vmm/dev/vlapic.h"

#define KBC_DATA     0x60
#define KBC_CMD      0x64
/* 8042 status: system flag (self-test passed), last write was a command,
 * keyboard not inhibited; output and input buffers empty. */
#define KBC_STATUS   0x1c

#define PCI_ADDR     0xcf8
#define PCI_RST      0xcf9
#define PCI_DATA     0xcfc
#define RST_CPU      0x04            /* 0xcf9 bit 2: reset now */

static const char reboot_msg[] = "reboot requested: stopping the VM (reboot is not supported)";

#define DEBUG_EXIT   0xf4            /* QEMU isa-debug-exit convention */

static void uart_irq(void *ctx, bool level)
{
	vm_irq_set(ctx, VDEV_GSI_COM1, level);
}

void vdev_fwcfg_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint64_t f = spin_lock_irqsave(&d->misc_lock);
	vfwcfg_pio(&d->fwcfg, port, size, in, val);
	spin_unlock_irqrestore(&d->misc_lock, f);
}

int vdev_create(struct vm *vm, const struct vdev_config *cfg)
{
	struct vdevs *d = kzalloc(sizeof(*d));
	if (!d)
		return -1;
	d->vm = vm;
	d->cfg = *cfg;
	vuart_init(&d->uart, vm->name);
	/* vm_create calls this before the vCPUs exist: their number comes
	 * from the configuration, as it does for the MADT. */
	vioapic_init(d, ACPI_BUILD_IOAPIC_ID(vm->cfg.vcpus));
	vpit_init(&d->pit, vm);
	vpic_init(&d->pic);
	vrtc_init(&d->rtc, vm->ram_size);
	vacpi_pm_init(&d->pm);
	vfwcfg_init(&d->fwcfg, vm->ram_size, vm->cfg.vcpus);
	vm->devs = d;
	vm->intr_pending = vlapic_pending;
	vuart_attach_irq(&d->uart, uart_irq, vm);
	return 0;
}

void vdev_destroy(struct vm *vm)
{
	/* Only for a VM whose vCPUs no longer (or never did) run: the timer
	 * is cancelled, but a callback already taken off its queue on
	 * another pCPU could still be about to run. */
	struct vdevs *d = vm->devs;
	if (!d)
		return;
	vuart_attach_irq(&d->uart, NULL, NULL);
	vpit_destroy(&d->pit);
	vm->devs = NULL;
	kfree(d);
}

static uint64_t vm_ns(const struct vdevs *d)
{
	uint64_t now = time_now();
	return now > d->vm->created_ns ? now - d->vm->created_ns : 0;
}

void vdev_flush(struct vm *vm)
{
	struct vdevs *d = vm->devs;
	if (!d)
		return;
	spin_lock(&d->uart_lock);
	vuart_flush(&d->uart);
	spin_unlock(&d->uart_lock);
}

static void reset_request(struct vm *vm)
{
	vm_stop(vm, STOP_POWEROFF, 0, reboot_msg);
}

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
}

void vdev_pic_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint64_t f = spin_lock_irqsave(&d->pic_lock);
	if (port == 0x4d0 || port == 0x4d1) {
		if (in)
			*val = vpic_elcr_read(&d->pic, port & 1);
		else
			vpic_elcr_write(&d->pic, port & 1, (uint8_t)*val);
	} else if (in) {
		*val = vpic_read(&d->pic, port >= 0xa0, port & 1);
	} else {
		vpic_write(&d->pic, port >= 0xa0, port & 1, (uint8_t)*val);
	}
	spin_unlock_irqrestore(&d->pic_lock, f);
}

void vdev_rtc_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint64_t f = spin_lock_irqsave(&d->rtc_lock);
	if (in)
		*val = vrtc_read(&d->rtc, port, vm_ns(d));
	else
		vrtc_write(&d->rtc, port, (uint8_t)*val, vm_ns(d));
	spin_unlock_irqrestore(&d->rtc_lock, f);
}

void vdev_uart_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	/* Exits run with interrupts off and no interrupt handler touches the
	 * UART: a plain lock is enough on this, the console's hot path. */
	spin_lock(&d->uart_lock);
	if (in)
		*val = vuart_read(&d->uart, port & 7);
	else
		vuart_write(&d->uart, port & 7, (uint8_t)*val);
	spin_unlock(&d->uart_lock);
}

void vdev_kbc_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	/* A minimal 8042 (the FADT says there is none, so Linux does not
	 * probe it): always ready for a command, never any data, and
	 * commands 0xf0-0xff pulse the output port: bit 0 clear pulses the
	 * CPU reset line (0xfe is the classic reboot). */
	if (in)
		*val = port == KBC_CMD ? KBC_STATUS : 0x00;
	else if (port == KBC_CMD && (*val & 0xf1) == 0xf0)
		reset_request(d->vm);
}

void vdev_rst_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	/* Reset control: bits 1 (hard reset) and 3 (full reset) are stored;
	 * a write with bit 2 set resets the machine. */
	bool reset = false;
	uint64_t f = spin_lock_irqsave(&d->misc_lock);
	if (in)
		*val = d->rst_cnt;
	else if (*val & RST_CPU)
		reset = true;
	else
		d->rst_cnt = *val & 0x0a;
	spin_unlock_irqrestore(&d->misc_lock, f);
	if (reset)
		reset_request(d->vm);
}

bool vdev_pm_claims(const struct vdevs *d, uint16_t port)
{
	uint16_t base = d->cfg.pm_base;
	return base && port >= base && port - base < 12 && vacpi_pm_claims(port - base);
}

void vdev_pm_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	unsigned off = port - d->cfg.pm_base, typ = 0;
	uint64_t f = spin_lock_irqsave(&d->pm_lock);
	enum vacpi_pm_req req = VACPI_PM_NONE;
	if (in)
		*val = vacpi_pm_read(&d->pm, off, size, vm_ns(d));
	else
		req = vacpi_pm_write(&d->pm, off, size, *val, &typ);
	spin_unlock_irqrestore(&d->pm_lock, f);
	if (req == VACPI_PM_SLEEP) {
		if (typ == ACPI_BUILD_SLP_TYP_S5)
			vm_stop(d->vm, STOP_POWEROFF, 0, NULL);
		else
			pr_warn("vm %s: sleep state %u not supported", d->vm->name, typ);
	}
}

void vdev_pci_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (port == PCI_ADDR && size == 4) {
		/* CONFIG_ADDRESS reads back what was written (Linux's type-1
		 * probe needs that); no device answers on any bus, so its
		 * sanity scan of bus 0 finds nothing. */
		uint64_t f = spin_lock_irqsave(&d->misc_lock);
		if (in)
			*val = d->pci_addr;
		else
			d->pci_addr = *val & 0x80fffffcu;
		spin_unlock_irqrestore(&d->misc_lock, f);
	} else if (in) {
		*val = all_ones(size);          /* CONFIG_DATA of no device */
	}
}

void vdev_exit_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (in) {
		*val = all_ones(size);
		return;
	}
	if (port == DEBUG_EXIT) {
		/* QEMU's isa-debug-exit: the value written is the exit code. */
		vm_stop(d->vm, STOP_EXIT, *val & all_ones(size), NULL);
		return;
	}
	/* Bochs' shutdown port: the string "Shutdown", one byte at a time. */
	static const char word[] = "Shutdown";
	uint64_t f = spin_lock_irqsave(&d->exit_lock);
	char c = (char)*val;
	d->shutdown_match = c == word[d->shutdown_match] ? d->shutdown_match + 1 : c == word[0] ? 1 : 0;
	bool done = d->shutdown_match == sizeof(word) - 1;
	spin_unlock_irqrestore(&d->exit_lock, f);
	if (done)
		vm_stop(d->vm, STOP_POWEROFF, 0, NULL);
}

void vm_irq_set(struct vm *vm, unsigned gsi, bool level)
{
	if (vm->devs)
		vioapic_set_line(vm->devs, gsi, level, false);
}

void vm_irq_pulse(struct vm *vm, unsigned gsi)
{
	if (vm->devs)
		vioapic_set_line(vm->devs, gsi, true, true);
}
