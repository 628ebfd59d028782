/* Application processors for tests (see ap.h). */
#include "guest/testkern/ap.h"
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/smp_defs.h"
#include "guest/testkern/tk.h"

#define DELAY_AFTER_INIT 1000000u
#define DELAY_AFTER_SIPI 100000u
#define START_SPIN 100000000u

extern const char tramp_start[], tramp_end[];

volatile uint32_t ap_next_slot;
uint8_t ap_stacks[AP_MAX][1u << AP_STACK_SHIFT] __attribute__((aligned(16)));
volatile uint32_t ap_starts[AP_MAX];
static void (*volatile ap_entry)(uint32_t apic_id);

/* The smp test's AP code (t_smp.c). */
NORETURN void smp_ap_report(uint32_t slot, uint32_t apic_id);

void tk_delay(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		cpu_relax();
}

bool tk_wait_count(volatile uint32_t *c, uint32_t want, uint32_t n)
{
	for (uint32_t i = 0; i < n && *c < want; i++)
		cpu_relax();
	return *c >= want;
}

void ap_park(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void ap_idle(void)
{
	for (;;)
		__asm__ volatile("sti; hlt" ::: "memory");
}

NORETURN void ap_main(uint32_t slot, uint32_t apic_id);
NORETURN void ap_main(uint32_t slot, uint32_t apic_id)
{
	idt_load();     /* exceptions on an AP are reported, not triple faults */
	void (*fn)(uint32_t) = ap_entry;
	atomic_xadd(&ap_starts[apic_id], 1);
	if (fn)
		fn(apic_id);
	smp_ap_report(slot, apic_id);
}

bool ap_trampoline_install(void)
{
	if (bootinfo.nregions && !bootinfo_in_region(TRAMP_BASE, 4096, MMAP_RAM))
		return false;
	memcpy((void *)TRAMP_BASE, tramp_start, (size_t)(tramp_end - tramp_start));
	return true;
}

uint32_t ap_sipi_vector(void)
{
	return TRAMP_BASE >> 12;
}

void ap_set_entry(void (*fn)(uint32_t apic_id))
{
	ap_entry = fn;
}

bool ap_start(uint32_t apic_id, void (*fn)(uint32_t apic_id))
{
	if (apic_id >= AP_MAX || !ap_trampoline_install())
		return false;
	lapic_enable();
	ap_set_entry(fn);
	uint32_t before = ap_starts[apic_id];
	if (!lapic_send_ipi(apic_id, ICR_INIT))
		return false;
	tk_delay(DELAY_AFTER_INIT);
	for (int s = 0; s < 2; s++) {
		if (!lapic_send_ipi(apic_id, ICR_SIPI | ap_sipi_vector()))
			return false;
		tk_delay(DELAY_AFTER_SIPI);
	}
	return tk_wait_count(&ap_starts[apic_id], before + 1, START_SPIN);
}
