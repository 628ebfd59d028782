/* Power-off: ACPI S5 through the FADT's PM1 control blocks (SLP_TYP from the
 * DSDT's \_S5, SLP_EN), then the emulators' exit ports, then halt. */
#include "hw/power.h"
#include "hw/acpi.h"
#include "hw/lapic.h"
#include "hw/x86.h"
#include "core/log.h"
#include "core/percpu.h"

#define PM1_SCI_EN  (1u << 0)
#define PM1_SLP_EN  (1u << 13)

void machine_halt_others(void)
{
	unsigned me = cpu_id_early();
	for (unsigned i = 0; i < npcpus; i++)
		if (i != me && pcpus[i].online && !pcpus[i].stopped)
			lapic_send_nmi(pcpus[i].apic_id);
}

static void acpi_s5(void)
{
	if (!acpi.have_fadt || !acpi.have_s5 || acpi.pm1a_cnt.space != ACPI_SPACE_IO ||
	    !acpi.pm1a_cnt.addr)
		return;
	uint16_t a = (uint16_t)acpi.pm1a_cnt.addr, b = (uint16_t)acpi.pm1b_cnt.addr;
	/* Hardware in legacy mode ignores SLP_EN until ACPI mode is on. */
	if (!(inw(a) & PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
		outb((uint16_t)acpi.smi_cmd, acpi.acpi_enable);
		for (unsigned i = 0; i < 1000000 && !(inw(a) & PM1_SCI_EN); i++)
			cpu_relax();
	}
	outw(a, (uint16_t)((inw(a) & ~0x1c00u) | ((unsigned)acpi.slp_typa << 10) | PM1_SLP_EN));
	if (b && acpi.pm1b_cnt.space == ACPI_SPACE_IO)
		outw(b, (uint16_t)((inw(b) & ~0x1c00u) | ((unsigned)acpi.slp_typb << 10) | PM1_SLP_EN));
	for (unsigned i = 0; i < 1000000; i++)
		cpu_relax();
}

void machine_poweroff_quiet(void)
{
	irq_disable();
	log_flush();
	acpi_s5();
	outl(0xf4, 0);                     /* QEMU isa-debug-exit */
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);     /* Bochs */
	for (;;)
		halt();
}

void machine_poweroff(void)
{
	machine_halt_others();
	hv_contract("POWEROFF");
	machine_poweroff_quiet();
}
