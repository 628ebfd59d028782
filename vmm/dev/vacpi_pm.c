/* ACPI PM1a event/control registers and the PM timer (ACPI 6.x, 4.8.3).
 * Accesses may be any width at any offset: they are split into bytes and
 * merged into the 16-bit registers, so a guest that writes PM1_CNT's high
 * byte alone (SLP_TYP and SLP_EN live there) works. */
#include "vmm/dev/vacpi_pm.h"
#include "vmm/load/acpi_build.h"

#define OFF_STS  0
#define OFF_EN   2
#define OFF_CNT  4
#define OFF_TMR  8

/* PM1_EN bits an OS may set: TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN,
 * RTC_EN, PCIEXP_WAKE_DIS. PM1_CNT keeps BM_RLD and SLP_TYP; SCI_EN is
 * fixed at 1, GBL_RLS and SLP_EN are write-only. */
#define EN_MASK  0x4721u
#define CNT_KEEP (0x0002u | ACPI_PM1_CNT_SLP_TYP_MASK)

uint32_t vacpi_pm_timer(uint64_t ns)
{
	uint64_t t = ns / 1000000000ull * VACPI_PM_TMR_HZ +
		     ns % 1000000000ull * VACPI_PM_TMR_HZ / 1000000000ull;
	return (uint32_t)t & 0xffffff;
}

void vacpi_pm_init(struct vacpi_pm *pm)
{
	memset(pm, 0, sizeof(*pm));
}

bool vacpi_pm_claims(unsigned off)
{
	return off < 6 || (off >= OFF_TMR && off < OFF_TMR + 4);
}

static uint8_t read_byte(const struct vacpi_pm *pm, unsigned off, uint32_t tmr)
{
	uint16_t r;
	switch (off & ~1u) {
	case OFF_STS: r = pm->sts; break;
	case OFF_EN: r = pm->en; break;
	case OFF_CNT: r = (uint16_t)(pm->cnt | ACPI_PM1_CNT_SCI_EN); break;
	case OFF_TMR: case OFF_TMR + 2:
		return (uint8_t)(tmr >> (8 * (off - OFF_TMR)));
	default: return 0xff;
	}
	return (uint8_t)(r >> (8 * (off & 1)));
}

uint32_t vacpi_pm_read(struct vacpi_pm *pm, unsigned off, unsigned size, uint64_t ns)
{
	/* One timer sample for the whole access: a 32-bit read is atomic. */
	uint32_t tmr = vacpi_pm_timer(ns), v = 0;
	for (unsigned i = 0; i < size && i < 4; i++)
		v |= (uint32_t)read_byte(pm, off + i, tmr) << (8 * i);
	return v;
}

enum vacpi_pm_req vacpi_pm_write(struct vacpi_pm *pm, unsigned off, unsigned size, uint32_t val,
				 unsigned *slp_typ)
{
	/* Gather the written bytes per 16-bit register: value and byte mask. */
	uint16_t v[3] = { 0 }, m[3] = { 0 };
	for (unsigned i = 0; i < size && i < 4; i++) {
		unsigned o = off + i;
		if (o >= 6)
			continue;               /* the timer is read-only; holes */
		unsigned sh = 8 * (o & 1);
		v[o / 2] |= (uint16_t)(((val >> (8 * i)) & 0xff) << sh);
		m[o / 2] |= (uint16_t)(0xff << sh);
	}
	pm->sts &= (uint16_t)~(v[0] & m[0]);            /* write 1 to clear */
	pm->en = (uint16_t)((pm->en & ~m[1]) | (v[1] & m[1] & EN_MASK));
	if (!m[2])
		return VACPI_PM_NONE;
	uint16_t cnt = (uint16_t)((pm->cnt & ~m[2]) | (v[2] & m[2]));
	pm->cnt = cnt & CNT_KEEP;
	if (!(v[2] & m[2] & ACPI_PM1_CNT_SLP_EN))
		return VACPI_PM_NONE;
	*slp_typ = (cnt & ACPI_PM1_CNT_SLP_TYP_MASK) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
	return VACPI_PM_SLEEP;
}
