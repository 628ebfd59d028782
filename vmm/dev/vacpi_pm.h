/* ACPI fixed-hardware PM1a block and PM timer (ACPI 6.x, 4.8), as the FADT
 * from vmm/acpi_build.c describes it, relative to the block's base port:
 *   +0 PM1a_STS (u16, write 1 to clear)   +2 PM1a_EN (u16)
 *   +4 PM1a_CNT (u16)                     +8 PM_TMR (u32, read-only)
 * Pure: the caller passes the time and acts on the returned request;
 * host-tested (tests/unit/test_vrtc.c, with the other clocks).
 *
 * SCI_EN reads 1 always: the FADT has no SMI command port, so the machine
 * is in ACPI mode from power-on. No status bit is ever set and the SCI is
 * never raised (no fixed events: no buttons, no RTC alarm, no timer
 * overflow interrupt). Writing SLP_EN asks for the sleep state SLP_TYP. */
#ifndef VMM_VACPI_PM_H
#define VMM_VACPI_PM_H
#include "core/lib.h"

#define VACPI_PM_TMR_HZ   3579545u

enum vacpi_pm_req { VACPI_PM_NONE, VACPI_PM_SLEEP };

struct vacpi_pm {
	uint16_t sts, en, cnt;
};

/* The 24-bit PM timer value ns nanoseconds after it started. */
uint32_t vacpi_pm_timer(uint64_t ns);

void vacpi_pm_init(struct vacpi_pm *pm);
/* Does the block decode this offset? (+6, +7 and past +11 are holes.) */
bool vacpi_pm_claims(unsigned off);
/* size 1, 2 or 4 bytes at offset off; ns: time since the timer started. */
uint32_t vacpi_pm_read(struct vacpi_pm *pm, unsigned off, unsigned size, uint64_t ns);
/* Returns VACPI_PM_SLEEP with *slp_typ when SLP_EN was written. */
enum vacpi_pm_req vacpi_pm_write(struct vacpi_pm *pm, unsigned off, unsigned size, uint32_t val,
				 unsigned *slp_typ);

#endif
