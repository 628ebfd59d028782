/* vmm/vioapic_regs.c: the I/O APIC's registers, redirection entries, edge
 * and level delivery, remote IRR and EOI, as Linux programs them. */
#include "vmm/dev/vioapic_regs.h"
#include "tests/unit/check.h"

static struct vioapic_regs s;
static struct vioapic_out out;

static uint32_t rd(unsigned reg)
{
	vioapic_regs_write(&s, VIOAPIC_IOREGSEL, reg, &out);
	return vioapic_regs_read(&s, VIOAPIC_IOWIN);
}

static void wr(unsigned reg, uint32_t val)
{
	vioapic_regs_write(&s, VIOAPIC_IOREGSEL, reg, &out);
	vioapic_regs_write(&s, VIOAPIC_IOWIN, val, &out);
}

static void rte(unsigned pin, uint64_t v)
{
	/* Linux writes the high half first, then the low half. */
	wr(VIOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(v >> 32));
	wr(VIOAPIC_REG_REDIR + 2 * pin, (uint32_t)v);
}

static uint64_t rte_rd(unsigned pin)
{
	return rd(VIOAPIC_REG_REDIR + 2 * pin) | (uint64_t)rd(VIOAPIC_REG_REDIR + 2 * pin + 1) << 32;
}

static void line(unsigned pin, bool lvl)
{
	vioapic_regs_set_line(&s, pin, lvl, &out);
}

static void test_ids(void)
{
	vioapic_regs_init(&s, 4);
	out.n = 0;
	CHECK_EQ(rd(VIOAPIC_REG_VER), 0x00170011);
	CHECK_EQ(rd(VIOAPIC_REG_ID), 4u << 24);
	CHECK_EQ(rd(VIOAPIC_REG_ARB), 4u << 24);
	wr(VIOAPIC_REG_ID, 9u << 24);
	CHECK_EQ(rd(VIOAPIC_REG_ID), 9u << 24);
	wr(VIOAPIC_REG_VER, 0);                         /* read-only */
	CHECK_EQ(rd(VIOAPIC_REG_VER), 0x00170011);
	CHECK_EQ(vioapic_regs_read(&s, VIOAPIC_IOREGSEL), VIOAPIC_REG_VER);
	CHECK_EQ(rd(0x40), 0);                          /* past the table */
	CHECK_EQ(rd(0xff), 0);
	for (unsigned p = 0; p < VIOAPIC_NPINS; p++)
		CHECK_EQ(rte_rd(p), VIOAPIC_RTE_MASKED);
	CHECK_EQ(vioapic_regs_read(&s, 0x20), 0);       /* no EOI register in v0x11 */
	CHECK_EQ(out.n, 0);
}

static void test_rte_bits(void)
{
	vioapic_regs_init(&s, 0);
	out.n = 0;
	/* Read-only delivery status and remote IRR; reserved bits 17-55. */
	rte(3, 0xffffffffffffffffull);
	uint64_t v = rte_rd(3);
	CHECK_EQ(v, VIOAPIC_RTE_WRITABLE);
	CHECK(!(v & VIOAPIC_RTE_DELIVS) && !(v & VIOAPIC_RTE_REMOTE_IRR));
	rte(3, 0x00ffffff00000000ull | VIOAPIC_RTE_MASKED);
	CHECK_EQ(rte_rd(3), VIOAPIC_RTE_MASKED);
	CHECK_EQ(out.n, 0);
}

static void test_edge(void)
{
	vioapic_regs_init(&s, 0);
	out.n = 0;
	/* Masked: edges are lost. */
	line(2, true);
	line(2, false);
	CHECK_EQ(out.n, 0);
	/* IRQ0 via GSI 2: vector 0x30, fixed, physical, to APIC 1. */
	rte(2, 0x30 | 1ull << 56);
	CHECK_EQ(out.n, 0);                             /* unmasking an edge pin sends nothing */
	line(2, true);
	CHECK_EQ(out.n, 1);
	CHECK_EQ(out.msg[0].vector, 0x30);
	CHECK_EQ(out.msg[0].dest, 1);
	CHECK(!out.msg[0].logical);
	CHECK_EQ(out.msg[0].mode, 0);
	CHECK(!out.msg[0].level);
	line(2, true);                                  /* no new edge */
	CHECK_EQ(out.n, 1);
	line(2, false);
	line(2, true);
	CHECK_EQ(out.n, 2);
	line(2, false);
	CHECK_EQ(s.delivered[2], 2);
	CHECK(!(rte_rd(2) & VIOAPIC_RTE_REMOTE_IRR));
	/* An EOI of the vector changes nothing for an edge pin. */
	out.n = 0;
	vioapic_regs_eoi(&s, 0x30, &out);
	CHECK_EQ(out.n, 0);
	/* Logical, lowest priority. */
	rte(4, 0x34 | 1ull << 8 | VIOAPIC_RTE_DESTLOG | 0x0full << 56);
	line(4, true);
	CHECK_EQ(out.n, 1);
	CHECK(out.msg[0].logical);
	CHECK_EQ(out.msg[0].mode, 1);
	CHECK_EQ(out.msg[0].dest, 0x0f);
	/* Out-of-range pins are ignored. */
	line(24, true);
	line(200, true);
	CHECK_EQ(out.n, 1);
}

