/* CMOS RTC (MC146818A datasheet register map; memory-size bytes after the
 * IBM PC/AT BIOS convention). Pure; see vrtc.h. */
#include "vmm/dev/vrtc.h"

#define R_SEC     0x00
#define R_MIN     0x02
#define R_HOUR    0x04
#define R_WDAY    0x06
#define R_MDAY    0x07
#define R_MON     0x08
#define R_YEAR    0x09
#define R_A       0x0a
#define R_B       0x0b
#define R_C       0x0c
#define R_D       0x0d
#define R_CENTURY 0x32

#define A_UIP     0x80
#define B_24H     0x02
#define B_BIN     0x04
#define UIP_NS    244000u       /* UIP leads the update by 244 us */

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned mdays(unsigned y, unsigned m)
{
	static const uint8_t d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[m - 1] + (m == 2 && leap(y));
}

void vrtc_time_to_tm(uint64_t t, struct vrtc_tm *tm)
{
	uint64_t days = t / 86400;
	unsigned s = (unsigned)(t % 86400);
	tm->sec = s % 60;
	tm->min = s / 60 % 60;
	tm->hour = s / 3600;
	tm->wday = (unsigned)((days + 4) % 7);  /* 1970-01-01 was a Thursday */
	unsigned y = 1970;
	while (days >= 365u + leap(y)) {
		days -= 365u + leap(y);
		y++;
	}
	unsigned m = 1;
	while (days >= mdays(y, m)) {
		days -= mdays(y, m);
		m++;
	}
	tm->year = y;
	tm->mon = m;
	tm->mday = (unsigned)days + 1;
}

uint64_t vrtc_tm_to_time(const struct vrtc_tm *tm)
{
	uint64_t days = 0;
	for (unsigned y = 1970; y < tm->year; y++)
		days += 365u + leap(y);
	for (unsigned m = 1; m < tm->mon && m <= 12; m++)
		days += mdays(tm->year, m);
	days += tm->mday ? tm->mday - 1 : 0;
	return days * 86400 + tm->hour * 3600ull + tm->min * 60ull + tm->sec;
}

static void put16(struct vrtc *r, unsigned lo, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	r->ram[lo] = (uint8_t)v;
	r->ram[lo + 1] = (uint8_t)(v >> 8);
}

void vrtc_init(struct vrtc *r, uint64_t ram_bytes)
{
	memset(r, 0, sizeof(*r));
	r->ram[R_A] = 0x26;
	r->ram[R_B] = B_24H;
	/* Memory sizes: base memory in KiB; extended memory (1 MiB-64 MiB) in
	 * KiB, twice (0x17 and 0x30, as POST leaves them); 0x34: memory
	 * between 16 MiB and 4 GiB in 64 KiB units; 0x5b-0x5d: memory above
	 * 4 GiB in 64 KiB units. */
	uint64_t kib = ram_bytes >> 10;
	put16(r, 0x15, kib < 640 ? kib : 640);
	uint64_t ext = kib > 1024 ? kib - 1024 : 0;
	put16(r, 0x17, ext);
	put16(r, 0x30, ext);
	uint64_t below4g = ram_bytes < (1ull << 32) ? ram_bytes : 1ull << 32;
	put16(r, 0x34, below4g > (16ull << 20) ? (below4g - (16ull << 20)) >> 16 : 0);
	uint64_t above = (ram_bytes - below4g) >> 16;
	if (above > 0xffffff)
		above = 0xffffff;
	r->ram[0x5b] = (uint8_t)above;
	r->ram[0x5c] = (uint8_t)(above >> 8);
	r->ram[0x5d] = (uint8_t)(above >> 16);
}

/* The wall clock in Unix seconds, before and after keeping it to what the
 * registers can show: years 1970-9999 (a century of 100 is no BCD byte), so
 * the clock stops at either end. */
static int64_t raw_s(const struct vrtc *r, uint64_t ns)
{
	return (int64_t)(VRTC_EPOCH + ns / 1000000000ull) + r->offset;
}

static uint64_t now_s(const struct vrtc *r, uint64_t ns)
{
	int64_t t = raw_s(r, ns);
	return t < 0 ? 0 : (uint64_t)t > VRTC_TIME_MAX ? VRTC_TIME_MAX : (uint64_t)t;
}

