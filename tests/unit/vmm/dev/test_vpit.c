/* vmm/vpit_calc.c: 8254 counter math on a nanosecond clock, driven the way
 * Linux drives it (periodic tick, one-shot shutdown, channel-2 calibration
 * through port 0x61's gate and OUT2). */
#include "vmm/dev/vpit_calc.h"
#include "tests/unit/check.h"

#define T0 5000000000ull               /* an arbitrary start: 5 s after boot */

static uint64_t at(uint64_t ticks) { return T0 + pit_ticks_to_ns(ticks); }

static void prog(struct pit_chan *c, uint8_t cw, uint16_t count, uint64_t now)
{
	pit_chan_control(c, cw, now);
	if (((cw >> 4) & 3) == 3) {
		CHECK(!pit_chan_write(c, (uint8_t)count, now));
		CHECK(pit_chan_write(c, (uint8_t)(count >> 8), now));
	} else {
		CHECK(pit_chan_write(c, (uint8_t)(((cw >> 4) & 3) == 2 ? count >> 8 : count), now));
	}
}

static uint16_t read16(struct pit_chan *c, uint64_t now)
{
	uint8_t lo = pit_chan_read(c, now);
	return (uint16_t)(lo | pit_chan_read(c, now) << 8);
}

static void test_conversions(void)
{
	CHECK_EQ(pit_ns_to_ticks(0), 0);
	CHECK_EQ(pit_ns_to_ticks(1000000000ull), PIT_HZ);
	CHECK_EQ(pit_ticks_to_ns(PIT_HZ), 1000000000ull);
	CHECK_EQ(pit_ticks_to_ns(1), 839);              /* 838.095 ns, rounded up */
	CHECK_EQ(pit_ns_to_ticks(838), 0);
	CHECK_EQ(pit_ns_to_ticks(839), 1);
	/* ticks_to_ns is the first ns at which that many ticks have passed. */
	for (uint64_t t = 0; t < 3000000; t += 997) {
		uint64_t ns = pit_ticks_to_ns(t);
		CHECK(pit_ns_to_ticks(ns) == t);
		if (t)
			CHECK(pit_ns_to_ticks(ns - 1) == t - 1);
	}
	/* Ten years of uptime do not overflow. */
	uint64_t ten_years = 315360000ull * 1000000000ull;
	CHECK_EQ(pit_ns_to_ticks(ten_years), 315360000ull * PIT_HZ);
	CHECK_EQ(pit_ticks_to_ns(315360000ull * PIT_HZ), ten_years);
}

static void test_mode2_periodic(void)
{
	struct pit_chan c;
	pit_chan_init(&c, true);
	CHECK(!c.running);
	CHECK_EQ(pit_chan_next_edge(&c, T0), 0);
	/* Linux's pit_set_periodic: 0x34, LATCH for HZ=250 = 4773. */
	prog(&c, 0x34, 4773, T0);
	CHECK(c.running);
	CHECK_EQ(pit_chan_count(&c, T0), 4773);
	CHECK(pit_chan_out(&c, T0));
	CHECK_EQ(pit_chan_count(&c, at(100)), 4673);
	CHECK_EQ(pit_chan_count(&c, at(4772)), 1);
	CHECK(!pit_chan_out(&c, at(4772)));             /* low for the last tick */
	CHECK_EQ(pit_chan_count(&c, at(4773)), 4773);   /* reloaded */
	CHECK(pit_chan_out(&c, at(4773)));
	/* Rising edges at every period: about 4 ms apart. */
	uint64_t e1 = pit_chan_next_edge(&c, T0);
	CHECK_EQ(e1, at(4773));
	uint64_t e2 = pit_chan_next_edge(&c, e1);
	CHECK_EQ(e2, at(2 * 4773));
	CHECK(e2 - e1 > 3999000 && e2 - e1 < 4001000);
	CHECK_EQ(pit_chan_next_edge(&c, e1 - 1), e1);
	/* Far later: still on the period grid. */
	uint64_t late = at(1000 * 4773 + 17);
	CHECK_EQ(pit_chan_next_edge(&c, late), at(1001 * 4773));
	/* Status by read-back: OUT high, count loaded, lohi, mode 2. */
	pit_chan_readback(&c, false, true, at(10));
	CHECK_EQ(pit_chan_read(&c, at(10)), 0x80 | 3 << 4 | 2 << 1);
	/* Mode 6 behaves as 2 but reads back as 6. */
	prog(&c, 0x3c, 100, T0);
	CHECK_EQ(c.mode, 2);
	pit_chan_readback(&c, false, true, T0);
	CHECK_EQ(pit_chan_read(&c, T0) & 0x0e, 6 << 1);
	CHECK_EQ(pit_chan_next_edge(&c, T0), at(100));
	/* Count 1 is illegal in mode 2: treated as 2, never a zero period. */
	prog(&c, 0x34, 1, T0);
	CHECK_EQ(pit_chan_next_edge(&c, T0), at(2));
}

