/* The VM's I/O APIC: vmm/vioapic_regs.c under a lock, with its messages
 * handed to the local APICs after the lock is dropped (a LAPIC's EOI can
 * come straight back into vioapic_eoi on this pCPU). */
#include "vmm/dev/vdev_priv.h"
#include "vmm/dev/vlapic.h"

void vioapic_init(struct vdevs *d, uint8_t id)
{
	vioapic_regs_init(&d->ioapic, id);
}

static void send(struct vm *vm, const struct vioapic_out *out)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct vioapic_msg *m = &out->msg[i];
		vlapic_deliver(vm, m->dest, m->logical, m->mode, m->vector, m->level);
	}
}

void vioapic_mmio(struct vdevs *d, unsigned off, unsigned size, bool write, uint64_t *val)
{
	struct vioapic_out out = { 0 };
	unsigned reg = off & ~3u, sh = 8 * (off & 3);
	uint64_t f = spin_lock_irqsave(&d->ioapic_lock);
	if (!write) {
		/* The registers are 32 bits wide; narrower reads get their
		 * bytes of it, wider ones the register zero-extended. */
		uint32_t r = vioapic_regs_read(&d->ioapic, reg) >> sh;
		*val = size >= 4 ? r : r & ((1u << (8 * size)) - 1);
	} else if (size >= 4 && !sh) {
		vioapic_regs_write(&d->ioapic, reg, (uint32_t)*val, &out);
	} else if (reg == VIOAPIC_IOREGSEL && !sh) {
		/* A byte write to IOREGSEL selects (the select is 8 bits). */
		vioapic_regs_write(&d->ioapic, reg, (uint8_t)*val, &out);
	}
	/* Other partial writes to IOWIN are ignored, as the datasheet
	 * requires 32-bit accesses there. */
	spin_unlock_irqrestore(&d->ioapic_lock, f);
	send(d->vm, &out);
}

void vioapic_set_line(struct vdevs *d, unsigned gsi, bool level, bool pulse)
{
	if (gsi >= VIOAPIC_NPINS)
		return;
	struct vioapic_out out = { 0 };
	uint64_t f = spin_lock_irqsave(&d->ioapic_lock);
	vioapic_regs_set_line(&d->ioapic, gsi, pulse ? true : level, &out);
	if (pulse)
		vioapic_regs_set_line(&d->ioapic, gsi, false, &out);
	spin_unlock_irqrestore(&d->ioapic_lock, f);
	send(d->vm, &out);
}

void vioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct vdevs *d = vm->devs;
	if (!d)
		return;
	struct vioapic_out out = { 0 };
	uint64_t f = spin_lock_irqsave(&d->ioapic_lock);
	vioapic_regs_eoi(&d->ioapic, vector, &out);
	spin_unlock_irqrestore(&d->ioapic_lock, f);
	send(vm, &out);
}
