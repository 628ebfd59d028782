#include "hw/tsc.h"
#include "hw/acpi_tables.h"
#include "hw/x86.h"
#include "core/log.h"

#define PIT_HZ    1193182ull
#define PMTMR_HZ  3579545ull

uint64_t tsc_boot;
static uint64_t tsc_khz;
static uint64_t ns_mult;            /* ns = ticks * ns_mult >> 32 */

uint64_t tsc_khz_get(void) { return tsc_khz; }

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * tsc_khz / 1000000u);
}

/* 10 ms with PIT channel 2 (gate through port 0x61), mode 0. */
static uint64_t measure_pit(void)
{
	uint16_t count = (uint16_t)(PIT_HZ / 100);
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xB0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; !(inb(0x61) & 0x20); i++)
		if (i > 100000000ull)
			return 0;
	return (rdtsc() - t0) * PIT_HZ / count / 1000;
}

static uint64_t measure_pmtmr(const struct acpi_info *a)
{
	uint16_t port = (uint16_t)a->pm_tmr.addr;
	uint32_t mask = a->pm_tmr_32bit ? 0xffffffffu : 0xffffffu;
	uint32_t want = (uint32_t)(PMTMR_HZ / 100), last = inl(port) & mask, elapsed = 0;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; elapsed < want; i++) {
		uint32_t now = inl(port) & mask;
		elapsed += (now - last) & mask;
		last = now;
		if (i > 100000000ull)
			return 0;
	}
	return (rdtsc() - t0) * PMTMR_HZ / elapsed / 1000;
}

static uint64_t cpuid_khz(void)
{
	uint32_t a, b, c, d;
	cpuid(0, &a, &b, &c, &d);
	if (a < 0x15)
		return 0;
	cpuid(0x15, &a, &b, &c, &d);
	if (!a || !b || !c)
		return 0;
	return (uint64_t)c * b / a / 1000;
}

void tsc_calibrate(const struct acpi_info *acpi, uint64_t override_khz)
{
	const char *src;
	uint64_t meas;
	if (acpi && acpi->have_fadt && acpi->pm_tmr.addr && acpi->pm_tmr.space == ACPI_SPACE_IO) {
		meas = measure_pmtmr(acpi);
		src = "acpi-pm-timer";
	} else {
		meas = measure_pit();
		src = "pit";
	}
	uint64_t cpu = cpuid_khz();
	if (override_khz) {
		tsc_khz = override_khz;
		src = "command line";
	} else if (cpu && meas && (cpu > meas ? cpu - meas : meas - cpu) * 100 <= meas) {
		tsc_khz = cpu;   /* CPUID is exact where it is right */
		src = "cpuid 0x15";
	} else {
		if (cpu)
			pr_warn("tsc: CPUID 0x15 says %llu kHz but it measures %llu kHz; using the measurement",
				(unsigned long long)cpu, (unsigned long long)meas);
		tsc_khz = meas;
	}
	if (!tsc_khz)
		panic("cannot determine the TSC frequency (no working PM timer or PIT)");
	ns_mult = (1000000ull << 32) / tsc_khz;
	pr_info("tsc: %llu kHz (%s)", (unsigned long long)tsc_khz, src);
}
