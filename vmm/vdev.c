/* Platform devices of a VM: creation, port and MMIO dispatch, interrupt
 * lines, and the small devices with no file of their own (reset control,
 * PCI configuration ports, a minimal keyboard controller).
 *
 *   0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1  8259 PICs + ELCR   vmm/vpic.c
 *   0x40-0x43, 0x61                    8254 PIT, port B    vmm/vpit.c
 *   0x60, 0x64                         minimal 8042        here
 *   0x70-0x71                          CMOS RTC            vmm/vrtc.c
 *   pm_base +0..5, +8..11              ACPI PM1a, PM timer vmm/vacpi_pm.c
 *   0xcf8 (32-bit), 0xcfc-0xcff        PCI config, empty   here
 *   0xcf9 (8-bit)                      reset control       here
 *   0xfec00000-0xfec00fff              I/O APIC            vmm/vioapic.c
 * docs/devices.md says what each does and does not do. */
#include "vmm/vdev_priv.h"
#include "core/log.h"
#include "core/mm.h"
#include "vmm/acpi_build.h"

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

static void uart_irq(void *ctx, bool level)
{
	vm_irq_set(ctx, VDEV_GSI_COM1, level);
}

int vdev_create(struct vm *vm, const struct vdev_config *cfg)
{
	struct vdevs *d = kzalloc(sizeof(*d));
	if (!d)
		return -1;
	d->vm = vm;
	d->cfg = *cfg;
	/* vm_create calls this before the vCPUs exist: their number comes
	 * from the configuration, as it does for the MADT. */
	vioapic_init(d, ACPI_BUILD_IOAPIC_ID(vm->cfg.vcpus));
	vpit_init(&d->pit, vm);
	vpic_init(&d->pic);
	vrtc_init(&d->rtc, vm->ram_size);
	vacpi_pm_init(&d->pm);
	vm->devs = d;
	/* vuart_init (which clears the hook) has run by now: vm_create
	 * calls it before creating the vCPUs. */
	vuart_attach_irq(&vm->uart, uart_irq, vm);
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
	vuart_attach_irq(&vm->uart, NULL, NULL);
	vpit_destroy(&d->pit);
	vm->devs = NULL;
	kfree(d);
}

static uint64_t vm_ns(const struct vdevs *d)
{
	uint64_t now = time_now();
	return now > d->vm->created_ns ? now - d->vm->created_ns : 0;
}

static void reset_request(struct vm *vm)
{
	vm_stop(vm, STOP_POWEROFF, 0, reboot_msg);
}

/* The 8-bit devices, one byte at a time. Returns false if port is not
 * theirs. May ask for a reset (done by the caller, with no lock held). */
static bool byte_port(struct vdevs *d, uint16_t port, bool in, uint8_t *val, bool *reset)
{
	uint64_t f;
	if (port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1) {
		f = spin_lock_irqsave(&d->pic_lock);
		if (in)
			*val = vpic_read(&d->pic, port >= 0xa0, port & 1);
		else
			vpic_write(&d->pic, port >= 0xa0, port & 1, *val);
		spin_unlock_irqrestore(&d->pic_lock, f);
		return true;
	}
	if (port == 0x4d0 || port == 0x4d1) {
		f = spin_lock_irqsave(&d->pic_lock);
		if (in)
			*val = vpic_elcr_read(&d->pic, port & 1);
		else
			vpic_elcr_write(&d->pic, port & 1, *val);
		spin_unlock_irqrestore(&d->pic_lock, f);
		return true;
	}
	if (vpit_claims(port)) {
		vpit_pio(&d->pit, port, in, val);
		return true;
	}
	if (port == 0x70 || port == 0x71) {
		f = spin_lock_irqsave(&d->rtc_lock);
		if (in)
			*val = vrtc_read(&d->rtc, port, vm_ns(d));
		else
			vrtc_write(&d->rtc, port, *val, vm_ns(d));
		spin_unlock_irqrestore(&d->rtc_lock, f);
		return true;
	}
	if (port == KBC_DATA || port == KBC_CMD) {
		/* A minimal 8042 (the FADT says there is none, so Linux does
		 * not probe it): always ready for a command, never any data,
		 * and commands 0xf0-0xff pulse the output port: bit 0 clear
		 * pulses the CPU reset line (0xfe is the classic reboot). */
		if (in)
			*val = port == KBC_CMD ? KBC_STATUS : 0x00;
		else if (port == KBC_CMD && (*val & 0xf1) == 0xf0)
			*reset = true;
		return true;
	}
	if (port == PCI_RST) {
		/* Reset control: bits 1 (hard reset) and 3 (full reset) are
		 * stored; a write with bit 2 set resets the machine. */
		f = spin_lock_irqsave(&d->misc_lock);
		if (in)
			*val = d->rst_cnt;
		else if (*val & RST_CPU)
			*reset = true;
		else
			d->rst_cnt = *val & 0x0a;
		spin_unlock_irqrestore(&d->misc_lock, f);
		return true;
	}
	return false;
}

static bool pm_port(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint16_t base = d->cfg.pm_base;
	if (!base || port < base || port - base >= 12 || !vacpi_pm_claims(port - base))
		return false;
	unsigned off = port - base, typ = 0;
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
	return true;
}

static bool pci_port(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (port == PCI_ADDR && size == 4) {
		/* CONFIG_ADDRESS reads back what was written (Linux's
		 * type-1 probe needs that); no device answers on any bus, so
		 * its sanity scan of bus 0 finds nothing. */
		uint64_t f = spin_lock_irqsave(&d->misc_lock);
		if (in)
			*val = d->pci_addr;
		else
			d->pci_addr = *val & 0x80fffffcu;
		spin_unlock_irqrestore(&d->misc_lock, f);
		return true;
	}
	if (port >= PCI_DATA && port <= PCI_DATA + 3) {
		if (in)
			*val = size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
		return true;
	}
	return false;
}

bool vdev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vdevs *d = v->vm->devs;
	if (!d)
		return false;
	if (pm_port(d, port, size, in, val) || pci_port(d, port, size, in, val))
		return true;
	/* An n-byte access to an 8-bit device is n byte accesses to
	 * consecutive ports, as the ISA bus splits it. */
	bool reset = false, claimed = false;
	uint32_t out = 0;
	for (unsigned i = 0; i < size && i < 4; i++) {
		uint8_t b = in ? 0xff : (uint8_t)(*val >> (8 * i));
		bool mine = byte_port(d, (uint16_t)(port + i), in, &b, &reset);
		if (i == 0 && !mine)
			return false;
		claimed = true;
		out |= (uint32_t)b << (8 * i);
	}
	if (in && claimed)
		*val = out;
	if (reset)
		reset_request(v->vm);
	return claimed;
}

bool vdev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	struct vdevs *d = v->vm->devs;
	if (!d || gpa < VIOAPIC_BASE || gpa >= VIOAPIC_BASE + 0x1000)
		return false;
	vioapic_mmio(d, (unsigned)(gpa - VIOAPIC_BASE), size, write, val);
	return true;
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
