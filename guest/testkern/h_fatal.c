/* Hostile tests that end the VM, or that need an AP in real mode: every
 * vCPU triple-faulting at once, power-off in the middle of an IPI storm,
 * and a real-mode #GP raised by the hypervisor (no error code in real
 * mode). */
#include "guest/testkern/ap.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"

#define RM_BASE 0x9000
#define RM_GP_COUNT ((volatile uint32_t *)0x9ff0)
#define RM_DONE ((volatile uint32_t *)0x9ff4)

extern const char rm_probe_start[], rm_probe_end[];

/* realmode: an AP in real mode executes RDMSR of a missing MSR; the #GP
 * the hypervisor raises must arrive as a real-mode exception: through the
 * IVT, with no error code (a real-mode frame has none, and VM entry
 * refuses one there: it used to fail, stopping the VM with reason=error). */
enum verdict t_realmode(void)
{
	uint32_t cpus = 1;
	param_u32("cpus", &cpus);
	if (cpus < 2)
		return tk_skip("needs cpus=2 or more");
	if (bootinfo.nregions && !bootinfo_in_region(RM_BASE, 4096, MMAP_RAM))
		return tk_fail("page 0x%x is not RAM", RM_BASE);
	memcpy((void *)RM_BASE, rm_probe_start, (size_t)(rm_probe_end - rm_probe_start));
	*RM_GP_COUNT = 0;
	*RM_DONE = 0;
	lapic_enable();
	lapic_send_ipi(1, ICR_INIT);
	tk_delay(100000);
	lapic_send_ipi(1, ICR_SIPI | (RM_BASE >> 12));
	if (!tk_wait_count(RM_DONE, 1, 50000000u))
		return tk_fail("the real-mode AP did not get past RDMSR (#GP count %u)", *RM_GP_COUNT);
	/* QEMU's TCG raises no #GP for unknown MSRs (see the msr test). */
	if (*RM_GP_COUNT != 1 && (*RM_GP_COUNT || tk_is_lhv()))
		return tk_fail("real-mode #GP taken %u times, want 1", *RM_GP_COUNT);
	return V_PASS;
}

static volatile uint32_t go, ready;

static const struct {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed)) empty_idt = { 0, 0 };

static NORETURN void triple_now(void)
{
	__asm__ volatile("lidt %0; int3" : : "m"(empty_idt) : "memory");
	for (;;)
		__asm__ volatile("cli; hlt");
}

static NORETURN void ap_triple(uint32_t apic_id)
{
	(void)apic_id;
	atomic_xadd(&ready, 1);
	while (!go)
		cpu_relax();
	triple_now();
}

/* triple_all: every vCPU triple-faults at the same moment. lhv stops the
 * VM once, with reason=fault. */
enum verdict t_triple_all(void)
{
	uint32_t cpus = 1;
	param_u32("cpus", &cpus);
	for (uint32_t id = 1; id < cpus; id++)
		if (!ap_start(id, ap_triple))
			return tk_fail("AP %u did not start", id);
	tk_wait_count(&ready, cpus - 1, 100000000u);
	tk_printf("TEST triple_all RUNNING\n");
	serial_drain();
	go = 1;
	triple_now();
}

static NORETURN void ap_storm(uint32_t apic_id)
{
	(void)apic_id;
	lapic_enable();
	atomic_xadd(&ready, 1);
	sti();
	for (;;) {
		lapic_write(LAPIC_ICR_HI, 0);
		lapic_write(LAPIC_ICR_LO, ICR_FIXED | ICR_ALL_BUT_SELF | 0x70);
		lapic_write(LAPIC_ICR_LO, ICR_NMI | ICR_ALL_BUT_SELF);
	}
}

/* poweroff_storm: the APs send each other (and the BSP) fixed IPIs and
 * NMIs without pause while the BSP powers the VM off through ACPI S5.
 * lhv stops the VM with reason=poweroff. */
enum verdict t_poweroff_storm(void)
{
	uint32_t cpus = 1;
	param_u32("cpus", &cpus);
	for (uint32_t id = 1; id < cpus; id++)
		if (!ap_start(id, ap_storm))
			return tk_fail("AP %u did not start", id);
	tk_wait_count(&ready, cpus - 1, 100000000u);
	tk_delay(200000);
	tk_printf("TEST poweroff_storm RUNNING\n");
	serial_drain();
	sti();
	outw(0x604, (5u << 10) | (1u << 13));  /* PM1a_CNT: SLP_TYP 5 (S5), SLP_EN */
	for (;;)
		__asm__ volatile("hlt");
}
