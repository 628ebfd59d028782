/* The routing table of a VM's devices (docs/devices.md):
 *
 *   0x3f8-0x3ff                        16550 UART (COM1)   vuart.c
 *   0x20-0x21, 0xa0-0xa1, 0x4d0-0x4d1  8259 PICs + ELCR   vpic.c
 *   0x40-0x43, 0x61                    8254 PIT, port B    vpit.c
 *   0x60, 0x64                         minimal 8042        vdev.c
 *   0x70-0x71                          CMOS RTC            vrtc.c
 *   pm_base +0..5, +8..11              ACPI PM1a, PM timer vacpi_pm.c
 *   0xcf8 (32-bit), 0xcfc-0xcff        PCI config, empty   vdev.c
 *   0xcf9 (8-bit)                      reset control       vdev.c
 *   0xf4, 0x8900                       exit ports          vdev.c
 *   0x510-0x511                        fw_cfg (minimal)    vfwcfg.c
 *   0xfec00000-0xfec00fff              I/O APIC            vioapic.c
 *   0xfee00000-0xfee00fff              local APIC (xAPIC)  vlapic.c
 *
 * The table is searched in order; the console UART comes first because a
 * guest's console output is by far its most frequent port access. */
#include "vmm/dev/route.h"
#include "vmm/dev/vdev_priv.h"
#include "vmm/dev/vlapic.h"
#include "core/log.h"

static const struct pio_route {
	struct range ports;
	bool isa8;              /* an 8-bit ISA device: wider accesses are split */
	vdev_pio_fn fn;
} pio_routes[] = {
	{ { 0x3f8, 0x3ff }, true, vdev_uart_pio },
	{ { 0x20, 0x21 }, true, vdev_pic_pio },
	{ { 0xa0, 0xa1 }, true, vdev_pic_pio },
	{ { 0x4d0, 0x4d1 }, true, vdev_pic_pio },
	{ { 0x40, 0x43 }, true, vdev_pit_pio },
	{ { 0x61, 0x61 }, true, vdev_pit_pio },
	{ { 0x70, 0x71 }, true, vdev_rtc_pio },
	{ { 0x60, 0x60 }, true, vdev_kbc_pio },
	{ { 0x64, 0x64 }, true, vdev_kbc_pio },
	{ { 0xcf8, 0xcf8 }, false, vdev_pci_pio },
	{ { 0xcf9, 0xcf9 }, true, vdev_rst_pio },
	{ { 0xcfc, 0xcff }, false, vdev_pci_pio },
	{ { 0xf4, 0xf4 }, false, vdev_exit_pio },
	{ { 0x510, 0x511 }, false, vdev_fwcfg_pio },
	{ { 0x8900, 0x8900 }, false, vdev_exit_pio },
};

static const struct pio_route *pio_find(uint16_t port)
{
	return RANGE_FIND(pio_routes, port);
}

static uint32_t all_ones(unsigned size)
{
	return size == 4 ? 0xffffffffu : size == 2 ? 0xffff : 0xff;
}

/* An n-byte access to an 8-bit device is n byte accesses to consecutive
 * ports, as the ISA bus splits it. (Out of line: rare, and it would make
 * every port exit pay for its stack frame.) */
static NOINLINE void pio_split(struct vdevs *d, const struct pio_route *r, uint16_t port,
			       unsigned size, bool in, uint32_t *val)
{
	uint32_t out = 0;
	for (unsigned i = 0; i < size; i++) {
		uint16_t p = (uint16_t)(port + i);
		const struct pio_route *ri = i ? pio_find(p) : r;
		uint32_t b = in ? 0xff : (*val >> (8 * i)) & 0xff;
		if (ri && ri->isa8)
			ri->fn(d, p, 1, in, &b);
		out |= (b & 0xff) << (8 * i);
	}
	if (in)
		*val = out;
}

void dev_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	struct vdevs *d = v->vm->devs;
	const struct pio_route *r = pio_find(port);
	if (!r && vdev_pm_claims(d, port)) {
		vdev_pm_pio(d, port, size, in, val);
		return;
	}
	if (!r) {
		/* Nothing here: reads float high, writes vanish. */
		if (in)
			*val = all_ones(size);
		pr_debug("vm %s: unclaimed port %#x %s", v->vm->name, port, in ? "read" : "write");
		return;
	}
	if (!r->isa8 || size == 1)
		r->fn(d, port, size, in, val);
	else
		pio_split(d, r, port, size, in, val);
}

bool dev_mmio_claims(uint64_t gpa)
{
	return (gpa >= VLAPIC_BASE && gpa < VLAPIC_BASE + 0x1000) ||
	       (gpa >= VIOAPIC_BASE && gpa < VIOAPIC_BASE + 0x1000);
}

void dev_mmio(struct vcpu *v, uint64_t gpa, unsigned size, bool write, uint64_t *val)
{
	if (gpa >= VLAPIC_BASE && gpa < VLAPIC_BASE + 0x1000)
		vlapic_mmio(v, (unsigned)(gpa - VLAPIC_BASE), size, write, val);
	else if (gpa >= VIOAPIC_BASE && gpa < VIOAPIC_BASE + 0x1000)
		vioapic_mmio(v->vm->devs, (unsigned)(gpa - VIOAPIC_BASE), size, write, val);
	else if (!write)
		*val = ~0ull;
}
