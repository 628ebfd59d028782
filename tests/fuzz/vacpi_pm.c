/* Fuzz target: the ACPI PM1a block and PM timer (vmm/dev/vacpi_pm.c),
 * accessed as vdev_pm_pio does: any width from 1 to 4 bytes at any offset
 * of the 16-port window it decodes from, with time steps.
 * Input: operations of one opcode byte and operands.
 * Checks after every operation: PM1_STS stays 0 (no event is ever raised),
 * PM1_EN holds only the enable bits an OS may set, PM1_CNT only BM_RLD and
 * SLP_TYP; reads give SCI_EN set, 0xff in the holes, the 24-bit timer at
 * that instant, nothing above the access width; a sleep request comes
 * exactly when a write sets SLP_EN, with the SLP_TYP the register then
 * holds; the timer is 24 bits, moves forward with time (modulo 2^24) at
 * 3.579545 MHz. */
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/vacpi_pm.h"
#include "vmm/load/acpi_build.h"

#define NS_MAX (1ull << 62)

static uint32_t ref_byte(const struct vacpi_pm *pm, unsigned off, uint32_t tmr)
{
	switch (off) {
	case 0: case 1: return (pm->sts >> (8 * (off & 1))) & 0xff;
	case 2: case 3: return (pm->en >> (8 * (off & 1))) & 0xff;
	case 4: case 5: return ((pm->cnt | ACPI_PM1_CNT_SCI_EN) >> (8 * (off & 1))) & 0xff;
	case 8: case 9: case 10: case 11: return (tmr >> (8 * (off - 8))) & 0xff;
	default: return 0xff;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct vacpi_pm *pm = malloc(sizeof(*pm));
	uint64_t ns = fz_u64(&f) % NS_MAX;

	vacpi_pm_init(pm);
	for (unsigned ops = 0; fz_left(&f) && ops < 8192; ops++) {
		uint8_t op = fz_u8(&f);
		unsigned off = fz_u8(&f) & 15, sz = 1 + ((op >> 2) & 3);

		switch (op & 3) {
		case 0: {
			uint32_t val = fz_u32(&f), cnt_before = pm->cnt;
			unsigned typ = 99;
			enum vacpi_pm_req req = vacpi_pm_write(pm, off, sz, val, &typ);
			/* Does the access write SLP_EN (PM1_CNT bit 13: byte 5, bit 5)? */
			bool slp = 5 >= off && 5 < off + sz && (val >> (8 * (5 - off))) & 0x20;
			FUZZ_CHECK((req == VACPI_PM_SLEEP) == slp, "sleep request %d for %u bytes at %u = 0x%x",
				   req, sz, off, val);
			if (slp) {
				uint16_t c = (uint16_t)cnt_before;
				for (unsigned i = 0; i < sz; i++)
					if (off + i == 4 || off + i == 5)
						c = (uint16_t)((c & ~(0xffu << (8 * (off + i - 4)))) |
							       ((val >> (8 * i)) & 0xff) << (8 * (off + i - 4)));
				FUZZ_CHECK(typ == ((c >> 10) & 7u), "SLP_TYP %u, written %u", typ, (c >> 10) & 7u);
			}
			break;
		}
		case 1: {
			uint32_t v = vacpi_pm_read(pm, off, sz, ns), tmr = vacpi_pm_timer(ns), want = 0;
			for (unsigned i = 0; i < sz; i++)
				want |= ref_byte(pm, off + i, tmr) << (8 * i);
			FUZZ_CHECK(v == want, "%u bytes at %u read 0x%x, expected 0x%x", sz, off, v, want);
			break;
		}
		default: {
			uint64_t d = (op & 1) ? fz_u64(&f) % (NS_MAX - ns + 1) : fz_u32(&f);
			uint32_t t0 = vacpi_pm_timer(ns);
			if (ns + d > NS_MAX)
				d = NS_MAX - ns;
			uint32_t t1 = vacpi_pm_timer(ns + d);
			/* Ticks in d ns: floor or ceiling of d * 3.579545 MHz. */
			uint64_t ticks = (uint64_t)((unsigned __int128)d * VACPI_PM_TMR_HZ / 1000000000u);
			FUZZ_CHECK(t0 <= 0xffffff && t1 <= 0xffffff, "timer wider than 24 bits");
			uint32_t diff = (t1 - t0) & 0xffffff;
			FUZZ_CHECK(diff == (ticks & 0xffffff) || diff == ((ticks + 1) & 0xffffff),
				   "timer moved %u in %llu ns", diff, (unsigned long long)d);
			ns += d;
			break;
		}
		}
		FUZZ_CHECK(pm->sts == 0, "PM1_STS 0x%x", pm->sts);
		FUZZ_CHECK(!(pm->en & ~0x4721u), "PM1_EN 0x%x", pm->en);
		FUZZ_CHECK(!(pm->cnt & ~(0x0002u | ACPI_PM1_CNT_SLP_TYP_MASK)), "PM1_CNT 0x%x", pm->cnt);
	}
	free(pm);
	return 0;
}