static uint8_t enc(const struct vrtc *r, unsigned v)
{
	return r->ram[R_B] & B_BIN ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned dec(const struct vrtc *r, uint8_t v)
{
	return r->ram[R_B] & B_BIN ? v : (v >> 4) * 10u + (v & 0xf);
}

static uint8_t enc_hour(const struct vrtc *r, unsigned h)
{
	if (r->ram[R_B] & B_24H)
		return enc(r, h);
	/* 12-hour mode: 12, 1..11 with bit 7 for PM. */
	unsigned h12 = h % 12 ? h % 12 : 12;
	return (uint8_t)(enc(r, h12) | (h >= 12 ? 0x80 : 0));
}

static unsigned dec_hour(const struct vrtc *r, uint8_t v)
{
	if (r->ram[R_B] & B_24H)
		return dec(r, v);
	unsigned h = dec(r, v & 0x7f) % 12;
	return h + (v & 0x80 ? 12 : 0);
}

static uint8_t read_reg(struct vrtc *r, unsigned i, uint64_t ns)
{
	struct vrtc_tm tm;
	switch (i) {
	case R_SEC: case R_MIN: case R_HOUR: case R_WDAY: case R_MDAY: case R_MON:
	case R_YEAR: case R_CENTURY:
		vrtc_time_to_tm(now_s(r, ns), &tm);
		switch (i) {
		case R_SEC: return enc(r, tm.sec);
		case R_MIN: return enc(r, tm.min);
		case R_HOUR: return enc_hour(r, tm.hour);
		case R_WDAY: return enc(r, tm.wday + 1);       /* 1 = Sunday */
		case R_MDAY: return enc(r, tm.mday);
		case R_MON: return enc(r, tm.mon);
		case R_YEAR: return enc(r, tm.year % 100);
		default: return enc(r, tm.year / 100);
		}
	case R_A:
		return (uint8_t)((r->ram[R_A] & 0x7f) |
				 (ns % 1000000000ull >= 1000000000ull - UIP_NS ? A_UIP : 0));
	case R_C:
		return 0;                       /* no interrupt flags, ever */
	case R_D:
		return 0x80;                    /* VRT: battery good */
	}
	return r->ram[i];
}

static void write_time(struct vrtc *r, unsigned i, uint8_t val, uint64_t ns)
{
	struct vrtc_tm tm;
	uint64_t old = now_s(r, ns);
	vrtc_time_to_tm(old, &tm);
	unsigned v = i == R_HOUR ? dec_hour(r, val) : dec(r, val);
	switch (i) {
	case R_SEC: if (v < 60) tm.sec = v; break;
	case R_MIN: if (v < 60) tm.min = v; break;
	case R_HOUR: if (v < 24) tm.hour = v; break;
	case R_MDAY: if (v >= 1 && v <= 31) tm.mday = v; break;
	case R_MON: if (v >= 1 && v <= 12) tm.mon = v; break;
	case R_YEAR: if (v < 100) tm.year = tm.year / 100 * 100 + v; break;
	case R_CENTURY: if (v >= 19 && v <= 99) tm.year = v * 100 + tm.year % 100; break;
	default: return;                        /* day of week follows the date */
	}
	if (tm.year < 1970)
		tm.year = 1970;
	/* A day past the month's end (set while the month changes) is
	 * clamped so the time stays valid. */
	if (tm.mday > mdays(tm.year, tm.mon))
		tm.mday = mdays(tm.year, tm.mon);
	/* From the unclamped clock, so the new time shows even at an end. */
	r->offset += (int64_t)vrtc_tm_to_time(&tm) - raw_s(r, ns);
}

uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t ns)
{
	if (port == 0x70)
		return 0xff;                    /* the index register is write-only */
	return read_reg(r, r->index, ns);
}

void vrtc_write(struct vrtc *r, uint16_t port, uint8_t val, uint64_t ns)
{
	if (port == 0x70) {
		r->index = val & 0x7f;
		r->nmi_disabled = val & 0x80;
		return;
	}
	unsigned i = r->index;
	switch (i) {
	case R_SEC: case R_MIN: case R_HOUR: case R_WDAY: case R_MDAY: case R_MON:
	case R_YEAR: case R_CENTURY:
		write_time(r, i, val, ns);
		break;
	case R_A:
		r->ram[R_A] = val & 0x7f;       /* UIP is read-only */
		break;
	case R_C: case R_D:
		break;                          /* read-only */
	default:
		r->ram[i] = val;
		break;
	}
}
