/* smp: start the application processors with INIT-SIPI-SIPI (xAPIC ICR),
 * the way a stock kernel does; each AP enters protected mode through the
 * trampoline (trampoline.S), takes a stack slot, counts itself with
 * `lock xadd`, reports its APIC ID and parks in `cli; hlt`, where later
 * tests may hand it jobs (smp.h).
 *
 * Parameters: cpus=<n> (total, BSP included; the VM's vcpus=),
 * smp_ipi=each|all (INIT/SIPI per APIC ID 1..n-1, the default, or with the
 * all-excluding-self shorthand), smp_spin=<n> (iterations to wait). */
#include "guest/testkern/ap.h"
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/smp.h"
#include "guest/testkern/smp_defs.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

/* Fixed-count delays (no time base): the SDM's 10 ms / 200 us waits only
 * matter on real hardware; emulated APs accept SIPIs at once. */
#define DELAY_AFTER_INIT 1000000u
#define DELAY_AFTER_SIPI 100000u
#define DEFAULT_SPIN 100000000u

static volatile uint32_t ap_started;                  /* the lock xadd counter */
static volatile uint32_t ap_reported;                 /* lines printed */
static volatile uint32_t ap_ids[AP_MAX];

/* Jobs for parked APs (smp.h). */
static ap_job_fn volatile ap_job[AP_MAX];
static volatile uint32_t ap_taken[AP_MAX], ap_done[AP_MAX];
volatile uint32_t ap_wakes[AP_MAX];

/* An AP started by this test (ap.c's ap_main with no entry set). */
NORETURN void smp_ap_report(uint32_t slot, uint32_t apic_id);
NORETURN void smp_ap_report(uint32_t slot, uint32_t apic_id)
{
	if (slot < AP_MAX)
		ap_ids[slot] = apic_id;
	uint32_t nth = atomic_xadd(&ap_started, 1) + 1;
	tk_printf("INFO smp AP apic_id=%u slot=%u started=%u\n", apic_id, slot, nth);
	atomic_xadd(&ap_reported, 1);
	if (slot >= AP_MAX)
		ap_park();
	/* Parked with interrupts off: only an NMI, INIT or a PV kick ends the
	 * HLT. Each wake-up looks for a job. */
	for (;;) {
		cli();
		ap_job_fn fn = ap_job[slot];
		if (fn) {
			ap_job[slot] = 0;
			ap_taken[slot]++;
			fn(slot);
			ap_done[slot]++;
			continue;
		}
		__asm__ volatile("hlt" ::: "memory");
		ap_wakes[slot]++;
	}
}

uint32_t ap_count(void)
{
	return ap_started;
}

uint32_t ap_apic_id(uint32_t slot)
{
	return ap_ids[slot];
}

bool ap_start_job(uint32_t slot, ap_job_fn fn)
{
	uint32_t taken = ap_taken[slot];
	ap_job[slot] = fn;
	/* An NMI just before the AP's HLT would be lost: send again until the
	 * job is taken. */
	for (uint32_t tries = 0; tries < 20; tries++) {
		if (!lapic_send_ipi(ap_ids[slot], ICR_NMI))
			return false;
		/* Long enough for a preempted AP to get its pCPU back (several
		 * time slices even under Bochs), so an NMI is rarely repeated. */
		for (uint32_t i = 0; i < 2000000 && ap_taken[slot] == taken; i++)
			cpu_relax();
		if (ap_taken[slot] != taken)
			return true;
	}
	ap_job[slot] = 0;
	return false;
}

bool ap_wait_job(uint32_t slot, uint32_t spin)
{
	for (uint32_t i = 0; i < spin && ap_done[slot] != ap_taken[slot]; i++)
		cpu_relax();
	return ap_done[slot] == ap_taken[slot];
}

enum verdict t_smp(void)
{
	uint32_t cpus = 0, spin = DEFAULT_SPIN;
	char mode[8] = "each";
	if (!param_u32("cpus", &cpus))
		return tk_skip("no cpus=<n> parameter");
	if (cpus < 2)
		return tk_skip("cpus=%u: no AP to start", cpus);
	if (cpus - 1 > AP_MAX)
		return tk_fail("cpus=%u: at most %u APs supported", cpus, AP_MAX);
	param_u32("smp_spin", &spin);
	param_str("smp_ipi", mode, sizeof(mode));
	bool all = !strcmp(mode, "all");
	if (!all && strcmp(mode, "each"))
		return tk_fail("smp_ipi=%s: want each or all", mode);
	if (ap_next_slot)
		return tk_fail("APs already started by an earlier smp test");

	/* The trampoline page must be RAM the loader did not keep for itself. */
	if (!ap_trampoline_install())
		return tk_fail("trampoline page 0x%x is not usable RAM in the memory map",
			       TRAMP_BASE);
	ap_set_entry(NULL);

	lapic_enable();
	uint32_t self = lapic_id();
	uint32_t sipi = ICR_SIPI | (TRAMP_BASE >> 12);
	uint32_t n = all ? 1 : cpus - 1;
	for (uint32_t k = 0; k < n; k++) {
		/* APIC IDs 1..cpus-1 (the BSP is 0 under lhv and QEMU) */
		uint32_t dest = all ? 0 : k + 1;
		uint32_t shorthand = all ? ICR_ALL_BUT_SELF : 0;
		if (!all && dest == self)
			return tk_fail("BSP has APIC ID %u, expected 0", self);
		if (!lapic_send_ipi(dest, ICR_INIT | shorthand))
			return tk_fail("ICR stays busy after INIT to %u", dest);
		tk_delay(DELAY_AFTER_INIT);
		for (int s = 0; s < 2; s++) {
			if (!lapic_send_ipi(dest, sipi | shorthand))
				return tk_fail("ICR stays busy after SIPI to %u", dest);
			tk_delay(DELAY_AFTER_SIPI);
		}
	}

	bool ok = tk_wait_count(&ap_started, cpus - 1, spin);
	tk_wait_count(&ap_reported, ap_started, spin); /* keep the log in order */
	/* A little longer, to see extra starts (a second SIPI that restarted an
	 * AP, or more vCPUs than cpus= said with smp_ipi=all). */
	tk_delay(DELAY_AFTER_INIT);
	uint32_t started = ap_started, slots = ap_next_slot;
	tk_printf("INFO smp cpus=%u ipi=%s started=%u\n", cpus, mode, started);
	if (!ok)
		return tk_fail("only %u of %u APs started", started, cpus - 1);
	if (started != cpus - 1 || slots != cpus - 1)
		return tk_fail("%u APs started (%u entered the trampoline), want %u",
			       started, slots, cpus - 1);
	for (uint32_t i = 0; i < started; i++) {
		if (ap_ids[i] == self)
			return tk_fail("an AP reports the BSP's APIC ID %u", self);
		for (uint32_t j = 0; j < i; j++)
			if (ap_ids[i] == ap_ids[j])
				return tk_fail("two APs report APIC ID %u", ap_ids[i]);
	}
	return V_PASS;
}
