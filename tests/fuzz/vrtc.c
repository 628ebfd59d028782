/* Fuzz target: the CMOS RTC (vmm/dev/vrtc.c) at ports 0x70/0x71, with time
 * steps, and its calendar conversions.
 * Input: the VM's RAM size (u64), then operations of one opcode byte (bits
 * 0-2 the kind, 3-7 a register) and operands: index writes, data writes and
 * reads, register writes checked for read-back, time steps, conversions.
 * Checks: the index stays below 128; every time register reads a valid
 * value in the current encoding (BCD digits 0-9 in BCD mode; seconds and
 * minutes < 60, hours 0-23 or 12-hour 1-12 with the PM bit, day of week
 * 1-7, day valid for its month, month 1-12, century 19-99); status A keeps
 * its divider, C reads 0 and D 0x80; a valid seconds, minutes, hours or
 * month write reads back unchanged at the same instant, and a valid day
 * does when the month has it; the wall clock never goes past year 9999 plus
 * the VM's running time; and time <-> calendar conversion round-trips for
 * every second from 1970 to 9999. */
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/vrtc.h"

#define NS_MAX  (1ull << 62)            /* the VM clock stays below 146 years */
#define Y10K    253402300800ull         /* 10000-01-01 00:00:00 UTC */

static bool bin_mode(const struct vrtc *r) { return r->ram[0x0b] & 0x04; }
static bool h24(const struct vrtc *r) { return r->ram[0x0b] & 0x02; }

static unsigned dec(const struct vrtc *r, uint8_t v, bool *ok)
{
	if (bin_mode(r))
		return v;
	*ok = *ok && (v >> 4) <= 9 && (v & 0xf) <= 9;
	return (v >> 4) * 10u + (v & 0xf);
}

static uint8_t rd(struct vrtc *r, unsigned idx, uint64_t ns)
{
	vrtc_write(r, 0x70, (uint8_t)idx, ns);
	return vrtc_read(r, 0x71, ns);
}

static unsigned mdays(unsigned y, unsigned m)
{
	static const uint8_t d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d[m - 1] + (m == 2 && leap);
}

/* Every time register, decoded and range-checked. */
static void check_clock(struct vrtc *r, uint64_t ns)
{
	uint8_t save = r->index;
	bool ok = true;
	unsigned sec = dec(r, rd(r, 0, ns), &ok), min = dec(r, rd(r, 2, ns), &ok);
	uint8_t hraw = rd(r, 4, ns);
	unsigned hour = h24(r) ? dec(r, hraw, &ok) : dec(r, hraw & 0x7f, &ok);
	unsigned wday = dec(r, rd(r, 6, ns), &ok), mday = dec(r, rd(r, 7, ns), &ok);
	unsigned mon = dec(r, rd(r, 8, ns), &ok), year = dec(r, rd(r, 9, ns), &ok);
	unsigned cent = dec(r, rd(r, 0x32, ns), &ok);

	FUZZ_CHECK(ok, "BCD digit above 9");
	FUZZ_CHECK(sec < 60 && min < 60 && wday >= 1 && wday <= 7, "sec %u min %u wday %u", sec, min, wday);
	FUZZ_CHECK(h24(r) ? hour < 24 : hour >= 1 && hour <= 12, "hour %u (raw 0x%02x)", hour, hraw);
	FUZZ_CHECK(mon >= 1 && mon <= 12 && year < 100 && cent >= 19 && cent <= 99,
		   "month %u year %u century %u", mon, year, cent);
	FUZZ_CHECK(mday >= 1 && mday <= mdays(cent * 100 + year, mon), "day %u of %u-%u", mday,
		   cent * 100 + year, mon);
	FUZZ_CHECK((rd(r, 0x0a, ns) & 0x7f) == (r->ram[0x0a] & 0x7f) && rd(r, 0x0c, ns) == 0 &&
		   rd(r, 0x0d, ns) == 0x80, "status registers");
	vrtc_write(r, 0x70, save, ns);
}

/* A register write that should read back unchanged. */
static void write_back(struct vrtc *r, unsigned idx, uint8_t val, uint64_t ns)
{
	bool ok = true;
	unsigned v, mon, cent, year, mday;

	vrtc_write(r, 0x70, (uint8_t)idx, ns);
	vrtc_write(r, 0x71, val, ns);
	if (idx == 4 && !h24(r)) {
		v = dec(r, val & 0x7f, &ok);
		ok = ok && v >= 1 && v <= 12;
	} else {
		v = dec(r, val, &ok);
	}
	switch (idx) {
	case 0: case 2: ok = ok && v < 60; break;
	case 4: ok = ok && (!h24(r) || v < 24); break;
	case 8: ok = ok && v >= 1 && v <= 12; break;
	case 7:
		mon = dec(r, rd(r, 8, ns), &ok);
		year = dec(r, rd(r, 9, ns), &ok);
		cent = dec(r, rd(r, 0x32, ns), &ok);
		mday = ok ? mdays(cent * 100 + year, mon) : 0;
		ok = ok && v >= 1 && v <= mday;
		break;
	default: return;
	}
	if (ok)
		FUZZ_CHECK(rd(r, idx, ns) == val, "register 0x%x written 0x%02x reads 0x%02x", idx, val,
			   rd(r, idx, ns));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct vrtc *r = malloc(sizeof(*r));
	uint64_t ns = 0;
	unsigned conversions = 0;
	static const uint8_t regs[] = { 0, 2, 4, 6, 7, 8, 9, 0x32, 0x0a, 0x0b, 0x0c, 0x0d };

	vrtc_init(r, fz_u64(&f));
	for (unsigned ops = 0; fz_left(&f) && ops < 48; ops++) {
		uint8_t op = fz_u8(&f), kind = (op & 7) % 6;

		switch (kind) {
		case 0:
			vrtc_write(r, 0x70, fz_u8(&f), ns);
			break;
		case 1:
			vrtc_write(r, 0x71, fz_u8(&f), ns);
			break;
		case 2:
			(void)vrtc_read(r, (op & 8) ? 0x70 : 0x71, ns);
			break;
		case 3:
			write_back(r, regs[(op >> 3) % ARRAY_SIZE(regs)], fz_u8(&f), ns);
			break;
		case 4:
			ns += fz_u64(&f) % (NS_MAX - ns + 1);
			break;
		default: {
			/* Up to 16000 loop turns each: two per input. */
			uint64_t t = fz_u64(&f) % Y10K;
			if (conversions++ >= 2)
				break;
			struct vrtc_tm tm;
			vrtc_time_to_tm(t, &tm);
			FUZZ_CHECK(vrtc_tm_to_time(&tm) == t && tm.mon >= 1 && tm.mon <= 12 && tm.mday >= 1 &&
				   tm.mday <= mdays(tm.year, tm.mon) && tm.hour < 24 && tm.min < 60 && tm.sec < 60 &&
				   tm.wday < 7, "calendar round trip of %llu", (unsigned long long)t);
			break;
		}
		}
		FUZZ_CHECK(r->index < 128, "index %u", r->index);
		uint64_t wall = (uint64_t)((int64_t)(VRTC_EPOCH + ns / 1000000000ull) + r->offset);
		FUZZ_CHECK((int64_t)wall < 0 || wall < Y10K + ns / 1000000000ull + 1,
			   "wall clock %llu past year 9999", (unsigned long long)wall);
		/* Index writes, reads and conversions leave the clock alone;
		 * each check converts the time eight times (a loop over the
		 * years since 1970), so it is skipped after them. */
		if (kind == 1 || kind == 3 || kind == 4)
			check_clock(r, ns);
	}
	free(r);
	return 0;
}
