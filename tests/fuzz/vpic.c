/* Fuzz target: the 8259A pair and ELCR register files (vmm/dev/vpic.c),
 * driven through both chips' ports (any chip number and port bit, as
 * vdev_pic_pio passes them) and the ELCR ports.
 * Input: operations of one opcode byte and one value byte.
 * Checks after every operation: the initialization sequence is in a
 * defined step (ready, or ICW2/3/4 next) and never expects ICW3 on a single
 * 8259 nor ICW4 when ICW1 said none; the vector base keeps its low three
 * bits clear; IRR and ISR stay empty (nothing is ever delivered) and so do
 * poll reads; the mask register reads back the last OCW1 written while
 * ready, and is cleared by ICW1; ELCR bits of the always-edge IRQs read 0. */
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/vpic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct vpic *p = malloc(sizeof(*p));
	uint8_t imr[2] = { 0xff, 0xff };

	vpic_init(p);
	for (unsigned ops = 0; fz_left(&f) && ops < 8192; ops++) {
		uint8_t op = fz_u8(&f), val = fz_u8(&f);
		unsigned chip = (op >> 1) & 3, a0 = op & 1, c = chip & 1;
		uint8_t step = p->chip[c].init_step;

		switch ((op >> 3) % 4) {
		case 0:
			vpic_write(p, chip, a0, val);
			if (!a0 && (val & 0x10))
				imr[c] = 0;
			else if (a0 && step == 0)
				imr[c] = val;
			break;
		case 1: {
			bool poll = p->chip[c].poll;
			uint8_t v = vpic_read(p, chip, a0);
			if (a0)
				FUZZ_CHECK(v == imr[c], "chip %u: IMR read 0x%02x, last written 0x%02x", c, v, imr[c]);
			else
				FUZZ_CHECK(v == 0, "chip %u: %s read 0x%02x with nothing delivered", c,
					   poll ? "poll" : "IRR/ISR", v);
			FUZZ_CHECK(a0 || !p->chip[c].poll, "poll mode survives a port-0 read");
			break;
		}
		case 2:
			vpic_elcr_write(p, chip, val);
			break;
		default: {
			uint8_t v = vpic_elcr_read(p, chip);
			FUZZ_CHECK(!(v & (c ? 0x21 : 0x07)), "ELCR%u 0x%02x marks an edge-only IRQ level", c, v);
			break;
		}
		}
		for (unsigned i = 0; i < 2; i++) {
			const struct vpic_chip *ch = &p->chip[i];
			FUZZ_CHECK(ch->init_step == 0 || (ch->init_step >= 2 && ch->init_step <= 4),
				   "chip %u: init step %u", i, ch->init_step);
			FUZZ_CHECK(ch->init_step != 3 || !ch->single, "chip %u: ICW3 expected in single mode", i);
			FUZZ_CHECK(ch->init_step != 4 || ch->need_icw4, "chip %u: ICW4 expected but not announced", i);
			FUZZ_CHECK(!(ch->vector_base & 7), "chip %u: vector base 0x%02x", i, ch->vector_base);
			FUZZ_CHECK(!ch->irr && !ch->isr, "chip %u: IRR 0x%02x ISR 0x%02x", i, ch->irr, ch->isr);
			FUZZ_CHECK(ch->imr == imr[i], "chip %u: IMR 0x%02x, expected 0x%02x", i, ch->imr, imr[i]);
		}
	}
	free(p);
	return 0;
}
