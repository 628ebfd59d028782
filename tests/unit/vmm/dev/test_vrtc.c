/* vmm/vrtc.c and vmm/vacpi_pm.c: the CMOS clock's calendar, BCD/binary
 * and 12/24-hour encodings, UIP, time setting and memory-size bytes; the
 * ACPI PM timer and PM1 registers (S5 request). */
#include "vmm/dev/vrtc.h"
#include "vmm/dev/vacpi_pm.h"
#include "tests/unit/check.h"

#define S 1000000000ull

static uint8_t cmos(struct vrtc *r, uint8_t idx, uint64_t ns)
{
	vrtc_write(r, 0x70, idx, ns);
	return vrtc_read(r, 0x71, ns);
}

static void cmos_set(struct vrtc *r, uint8_t idx, uint8_t v, uint64_t ns)
{
	vrtc_write(r, 0x70, idx, ns);
	vrtc_write(r, 0x71, v, ns);
}

static void test_calendar(void)
{
	struct vrtc_tm tm;
	vrtc_time_to_tm(VRTC_EPOCH, &tm);
	CHECK(tm.year == 2026 && tm.mon == 1 && tm.mday == 1 && tm.hour == 0 && tm.min == 0 && tm.sec == 0);
	CHECK_EQ(tm.wday, 4);                           /* a Thursday */
	vrtc_time_to_tm(0, &tm);
	CHECK(tm.year == 1970 && tm.mon == 1 && tm.mday == 1 && tm.wday == 4);
	vrtc_time_to_tm(951782400, &tm);                /* 2000-02-29 */
	CHECK(tm.year == 2000 && tm.mon == 2 && tm.mday == 29 && tm.wday == 2);
	vrtc_time_to_tm(1735689599, &tm);               /* 2024-12-31 23:59:59 */
	CHECK(tm.year == 2024 && tm.mon == 12 && tm.mday == 31 && tm.hour == 23 &&
	      tm.min == 59 && tm.sec == 59 && tm.wday == 2);
	vrtc_time_to_tm(4107542400ull, &tm);            /* 2100-03-01: 2100 is not leap */
	CHECK(tm.year == 2100 && tm.mon == 3 && tm.mday == 1);
	for (uint64_t t = 0; t < 5000000000ull; t += 86400 * 7 + 3601) {
		vrtc_time_to_tm(t, &tm);
		CHECK(vrtc_tm_to_time(&tm) == t);
	}
}