static void test_mode3_square(void)
{
	struct pit_chan c;
	pit_chan_init(&c, true);
	prog(&c, 0x36, 1000, T0);
	CHECK(pit_chan_out(&c, at(0)));
	CHECK(pit_chan_out(&c, at(499)));
	CHECK(!pit_chan_out(&c, at(500)));
	CHECK(!pit_chan_out(&c, at(999)));
	CHECK(pit_chan_out(&c, at(1000)));
	CHECK_EQ(pit_chan_count(&c, at(0)), 1000);
	CHECK_EQ(pit_chan_count(&c, at(10)), 980);      /* down by two */
	CHECK_EQ(pit_chan_count(&c, at(510)), 980);
	CHECK_EQ(pit_chan_next_edge(&c, at(3)), at(1000));
	/* Odd count: high one tick longer than low. */
	prog(&c, 0x36, 5, T0);
	CHECK(pit_chan_out(&c, at(2)));
	CHECK(!pit_chan_out(&c, at(3)));
	CHECK(!pit_chan_out(&c, at(4)));
	CHECK(pit_chan_out(&c, at(5)));
}

static void test_mode0_oneshot(void)
{
	struct pit_chan c;
	pit_chan_init(&c, true);
	/* Linux's pit_shutdown: 0x30 then a zero count (65536). */
	pit_chan_control(&c, 0x30, T0);
	CHECK(!c.running);
	CHECK(!pit_chan_out(&c, T0));
	CHECK_EQ(pit_chan_next_edge(&c, T0), 0);        /* no count: no timer */
	CHECK(!pit_chan_write(&c, 0, T0));
	CHECK(pit_chan_write(&c, 0, T0));
	CHECK_EQ(pit_chan_count(&c, T0), 0);            /* 65536 reads as 0 */
	CHECK_EQ(pit_chan_count(&c, at(1)), 65535);
	CHECK(!pit_chan_out(&c, at(65535)));
	CHECK(pit_chan_out(&c, at(65536)));
	uint64_t e = pit_chan_next_edge(&c, T0);
	CHECK_EQ(e, at(65536));
	CHECK_EQ(pit_chan_next_edge(&c, e), 0);         /* exactly one interrupt */
	CHECK_EQ(pit_chan_next_edge(&c, e + 1000000000ull), 0);
	/* The count wraps on; OUT stays high. */
	CHECK_EQ(pit_chan_count(&c, at(65536 + 10)), 65526);
	CHECK(pit_chan_out(&c, at(3 * 65536 + 10)));
	/* Mode 0 with count N: OUT rises N ticks after the write. */
	prog(&c, 0x30, 100, T0);
	CHECK_EQ(pit_chan_next_edge(&c, T0), at(100));
	/* The first byte of a new count stops counting, OUT low. */
	CHECK(!pit_chan_write(&c, 50, at(10)));
	CHECK(!c.running);
	CHECK_EQ(pit_chan_next_edge(&c, at(10)), 0);
	CHECK(!pit_chan_out(&c, at(200)));
	CHECK(pit_chan_write(&c, 0, at(20)));
	CHECK_EQ(pit_chan_next_edge(&c, at(20)), at(20) + pit_ticks_to_ns(50));
	/* LSB-only access. */
	prog(&c, 0x10, 0x40, T0);
	CHECK_EQ(pit_chan_count(&c, T0), 0x40);
	CHECK_EQ(pit_chan_read(&c, at(1)), 0x3f);
	/* MSB-only access. */
	prog(&c, 0x20, 0x0200, T0);
	CHECK_EQ(pit_chan_count(&c, T0), 0x200);
	CHECK_EQ(pit_chan_read(&c, at(1)), 0x01);       /* 0x1ff: the MSB */
}

static void test_mode4_strobe(void)
{
	struct pit_chan c;
	pit_chan_init(&c, true);
	/* Linux's one-shot clockevent: 0x38, then a count per event. */
	prog(&c, 0x38, 1193, T0);
	CHECK(pit_chan_out(&c, at(1192)));
	CHECK(!pit_chan_out(&c, at(1193)));             /* one-tick strobe */
	CHECK(pit_chan_out(&c, at(1194)));
	uint64_t e = pit_chan_next_edge(&c, T0);
	CHECK_EQ(e, at(1194));
	CHECK_EQ(pit_chan_next_edge(&c, e), 0);
	CHECK(pit_chan_out(&c, at(1193 + 65536)));      /* no second strobe */
}

