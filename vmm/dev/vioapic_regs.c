/* Pure I/O APIC register logic (82093AA datasheet; see vioapic_regs.h). */
#include "vmm/dev/vioapic_regs.h"

void vioapic_regs_init(struct vioapic_regs *s, uint8_t id)
{
	memset(s, 0, sizeof(*s));
	s->id = id & 0xf;
	for (unsigned i = 0; i < VIOAPIC_NPINS; i++)
		s->rte[i] = VIOAPIC_RTE_MASKED;
}

static bool is_level(uint64_t rte)
{
	/* Only fixed and lowest-priority messages take part in the remote-IRR
	 * handshake: NMI, INIT, SMI and ExtINT are edge by definition (the
	 * datasheet requires trigger mode 0 for them), and no EOI would ever
	 * come back for them. */
	unsigned mode = (unsigned)((rte & VIOAPIC_RTE_DELMODE) >> 8);
	return (rte & VIOAPIC_RTE_LEVEL) && mode <= 1;
}

static void emit(struct vioapic_regs *s, unsigned pin, struct vioapic_out *out)
{
	uint64_t rte = s->rte[pin];
	unsigned mode = (unsigned)((rte & VIOAPIC_RTE_DELMODE) >> 8);
	/* Modes 3 and 6 are reserved in the 82093AA datasheet: no message
	 * (6 is a start-up IPI on the APIC bus, which no I/O APIC sends). */
	if (mode == 3 || mode == 6)
		return;
	struct vioapic_msg *m = &out->msg[out->n++];
	m->dest = (uint32_t)(rte >> VIOAPIC_RTE_DEST_SHIFT);
	m->logical = rte & VIOAPIC_RTE_DESTLOG;
	m->mode = (uint8_t)((rte & VIOAPIC_RTE_DELMODE) >> 8);
	m->vector = (uint8_t)(rte & VIOAPIC_RTE_VECTOR);
	m->level = is_level(rte);
	if (m->level)
		s->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR;
	s->delivered[pin]++;
}

/* A level pin delivers whenever it could: asserted, unmasked, not waiting
 * for an EOI. */
static void level_check(struct vioapic_regs *s, unsigned pin, struct vioapic_out *out)
{
	uint64_t rte = s->rte[pin];
	if (is_level(rte) && (s->lines >> pin & 1) && !(rte & VIOAPIC_RTE_MASKED) &&
	    !(rte & VIOAPIC_RTE_REMOTE_IRR))
		emit(s, pin, out);
}

uint32_t vioapic_regs_read(struct vioapic_regs *s, unsigned off)
{
	if (off == VIOAPIC_IOREGSEL)
		return s->regsel;
	if (off != VIOAPIC_IOWIN)
		return 0;
	unsigned r = s->regsel;
	switch (r) {
	case VIOAPIC_REG_ID:
		return (uint32_t)s->id << 24;
	case VIOAPIC_REG_VER:
		return VIOAPIC_VERSION | (VIOAPIC_NPINS - 1) << 16;
	case VIOAPIC_REG_ARB:
		/* The arbitration ID is loaded from the APIC ID. */
		return (uint32_t)s->id << 24;
	}
	if (r >= VIOAPIC_REG_REDIR && r < VIOAPIC_REG_REDIR + 2 * VIOAPIC_NPINS) {
		uint64_t rte = s->rte[(r - VIOAPIC_REG_REDIR) / 2];
		return (r & 1) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
	}
	return 0;
}

void vioapic_regs_write(struct vioapic_regs *s, unsigned off, uint32_t val, struct vioapic_out *out)
{
	if (off == VIOAPIC_IOREGSEL) {
		s->regsel = (uint8_t)val;
		return;
	}
	if (off != VIOAPIC_IOWIN)
		return;
	unsigned r = s->regsel;
	if (r == VIOAPIC_REG_ID) {
		s->id = (val >> 24) & 0xf;
		return;
	}
	if (r < VIOAPIC_REG_REDIR || r >= VIOAPIC_REG_REDIR + 2 * VIOAPIC_NPINS)
		return;                         /* version, arbitration: read-only */
	unsigned pin = (r - VIOAPIC_REG_REDIR) / 2;
	uint64_t old = s->rte[pin], nv;
	if (r & 1)
		nv = (old & 0xffffffffull) | (uint64_t)val << 32;
	else
		nv = (old & ~0xffffffffull) | val;
	nv = (nv & VIOAPIC_RTE_WRITABLE) | (old & VIOAPIC_RTE_REMOTE_IRR);
	/* Remote IRR only means something for level pins: switching a pin to
	 * edge clears it. Linux relies on that to unstick a pin on I/O APICs
	 * without an EOI register (version < 0x20, like this one). */
	if (!(nv & VIOAPIC_RTE_LEVEL))
		nv &= ~VIOAPIC_RTE_REMOTE_IRR;
	s->rte[pin] = nv;
	/* An edge pin loses edges that came while masked; a level pin
	 * delivers as soon as it can. */
	level_check(s, pin, out);
}

void vioapic_regs_set_line(struct vioapic_regs *s, unsigned pin, bool level, struct vioapic_out *out)
{
	if (pin >= VIOAPIC_NPINS)
		return;
	bool was = s->lines >> pin & 1;
	if (level)
		s->lines |= 1u << pin;
	else
		s->lines &= ~(1u << pin);
	uint64_t rte = s->rte[pin];
	if (is_level(rte)) {
		level_check(s, pin, out);
		return;
	}
	if (level && !was && !(rte & VIOAPIC_RTE_MASKED))
		emit(s, pin, out);
}

void vioapic_regs_eoi(struct vioapic_regs *s, uint8_t vector, struct vioapic_out *out)
{
	for (unsigned pin = 0; pin < VIOAPIC_NPINS; pin++) {
		uint64_t rte = s->rte[pin];
		if ((rte & VIOAPIC_RTE_VECTOR) != vector || !(rte & VIOAPIC_RTE_REMOTE_IRR))
			continue;
		s->rte[pin] = rte & ~VIOAPIC_RTE_REMOTE_IRR;
		level_check(s, pin, out);
	}
}