static void test_registers(void)
{
	struct vrtc r;
	vrtc_init(&r, 64ull << 20);
	/* At VM start: 2026-01-01 00:00:00, BCD, 24 h. */
	CHECK_EQ(cmos(&r, 0x00, 0), 0x00);
	CHECK_EQ(cmos(&r, 0x02, 0), 0x00);
	CHECK_EQ(cmos(&r, 0x04, 0), 0x00);
	CHECK_EQ(cmos(&r, 0x06, 0), 5);                 /* Thursday: 1 = Sunday */
	CHECK_EQ(cmos(&r, 0x07, 0), 0x01);
	CHECK_EQ(cmos(&r, 0x08, 0), 0x01);
	CHECK_EQ(cmos(&r, 0x09, 0), 0x26);
	CHECK_EQ(cmos(&r, 0x32, 0), 0x20);
	CHECK_EQ(cmos(&r, 0x0a, 0), 0x26);
	CHECK_EQ(cmos(&r, 0x0b, 0), 0x02);
	CHECK_EQ(cmos(&r, 0x0c, 0), 0x00);
	CHECK_EQ(cmos(&r, 0x0d, 0), 0x80);
	/* NMI-disable bit: index still 0x0d. */
	CHECK_EQ(cmos(&r, 0x8d, 0), 0x80);
	CHECK(r.nmi_disabled);
	CHECK_EQ(vrtc_read(&r, 0x70, 0), 0xff);
	/* The VM's time runs the clock: 13:59:58.5 on day one. */
	uint64_t ns = (13 * 3600 + 59 * 60 + 58) * S + S / 2;
	CHECK_EQ(cmos(&r, 0x04, ns), 0x13);
	CHECK_EQ(cmos(&r, 0x02, ns), 0x59);
	CHECK_EQ(cmos(&r, 0x00, ns), 0x58);
	/* UIP: set in the last 244 us of each second only. */
	CHECK(!(cmos(&r, 0x0a, ns) & 0x80));
	CHECK(!(cmos(&r, 0x0a, 2 * S - 245000) & 0x80));
	CHECK(cmos(&r, 0x0a, 2 * S - 244000) & 0x80);
	CHECK(cmos(&r, 0x0a, 2 * S - 1) & 0x80);
	CHECK(!(cmos(&r, 0x0a, 2 * S) & 0x80));
	cmos_set(&r, 0x0a, 0xa6, 0);                    /* UIP is read-only */
	CHECK_EQ(cmos(&r, 0x0a, 0), 0x26);
	/* 12-hour mode: 1 PM. */
	cmos_set(&r, 0x0b, 0x00, ns);
	CHECK_EQ(cmos(&r, 0x04, ns), 0x81);
	CHECK_EQ(cmos(&r, 0x04, 0), 0x12);              /* midnight is 12 AM */
	/* Binary, 24 h. */
	cmos_set(&r, 0x0b, 0x06, ns);
	CHECK_EQ(cmos(&r, 0x04, ns), 13);
	CHECK_EQ(cmos(&r, 0x09, ns), 26);
	CHECK_EQ(cmos(&r, 0x32, ns), 20);
	/* Setting the time (binary mode): hour 7 -> 07:59:58. */
	cmos_set(&r, 0x04, 7, ns);
	CHECK_EQ(cmos(&r, 0x04, ns), 7);
	CHECK_EQ(cmos(&r, 0x02, ns), 59);
	CHECK_EQ(cmos(&r, 0x00, ns + 2 * S), 0);        /* and it keeps running */
	CHECK_EQ(cmos(&r, 0x02, ns + 2 * S), 0);
	CHECK_EQ(cmos(&r, 0x04, ns + 2 * S), 8);
	/* BCD again; set the date to 2027-06-15 like hwclock would. */
	cmos_set(&r, 0x0b, 0x82, ns);                   /* SET, 24 h, BCD */
	cmos_set(&r, 0x09, 0x27, ns);
	cmos_set(&r, 0x08, 0x06, ns);
	cmos_set(&r, 0x07, 0x15, ns);
	cmos_set(&r, 0x0b, 0x02, ns);
	CHECK_EQ(cmos(&r, 0x09, ns), 0x27);
	CHECK_EQ(cmos(&r, 0x08, ns), 0x06);
	CHECK_EQ(cmos(&r, 0x07, ns), 0x15);
	CHECK_EQ(cmos(&r, 0x06, ns), 3);                /* a Tuesday */
	CHECK_EQ(cmos(&r, 0x04, ns), 0x07);
	/* Invalid values are ignored; day of week is derived. */
	cmos_set(&r, 0x02, 0x75, ns);
	CHECK_EQ(cmos(&r, 0x02, ns), 0x59);
	cmos_set(&r, 0x06, 1, ns);
	CHECK_EQ(cmos(&r, 0x06, ns), 3);
	/* Status C and D are read-only. */
	cmos_set(&r, 0x0c, 0xff, ns);
	cmos_set(&r, 0x0d, 0x00, ns);
	CHECK_EQ(cmos(&r, 0x0c, ns), 0);
	CHECK_EQ(cmos(&r, 0x0d, ns), 0x80);
	/* Plain CMOS bytes are storage (the shutdown byte Linux writes). */
	cmos_set(&r, 0x0f, 0x0a, ns);
	CHECK_EQ(cmos(&r, 0x0f, ns), 0x0a);
	cmos_set(&r, 0x7f, 0x5a, ns);
	CHECK_EQ(cmos(&r, 0x7f, ns), 0x5a);
}

/* Found by tests/fuzz/vrtc.c: a clock set to 9999 that kept running showed
 * century 0xA0 (100, no BCD byte). It stops at 9999-12-31 23:59:59 instead,
 * and a write there still takes effect. */
static void test_year_9999(void)
{
	struct vrtc r;
	static const uint8_t end[][2] = {
		{ 0x32, 0x99 }, { 0x09, 0x99 }, { 0x08, 0x12 }, { 0x07, 0x31 },
		{ 0x04, 0x23 }, { 0x02, 0x59 }, { 0x00, 0x59 },
	};
	uint64_t later = 2 * 366 * 86400 * S;

	vrtc_init(&r, 64ull << 20);
	for (unsigned i = 0; i < ARRAY_SIZE(end); i++)
		cmos_set(&r, end[i][0], end[i][1], 0);
	for (unsigned i = 0; i < ARRAY_SIZE(end); i++) {
		CHECK_EQ(cmos(&r, end[i][0], 0), end[i][1]);
		CHECK_EQ(cmos(&r, end[i][0], later), end[i][1]);
	}
	cmos_set(&r, 0x00, 0x05, later);
	CHECK_EQ(cmos(&r, 0x00, later), 0x05);
	CHECK_EQ(cmos(&r, 0x32, later), 0x99);
	CHECK_EQ(cmos(&r, 0x00, later + 3 * S), 0x08);
}