static void test_latch_and_reads(void)
{
	struct pit_chan c;
	pit_chan_init(&c, true);
	prog(&c, 0x34, 0x1234, T0);
	/* Counter latch: the value holds while time goes on. */
	pit_chan_latch(&c, at(0x34));
	CHECK_EQ(read16(&c, at(0x1000)), 0x1200);
	/* Unlatched again: live reads, LSB then MSB. */
	CHECK_EQ(read16(&c, at(0x200)), 0x1034);
	/* A second latch while one is pending is ignored. */
	pit_chan_latch(&c, at(1));
	pit_chan_latch(&c, at(2));
	CHECK_EQ(read16(&c, at(3)), 0x1233);
	/* Read-back of count and status: status first. */
	pit_chan_readback(&c, true, true, at(4));
	CHECK_EQ(pit_chan_read(&c, at(50)), 0x80 | 0x30 | 0x04);
	CHECK_EQ(read16(&c, at(50)), 0x1230);
	/* Null count from the control word to the count. */
	pit_chan_control(&c, 0x34, T0);
	pit_chan_readback(&c, false, true, T0);
	CHECK(pit_chan_read(&c, T0) & 0x40);
	CHECK(!pit_chan_write(&c, 0x10, T0));
	CHECK(pit_chan_write(&c, 0, T0));
	pit_chan_readback(&c, false, true, T0);
	CHECK(!(pit_chan_read(&c, T0) & 0x40));
	/* BCD: 0x1000 is one thousand ticks; reads are BCD. */
	prog(&c, 0x35, 0x1000, T0);
	CHECK_EQ(pit_chan_next_edge(&c, T0), at(1000));
	pit_chan_latch(&c, at(1));
	CHECK_EQ(read16(&c, at(1)), 0x0999);
	prog(&c, 0x31, 0x0000, T0);                    /* zero = 10000 in BCD */
	CHECK_EQ(pit_chan_next_edge(&c, T0), at(10000));
}

/* What Linux's PIT calibration (pit_calibrate_tsc, mach_countup in the PM
 * timer check, quick_pit_calibrate) does with channel 2. */
static void test_channel2_calibration(void)
{
	struct pit_chan c;
	pit_chan_init(&c, false);
	/* Gate low, counting programmed: waits. */
	prog(&c, 0xb0 & 0x3f, 11931, T0);
	CHECK(!c.running);
	CHECK(!pit_chan_out(&c, at(20000)));
	/* Gate high (port 0x61 bit 0), reprogram, poll OUT2. */
	pit_chan_set_gate(&c, true, T0);
	prog(&c, 0x30, 11931, T0);
	CHECK(!pit_chan_out(&c, at(11930)));
	CHECK(pit_chan_out(&c, at(11931)));
	/* quick_pit_calibrate: count from 0xffff, MSB read unlatched after a
	 * dummy LSB read, falling one every 256 ticks. */
	prog(&c, 0x30, 0xffff, T0);
	pit_chan_read(&c, at(0));
	CHECK_EQ(pit_chan_read(&c, at(1)), 0xff);
	for (unsigned i = 1; i < 50; i++) {
		uint64_t t = at(256ull * i + 1);
		pit_chan_read(&c, t);
		CHECK_EQ(pit_chan_read(&c, t), 0xff - i);
	}
	/* Gate low pauses a mode-0 count; high resumes it. */
	prog(&c, 0x30, 1000, T0);
	pit_chan_set_gate(&c, false, at(400));
	CHECK_EQ(pit_chan_count(&c, at(900)), 600);
	CHECK(!pit_chan_out(&c, at(5000)));
	pit_chan_set_gate(&c, true, at(5000));
	CHECK_EQ(pit_chan_count(&c, at(5100)), 500);
	/* (The tick grid restarts at the resume.) */
	CHECK(!pit_chan_out(&c, at(5000) + pit_ticks_to_ns(599)));
	CHECK(pit_chan_out(&c, at(5000) + pit_ticks_to_ns(600)));
	/* Already at terminal count when paused: OUT stays high. */
	pit_chan_set_gate(&c, false, at(6000));
	pit_chan_set_gate(&c, true, at(7000));
	CHECK(pit_chan_out(&c, at(7001)));
	CHECK_EQ(pit_chan_next_edge(&c, at(7001)), 0);
	/* Square wave for the speaker: gate low forces OUT high, high
	 * restarts the period. */
	prog(&c, 0x36, 100, T0);
	CHECK(!pit_chan_out(&c, at(60)));
	pit_chan_set_gate(&c, false, at(60));
	CHECK(pit_chan_out(&c, at(61)));
	pit_chan_set_gate(&c, true, at(1000));
	CHECK_EQ(pit_chan_count(&c, at(1000)), 100);
	CHECK_EQ(pit_chan_next_edge(&c, at(1000)), at(1000) + pit_ticks_to_ns(100));
	/* Mode 1: a rising gate triggers a one-shot, OUT low until TC. */
	pit_chan_set_gate(&c, false, T0);
	prog(&c, 0x32, 300, T0);
	CHECK(!c.running);
	CHECK(pit_chan_out(&c, T0));
	pit_chan_set_gate(&c, true, at(10));
	CHECK(!pit_chan_out(&c, at(11)));
	CHECK(pit_chan_out(&c, at(10) + pit_ticks_to_ns(300)));
	CHECK_EQ(pit_chan_next_edge(&c, at(11)), at(10) + pit_ticks_to_ns(300));
}

int main(void)
{
	test_conversions();
	test_mode2_periodic();
	test_mode3_square();
	test_mode0_oneshot();
	test_mode4_strobe();
	test_latch_and_reads();
	test_channel2_calibration();
	return check_done("test_vpit");
}