static void test_level(void)
{
	vioapic_regs_init(&s, 0);
	out.n = 0;
	/* SCI: GSI 9 level, active high, vector 0x41. */
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL);
	line(9, true);
	CHECK_EQ(out.n, 1);
	CHECK(out.msg[0].level);
	CHECK(rte_rd(9) & VIOAPIC_RTE_REMOTE_IRR);
	/* Still asserted, remote IRR set: nothing more. */
	line(9, true);
	CHECK_EQ(out.n, 1);
	/* EOI with the line still high: delivered again. */
	vioapic_regs_eoi(&s, 0x41, &out);
	CHECK_EQ(out.n, 2);
	CHECK(rte_rd(9) & VIOAPIC_RTE_REMOTE_IRR);
	/* Another vector's EOI: nothing. */
	vioapic_regs_eoi(&s, 0x42, &out);
	CHECK_EQ(out.n, 2);
	/* Line drops, EOI: remote IRR clear, nothing sent. */
	line(9, false);
	vioapic_regs_eoi(&s, 0x41, &out);
	CHECK_EQ(out.n, 2);
	CHECK(!(rte_rd(9) & VIOAPIC_RTE_REMOTE_IRR));
	/* Masked while asserted: nothing, then delivered at unmask. */
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	line(9, true);
	CHECK_EQ(out.n, 2);
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(out.n, 3);
	/* Remote IRR survives rewrites of a level entry (mask, unmask)... */
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	CHECK(rte_rd(9) & VIOAPIC_RTE_REMOTE_IRR);
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(out.n, 3);
	/* ...and Linux's trick without an EOI register clears it: switch to
	 * edge (masked) and back to level. The line is still high, so the
	 * return to level delivers again. */
	rte(9, 0x41 | VIOAPIC_RTE_MASKED);
	CHECK(!(rte_rd(9) & VIOAPIC_RTE_REMOTE_IRR));
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_MASKED);
	CHECK_EQ(out.n, 3);
	rte(9, 0x41 | VIOAPIC_RTE_LEVEL);
	CHECK_EQ(out.n, 4);
	/* Two level pins sharing a vector: one EOI serves both. */
	vioapic_regs_init(&s, 0);
	out.n = 0;
	rte(10, 0x50 | VIOAPIC_RTE_LEVEL);
	rte(11, 0x50 | VIOAPIC_RTE_LEVEL);
	line(10, true);
	line(11, true);
	CHECK_EQ(out.n, 2);
	line(10, false);
	vioapic_regs_eoi(&s, 0x50, &out);
	CHECK_EQ(out.n, 3);                             /* pin 11 only */
	CHECK(!(rte_rd(10) & VIOAPIC_RTE_REMOTE_IRR));
	CHECK(rte_rd(11) & VIOAPIC_RTE_REMOTE_IRR);
	/* Polarity is stored, but an idle pin programmed active-low is not
	 * an asserted one. */
	rte(20, 0x60 | VIOAPIC_RTE_LEVEL | VIOAPIC_RTE_POLLOW);
	CHECK_EQ(out.n, 3);
	CHECK(rte_rd(20) & VIOAPIC_RTE_POLLOW);
}

static void test_nmi(void)
{
	vioapic_regs_init(&s, 0);
	out.n = 0;
	/* NMI delivery with the level bit: sent as an edge, no remote IRR. */
	rte(5, 4ull << 8 | VIOAPIC_RTE_LEVEL);
	line(5, true);
	CHECK_EQ(out.n, 1);
	CHECK_EQ(out.msg[0].mode, 4);
	CHECK(!out.msg[0].level);
	CHECK(!(rte_rd(5) & VIOAPIC_RTE_REMOTE_IRR));
	line(5, true);
	CHECK_EQ(out.n, 1);
}

/* Delivery modes 3 and 6 are reserved on the 82093AA: such an entry sends
 * nothing (mode 6 would otherwise reach the LAPICs as a start-up IPI and
 * start an AP in wait-for-SIPI: issue 14, defect 4). */
static void test_reserved_modes(void)
{
	static const unsigned modes[] = { 3, 6 };
	for (unsigned i = 0; i < 2; i++) {
		vioapic_regs_init(&s, 0);
		out.n = 0;
		rte(2, (uint64_t)modes[i] << 8 | 0x08 | 1ull << VIOAPIC_RTE_DEST_SHIFT);
		line(2, true);
		line(2, false);
		CHECK_EQ(out.n, 0);
		CHECK_EQ(s.delivered[2], 0);
		/* As level: no message and no remote IRR either. */
		rte(3, (uint64_t)modes[i] << 8 | 0x30 | VIOAPIC_RTE_LEVEL);
		line(3, true);
		CHECK_EQ(out.n, 0);
		CHECK(!(rte_rd(3) & VIOAPIC_RTE_REMOTE_IRR));
	}
	/* The modes that exist still send: fixed, lowest, SMI, NMI, INIT, ExtINT. */
	static const unsigned ok[] = { 0, 1, 2, 4, 5, 7 };
	vioapic_regs_init(&s, 0);
	out.n = 0;
	for (unsigned i = 0; i < 6; i++) {
		rte(4, (uint64_t)ok[i] << 8 | 0x40);
		line(4, true);
		line(4, false);
		CHECK_EQ(out.n, i + 1);
		CHECK_EQ(out.msg[i].mode, ok[i]);
	}
}

int main(void)
{
	test_ids();
	test_rte_bits();
	test_edge();
	test_level();
	test_nmi();
	test_reserved_modes();
	return check_done("test_vioapic");
}
