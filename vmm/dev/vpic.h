/* The two 8259A interrupt controllers (master 0x20/0x21, slave 0xA0/0xA1)
 * and the edge/level control registers (ELCR, 0x4D0/0x4D1), as register
 * files only: pure, host-tested (tests/unit/test_vpic.c).
 *
 * The PICs never deliver an interrupt. The MADT describes an I/O APIC with
 * every ISA IRQ routed to it, so a guest that uses the I/O APIC (Linux
 * always does here) programs and then masks the 8259s; their registers only
 * have to behave: the initialization words are accepted, the mask register
 * reads back what was written (Linux probes the PIC by writing 0xfb to 0x21
 * and reading it back: "Using NULL legacy PIC" otherwise), and IRR/ISR
 * (OCW3) and poll reads say "nothing pending". A guest that relies on the
 * 8259 for interrupts (no I/O APIC, or the timer through ExtINT) gets none. */
#ifndef VMM_VPIC_H
#define VMM_VPIC_H
#include "core/lib.h"

struct vpic_chip {
	uint8_t imr, irr, isr;
	uint8_t init_step;      /* 0 ready, 2/3/4: ICW2/3/4 expected next */
	bool need_icw4, single;
	uint8_t vector_base, icw3, icw4;
	bool read_isr;          /* OCW3 RR/RIS: port 0 reads ISR (else IRR) */
	bool poll;              /* OCW3 poll: the next port-0 read is the poll byte */
	bool special_mask;
	uint8_t elcr;
};

struct vpic {
	struct vpic_chip chip[2];       /* 0 master, 1 slave */
};

void vpic_init(struct vpic *p);
/* chip 0/1, a0 = port bit 0. */
uint8_t vpic_read(struct vpic *p, unsigned chip, unsigned a0);
void vpic_write(struct vpic *p, unsigned chip, unsigned a0, uint8_t val);
/* ELCR 0x4D0 (chip 0) / 0x4D1 (chip 1). IRQ 0, 1, 2, 8 and 13 are always
 * edge on PC chipsets: those bits read 0. */
uint8_t vpic_elcr_read(const struct vpic *p, unsigned chip);
void vpic_elcr_write(struct vpic *p, unsigned chip, uint8_t val);

#endif
