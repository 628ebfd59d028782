/* vmm/vpic.c: the 8259 pair and ELCR accept what Linux writes and read back
 * what Linux checks; nothing is ever pending. */
#include "vmm/dev/vpic.h"
#include "tests/unit/check.h"

int main(void)
{
	struct vpic p;
	vpic_init(&p);
	CHECK_EQ(vpic_read(&p, 0, 1), 0xff);
	CHECK_EQ(vpic_read(&p, 1, 1), 0xff);
	/* Linux's probe_8259A: mask the slave, write 0xfb to the master's
	 * IMR and read it back. */
	vpic_write(&p, 1, 1, 0xff);
	vpic_write(&p, 0, 1, 0xfb);
	CHECK_EQ(vpic_read(&p, 0, 1), 0xfb);
	/* init_8259A: ICW1 0x11, ICW2 vector base, ICW3 cascade, ICW4 8086. */
	vpic_write(&p, 0, 0, 0x11);
	CHECK_EQ(vpic_read(&p, 0, 1), 0x00);            /* ICW1 clears the mask */
	vpic_write(&p, 0, 1, 0x30);
	vpic_write(&p, 0, 1, 0x04);
	vpic_write(&p, 0, 1, 0x01);
	CHECK_EQ(p.chip[0].init_step, 0);
	CHECK_EQ(p.chip[0].vector_base, 0x30);
	CHECK_EQ(p.chip[0].icw3, 0x04);
	CHECK_EQ(p.chip[0].icw4, 0x01);
	vpic_write(&p, 1, 0, 0x11);
	vpic_write(&p, 1, 1, 0x38);
	vpic_write(&p, 1, 1, 0x02);
	vpic_write(&p, 1, 1, 0x03);                     /* auto-EOI (check_timer) */
	CHECK_EQ(p.chip[1].vector_base, 0x38);
	CHECK_EQ(p.chip[1].icw4, 0x03);
	/* After initialization A0=1 writes are OCW1 again. */
	vpic_write(&p, 0, 1, 0xff);
	vpic_write(&p, 1, 1, 0xff);
	CHECK_EQ(vpic_read(&p, 0, 1), 0xff);
	CHECK_EQ(vpic_read(&p, 1, 1), 0xff);
	CHECK_EQ(p.chip[0].init_step, 0);
	/* ICW1 without ICW4, single: ICW2 ends the sequence. */
	vpic_write(&p, 1, 0, 0x12);
	vpic_write(&p, 1, 1, 0x70);
	CHECK_EQ(p.chip[1].init_step, 0);
	vpic_write(&p, 1, 1, 0x5a);
	CHECK_EQ(vpic_read(&p, 1, 1), 0x5a);
	/* OCW3: IRR (default) and ISR reads, poll: all empty. */
	CHECK_EQ(vpic_read(&p, 0, 0), 0);
	vpic_write(&p, 0, 0, 0x0b);
	CHECK(p.chip[0].read_isr);
	CHECK_EQ(vpic_read(&p, 0, 0), 0);
	vpic_write(&p, 0, 0, 0x0a);
	CHECK(!p.chip[0].read_isr);
	vpic_write(&p, 0, 0, 0x0c);
	CHECK_EQ(vpic_read(&p, 0, 0), 0);               /* poll: no interrupt */
	CHECK(!p.chip[0].poll);
	/* OCW2 EOIs are accepted; the mask is untouched. */
	vpic_write(&p, 0, 0, 0x20);
	vpic_write(&p, 0, 0, 0x62);
	CHECK_EQ(vpic_read(&p, 0, 1), 0xff);
	/* Special mask mode set and reset by OCW3. */
	vpic_write(&p, 0, 0, 0x68);
	CHECK(p.chip[0].special_mask);
	vpic_write(&p, 0, 0, 0x48);
	CHECK(!p.chip[0].special_mask);
	/* ELCR: Linux sets IRQ 9 (SCI) level; IRQ 0-2, 8, 13 stay edge. */
	CHECK_EQ(vpic_elcr_read(&p, 0), 0);
	vpic_elcr_write(&p, 1, 0x02);
	CHECK_EQ(vpic_elcr_read(&p, 1), 0x02);
	vpic_elcr_write(&p, 0, 0xff);
	vpic_elcr_write(&p, 1, 0xff);
	CHECK_EQ(vpic_elcr_read(&p, 0), 0xf8);
	CHECK_EQ(vpic_elcr_read(&p, 1), 0xde);
	return check_done("test_vpic");
}
