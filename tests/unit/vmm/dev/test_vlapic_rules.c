/* Host tests for vmm/dev/vlapic_rules.c: the x2APIC access rules of SDM
 * 11.12.1 and the timer arithmetic a guest must not turn into a hang. */
#include "tests/unit/check.h"
#include "vmm/dev/vlapic_rules.h"

#define X2(msr) (((msr) - 0x800u) << 4)

static void test_divisor(void)
{
	/* SDM Figure 11-10: 000 = 2, 001 = 4, 010 = 8, 011 = 16, 100 = 32,
	 * 101 = 64, 110 = 128, 111 = 1 (bit 2 of the code is register bit 3). */
	static const struct { uint32_t tdcr; uint64_t div; } t[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_EQ(vlapic_divisor(t[i].tdcr), t[i].div);
	CHECK_EQ(vlapic_divisor(0xfffffff4), 2);        /* other bits ignored */
}

static void test_period(void)
{
	/* Count 1, divide by 1, periodic: 1 ns asked, the floor given (the
	 * whole-machine hang of issue 14, defect 1). */
	CHECK_EQ(vlapic_period_ns(1, 1, true), VLAPIC_MIN_PERIOD_NS);
	CHECK_EQ(vlapic_period_ns(0, 1, true), VLAPIC_MIN_PERIOD_NS);
	CHECK_EQ(vlapic_period_ns(99999, 1, true), VLAPIC_MIN_PERIOD_NS);
	CHECK_EQ(vlapic_period_ns(100001, 1, true), 100001);
	CHECK_EQ(vlapic_period_ns(100000, 16, true), 1600000);
	/* One-shot: exactly what was asked (the guest pays an exit per arm). */
	CHECK_EQ(vlapic_period_ns(1, 1, false), 1);
	/* The largest count and divisor do not overflow. */
	CHECK_EQ(vlapic_period_ns(0xffffffffu, 128, true), 0xffffffffull * 128);
	/* Missed periods are skipped, not replayed. */
	CHECK_EQ(vlapic_next_period(1000, 100, 1050), 1100);
	CHECK_EQ(vlapic_next_period(1000, 100, 1100), 1200);
	CHECK_EQ(vlapic_next_period(1000, 100, 5000), 5100);
	/* The count read back never exceeds the programmed count. */
	CHECK_EQ(vlapic_current_count(VLAPIC_MIN_PERIOD_NS, 1, 1), 1);
	CHECK_EQ(vlapic_current_count(1600, 16, 1000), 100);
	CHECK_EQ(vlapic_current_count(0, 16, 1000), 0);
}

static void test_x2apic(void)
{
	/* Read-only registers: readable, any write faults. */
	static const unsigned ro[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810, 0x817, 0x818,
				       0x81f, 0x820, 0x827, 0x839 };
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		CHECK(vlapic_x2apic_access_ok(X2(ro[i]), false, 0));
		CHECK(!vlapic_x2apic_access_ok(X2(ro[i]), true, 0));
	}
	/* No register: 0x800-0x801, 0x804-0x807, APR 0x809, 0x80c, DFR 0x80e,
	 * 0x829-0x82e, ICR2 0x831, 0x83a-0x83d. */
	static const unsigned none[] = { 0x800, 0x801, 0x804, 0x807, 0x809, 0x80c, 0x80e,
					 0x829, 0x82e, 0x831, 0x83a, 0x83d, 0x840, 0x8ff };
	for (unsigned i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		CHECK(!vlapic_x2apic_access_ok(X2(none[i]), false, 0));
		CHECK(!vlapic_x2apic_access_ok(X2(none[i]), true, 0));
	}
	/* EOI: write-only, zero only. Self IPI: write-only, vector only. */
	CHECK(vlapic_x2apic_access_ok(X2(0x80b), true, 0));
	CHECK(!vlapic_x2apic_access_ok(X2(0x80b), true, 1));
	CHECK(!vlapic_x2apic_access_ok(X2(0x80b), true, 1ull << 32));
	CHECK(!vlapic_x2apic_access_ok(X2(0x80b), false, 0));
	CHECK(vlapic_x2apic_access_ok(X2(0x83f), true, 0xff));
	CHECK(!vlapic_x2apic_access_ok(X2(0x83f), true, 0x100));
	CHECK(!vlapic_x2apic_access_ok(X2(0x83f), false, 0));
	/* ESR: readable, only zero written. */
	CHECK(vlapic_x2apic_access_ok(X2(0x828), false, 0));
	CHECK(vlapic_x2apic_access_ok(X2(0x828), true, 0));
	CHECK(!vlapic_x2apic_access_ok(X2(0x828), true, 0x40));
	/* Reserved bits. */
	CHECK(vlapic_x2apic_access_ok(X2(0x808), true, 0xff));
	CHECK(!vlapic_x2apic_access_ok(X2(0x808), true, 0x100));
	CHECK(vlapic_x2apic_access_ok(X2(0x80f), true, 0x1ff));
	CHECK(!vlapic_x2apic_access_ok(X2(0x80f), true, 0x1000));    /* no EOI suppression */
	CHECK(vlapic_x2apic_access_ok(X2(0x832), true, 0x400ef));    /* TSC-deadline, vector */
	CHECK(vlapic_x2apic_access_ok(X2(0x832), true, 0x10000));
	CHECK(!vlapic_x2apic_access_ok(X2(0x832), true, 0x2ef));     /* delivery mode bit */
	CHECK(vlapic_x2apic_access_ok(X2(0x835), true, 0x1a7ff));
	CHECK(!vlapic_x2apic_access_ok(X2(0x835), true, 0x4000));    /* remote IRR */
	CHECK(vlapic_x2apic_access_ok(X2(0x837), true, 0x100fe));
	CHECK(!vlapic_x2apic_access_ok(X2(0x837), true, 0x400));
	CHECK(vlapic_x2apic_access_ok(X2(0x838), true, 0xffffffff));
	CHECK(!vlapic_x2apic_access_ok(X2(0x838), true, 1ull << 32));
	CHECK(vlapic_x2apic_access_ok(X2(0x83e), true, 0xb));
	CHECK(!vlapic_x2apic_access_ok(X2(0x83e), true, 0x4));
	/* ICR: 64 bits with the destination in 63:32; 12, 13, 16-17, 20-31 reserved. */
	CHECK(vlapic_x2apic_access_ok(X2(0x830), true, 0xffffffff000ccfffull));
	CHECK(!vlapic_x2apic_access_ok(X2(0x830), true, 1ull << 12));
	CHECK(!vlapic_x2apic_access_ok(X2(0x830), true, 1ull << 13));
	CHECK(!vlapic_x2apic_access_ok(X2(0x830), true, 1ull << 16));
	CHECK(!vlapic_x2apic_access_ok(X2(0x830), true, 1ull << 20));
	CHECK(!vlapic_x2apic_access_ok(X2(0x830), true, 1ull << 31));
	CHECK(vlapic_x2apic_access_ok(X2(0x830), false, 0));
}

int main(void)
{
	test_divisor();
	test_period();
	test_x2apic();
	return check_done("test_vlapic_rules");
}
