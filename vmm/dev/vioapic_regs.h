/* The register and redirection logic of the VM's I/O APIC (82093AA-style,
 * version 0x11, 24 pins), without locks or delivery: pure, host-tested
 * (tests/unit/test_vioapic.c). vmm/vioapic.c wraps it with a lock and hands
 * the messages it produces to the local APICs after dropping the lock.
 *
 * Lines are logical: vioapic_set_line(pin, true) means "the device requests
 * an interrupt". The polarity bit is kept for the guest to read back but does
 * not invert anything: every device of this VM drives an active-high ISA
 * line (what the MADT says), and a pin without a device is never asserted,
 * so a guest that programs active-low on an unused pin gets no storm. */
#ifndef VMM_VIOAPIC_REGS_H
#define VMM_VIOAPIC_REGS_H
#include "core/lib.h"

#define VIOAPIC_NPINS      24
#define VIOAPIC_VERSION    0x11u            /* no EOI register: Linux clears
					     * remote IRR by toggling to edge */

/* MMIO offsets within the 4 KiB page. */
#define VIOAPIC_IOREGSEL   0x00
#define VIOAPIC_IOWIN      0x10

/* Registers selected through IOREGSEL. */
#define VIOAPIC_REG_ID     0x00
#define VIOAPIC_REG_VER    0x01
#define VIOAPIC_REG_ARB    0x02
#define VIOAPIC_REG_REDIR  0x10             /* + 2*pin (low), + 2*pin + 1 (high) */

/* Redirection entry bits (82093AA datasheet 3.2.4). */
#define VIOAPIC_RTE_VECTOR     0xffull
#define VIOAPIC_RTE_DELMODE    (7ull << 8)
#define VIOAPIC_RTE_DESTLOG    (1ull << 11)
#define VIOAPIC_RTE_DELIVS     (1ull << 12)  /* read-only, always 0 here */
#define VIOAPIC_RTE_POLLOW     (1ull << 13)
#define VIOAPIC_RTE_REMOTE_IRR (1ull << 14)  /* read-only */
#define VIOAPIC_RTE_LEVEL      (1ull << 15)
#define VIOAPIC_RTE_MASKED     (1ull << 16)
#define VIOAPIC_RTE_DEST_SHIFT 56
/* Bits the guest can write: everything above except the read-only ones. */
#define VIOAPIC_RTE_WRITABLE   (VIOAPIC_RTE_VECTOR | VIOAPIC_RTE_DELMODE | VIOAPIC_RTE_DESTLOG | \
				VIOAPIC_RTE_POLLOW | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED | \
				(0xffull << VIOAPIC_RTE_DEST_SHIFT))

/* One interrupt message for the local APICs (vlapic_deliver's arguments). */
struct vioapic_msg {
	uint32_t dest;
	bool logical;
	uint8_t mode;           /* 0 fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT */
	uint8_t vector;
	bool level;             /* level-triggered: the LAPIC reports its EOI back */
};

/* Messages produced by one operation (at most one per pin). */
struct vioapic_out {
	unsigned n;
	struct vioapic_msg msg[VIOAPIC_NPINS];
};

struct vioapic_regs {
	uint8_t id;             /* 4-bit APIC ID (register 0 bits 24-27) */
	uint8_t regsel;         /* IOREGSEL */
	uint32_t lines;         /* asserted input lines, bit per pin */
	uint64_t rte[VIOAPIC_NPINS];
	/* Statistics (host tests and debugging). */
	uint64_t delivered[VIOAPIC_NPINS];
};

/* Power-on state: every pin masked, edge, active high, vector 0. */
void vioapic_regs_init(struct vioapic_regs *s, uint8_t id);

/* 32-bit MMIO accesses at offset off of the page (other offsets read 0 and
 * ignore writes). A write may deliver (a level pin unmasked while asserted). */
uint32_t vioapic_regs_read(struct vioapic_regs *s, unsigned off);
void vioapic_regs_write(struct vioapic_regs *s, unsigned off, uint32_t val, struct vioapic_out *out);

/* Input line change. Edge pins deliver on a rising edge when unmasked;
 * level pins deliver while asserted, unmasked and remote IRR clear (and set
 * remote IRR). */
void vioapic_regs_set_line(struct vioapic_regs *s, unsigned pin, bool level, struct vioapic_out *out);

/* A local APIC EOIed this level-triggered vector: clear the remote IRR of
 * every level pin with that vector and deliver again where the line is still
 * asserted. */
void vioapic_regs_eoi(struct vioapic_regs *s, uint8_t vector, struct vioapic_out *out);

#endif
