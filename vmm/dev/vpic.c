/* 8259A register files (Intel 8259A datasheet: ICW1-4, OCW1-3). Pure;
 * see vpic.h for why nothing is ever delivered. */
#include "vmm/dev/vpic.h"

#define ELCR0_MASK 0xf8         /* IRQ 0-2 edge only */
#define ELCR1_MASK 0xde         /* IRQ 8 and 13 edge only */

void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	/* Before any initialization everything is masked, as a BIOS leaves
	 * it: nothing could be delivered anyway. */
	p->chip[0].imr = p->chip[1].imr = 0xff;
}

uint8_t vpic_read(struct vpic *p, unsigned chip, unsigned a0)
{
	struct vpic_chip *c = &p->chip[chip & 1];
	if (a0)
		return c->imr;
	if (c->poll) {
		/* Poll byte: bit 7 = an interrupt is pending; none ever is. */
		c->poll = false;
		return 0;
	}
	return c->read_isr ? c->isr : c->irr;
}

static void eoi(struct vpic_chip *c, uint8_t ocw2)
{
	unsigned cmd = ocw2 >> 5;
	if (cmd == 1 || cmd == 5) {                     /* non-specific EOI */
		for (unsigned i = 0; i < 8; i++)
			if (c->isr & (1u << i)) {
				c->isr &= (uint8_t)~(1u << i);
				break;
			}
	} else if (cmd == 3 || cmd == 7) {              /* specific EOI */
		c->isr &= (uint8_t)~(1u << (ocw2 & 7));
	}
	/* Rotation and priority commands change nothing observable here. */
}

void vpic_write(struct vpic *p, unsigned chip, unsigned a0, uint8_t val)
{
	struct vpic_chip *c = &p->chip[chip & 1];
	if (!a0) {
		if (val & 0x10) {
			/* ICW1 starts initialization: the mask is cleared, IRR
			 * is selected for reads, special mask mode ends. */
			c->need_icw4 = val & 0x01;
			c->single = val & 0x02;
			c->imr = c->irr = c->isr = 0;
			c->read_isr = c->poll = c->special_mask = false;
			c->icw4 = 0;
			c->init_step = 2;
		} else if (val & 0x08) {                /* OCW3 */
			if (val & 0x02)
				c->read_isr = val & 0x01;
			c->poll = val & 0x04;
			if (val & 0x40)
				c->special_mask = val & 0x20;
		} else {                                /* OCW2 */
			eoi(c, val);
		}
		return;
	}
	switch (c->init_step) {
	case 2:
		c->vector_base = val & 0xf8;
		c->init_step = c->single ? (c->need_icw4 ? 4 : 0) : 3;
		break;
	case 3:
		c->icw3 = val;
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->icw4 = val;
		c->init_step = 0;
		break;
	default:
		c->imr = val;                           /* OCW1 */
		break;
	}
}

uint8_t vpic_elcr_read(const struct vpic *p, unsigned chip)
{
	return p->chip[chip & 1].elcr;
}

void vpic_elcr_write(struct vpic *p, unsigned chip, uint8_t val)
{
	p->chip[chip & 1].elcr = val & (chip & 1 ? ELCR1_MASK : ELCR0_MASK);
}
