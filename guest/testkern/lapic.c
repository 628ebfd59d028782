/* xAPIC register access. Paging is off, so the MMIO page is reached at its
 * physical address; every access is an aligned 32-bit load or store, as the
 * SDM requires for APIC registers (and as a hypervisor's MMIO decoder most
 * easily handles: plain `mov` to/from a general register). */
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"

#define ICR_POLL_LIMIT 1000000u

uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

static bool icr_idle(void)
{
	for (uint32_t i = 0; i < ICR_POLL_LIMIT; i++) {
		if (!(lapic_read(LAPIC_ICR_LO) & ICR_BUSY))
			return true;
		cpu_relax();
	}
	return false;
}

bool lapic_send_ipi(uint32_t dest_apic_id, uint32_t icr_lo)
{
	if (!icr_idle())
		return false;
	lapic_write(LAPIC_ICR_HI, dest_apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo); /* this write sends */
	return icr_idle();
}