static void test_memory_bytes(void)
{
	struct vrtc r;
	vrtc_init(&r, 64ull << 20);
	CHECK_EQ(cmos(&r, 0x15, 0) | cmos(&r, 0x16, 0) << 8, 640);
	CHECK_EQ(cmos(&r, 0x17, 0) | cmos(&r, 0x18, 0) << 8, 63 * 1024);
	CHECK_EQ(cmos(&r, 0x30, 0) | cmos(&r, 0x31, 0) << 8, 63 * 1024);
	CHECK_EQ(cmos(&r, 0x34, 0) | cmos(&r, 0x35, 0) << 8, 48 * 16);
	CHECK_EQ(cmos(&r, 0x5b, 0) | cmos(&r, 0x5c, 0) << 8 | cmos(&r, 0x5d, 0) << 16, 0);
	vrtc_init(&r, 6ull << 30);
	CHECK_EQ(cmos(&r, 0x17, 0) | cmos(&r, 0x18, 0) << 8, 0xffff);   /* capped */
	CHECK_EQ(cmos(&r, 0x34, 0) | cmos(&r, 0x35, 0) << 8, 0xff00);
	CHECK_EQ(cmos(&r, 0x5b, 0) | cmos(&r, 0x5c, 0) << 8 | cmos(&r, 0x5d, 0) << 16, 0x8000);
}

static void test_pm(void)
{
	CHECK_EQ(vacpi_pm_timer(0), 0);
	CHECK_EQ(vacpi_pm_timer(S), 3579545);
	CHECK_EQ(vacpi_pm_timer(5 * S), 5 * 3579545 - 0x1000000);  /* 24-bit wrap */
	CHECK_EQ(vacpi_pm_timer(1000), 3);
	/* Monotonic between wraps, roughly 3.58 ticks per us. */
	uint32_t prev = 0;
	for (uint64_t ns = 0; ns < 4 * S; ns += 1234567) {
		uint32_t t = vacpi_pm_timer(ns);
		CHECK(t >= prev);
		prev = t;
	}
	struct vacpi_pm pm;
	vacpi_pm_init(&pm);
	unsigned typ = 99;
	CHECK(vacpi_pm_claims(0) && vacpi_pm_claims(5) && vacpi_pm_claims(8) && vacpi_pm_claims(11));
	CHECK(!vacpi_pm_claims(6) && !vacpi_pm_claims(7) && !vacpi_pm_claims(12));
	CHECK_EQ(vacpi_pm_read(&pm, 8, 4, S), 3579545);
	CHECK_EQ(vacpi_pm_read(&pm, 9, 1, S), (3579545 >> 8) & 0xff);
	/* SCI_EN always set. */
	CHECK_EQ(vacpi_pm_read(&pm, 4, 2, 0), 1);
	CHECK_EQ(vacpi_pm_write(&pm, 4, 2, 0, &typ), VACPI_PM_NONE);
	CHECK_EQ(vacpi_pm_read(&pm, 4, 2, 0), 1);
	/* PM1_EN keeps the defined enables only. */
	vacpi_pm_write(&pm, 2, 2, 0xffff, &typ);
	CHECK_EQ(vacpi_pm_read(&pm, 2, 2, 0), 0x4721);
	/* STS and EN in one 32-bit access; status is write-1-to-clear. */
	pm.sts = 0x8101;
	CHECK_EQ(vacpi_pm_read(&pm, 0, 4, 0), 0x47218101);
	vacpi_pm_write(&pm, 0, 2, 0x0001, &typ);
	CHECK_EQ(pm.sts, 0x8100);
	vacpi_pm_write(&pm, 1, 1, 0x80, &typ);
	CHECK_EQ(pm.sts, 0x0100);
	/* Linux's S5: SLP_TYP first, then SLP_TYP | SLP_EN. */
	CHECK_EQ(vacpi_pm_write(&pm, 4, 2, 5 << 10, &typ), VACPI_PM_NONE);
	CHECK_EQ(vacpi_pm_read(&pm, 4, 2, 0), 5 << 10 | 1);
	CHECK_EQ(vacpi_pm_write(&pm, 4, 2, 5 << 10 | 1 << 13, &typ), VACPI_PM_SLEEP);
	CHECK_EQ(typ, 5);
	CHECK(!(vacpi_pm_read(&pm, 4, 2, 0) & (1 << 13)));   /* SLP_EN reads 0 */
	/* High byte alone. */
	typ = 99;
	CHECK_EQ(vacpi_pm_write(&pm, 5, 1, (5 << 2) | (1 << 5), &typ), VACPI_PM_SLEEP);
	CHECK_EQ(typ, 5);
	/* Another sleep type is reported as such (the caller refuses it). */
	CHECK_EQ(vacpi_pm_write(&pm, 4, 2, 3 << 10 | 1 << 13, &typ), VACPI_PM_SLEEP);
	CHECK_EQ(typ, 3);
	/* The timer is read-only. */
	CHECK_EQ(vacpi_pm_write(&pm, 8, 4, 0, &typ), VACPI_PM_NONE);
}

int main(void)
{
	test_calendar();
	test_registers();
	test_year_9999();
	test_memory_bytes();
	test_pm();
	return check_done("test_vrtc");
}
