/* kicklat: how long a vCPU halted with interrupts off takes to run again
 * after another vCPU's KVM_HC_KICK_CPU, in guest TSC ticks (under Bochs
 * about one per emulated instruction; `make bench` records it, docs/
 * benchmarks.md). The BSP and the first AP play ping-pong ROUNDS times:
 * the AP halts (cli; hlt), the BSP reads the TSC, kicks it and halts
 * itself; the woken AP reads the TSC (the latency is the difference; the
 * TSC is the VM's, the same on every vCPU) and kicks the BSP back. With
 * one pCPU the kick's latency includes the kicker's own HLT (its pCPU is
 * needed); with an idle pCPU for the AP, the wake-up IPI to it. Prints
 *   KICKLAT rounds=<n> min=<ticks> median=<ticks> max=<ticks>
 * Needs PV unhalt and an AP (smp first). */
#include "guest/testkern/lapic.h"
#include "guest/testkern/pv.h"
#include "guest/testkern/smp.h"
#include "guest/testkern/tests.h"

#define ROUNDS 16
#define SETTLE 20000u          /* pauses: the AP gets from "ready" to a blocked HLT */

static volatile uint32_t kl_ready, kl_bsp;
static volatile uint64_t kl_t0;
static uint32_t kl_lat[ROUNDS];

static void job_pong(uint32_t slot __attribute__((unused)))
{
	for (uint32_t r = 0; r < ROUNDS; r++) {
		kl_ready = r + 1;
		__asm__ volatile("cli; hlt" ::: "memory");
		kl_lat[r] = (uint32_t)(rdtsc() - kl_t0);
		pv_call(KVM_HC_KICK_CPU, 0, kl_bsp, 0, 0);
	}
}

enum verdict t_kicklat(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	if (!pv_has(KVM_FEATURE_PV_UNHALT))
		return tk_skip("no PV unhalt in pv=");
	if (!ap_count())
		return tk_skip("needs an AP (run smp first)");
	uint32_t ap = ap_apic_id(0);
	kl_bsp = lapic_id();
	kl_ready = 0;
	if (!ap_start_job(0, job_pong))
		return tk_fail("the AP does not take jobs");
	for (uint32_t r = 0; r < ROUNDS; r++) {
		for (uint32_t i = 0; kl_ready != r + 1; i++)
			if (i > 200000000u)
				return tk_fail("the AP did not get ready for round %u", r);
		for (uint32_t i = 0; i < SETTLE; i++)
			cpu_relax();
		kl_t0 = rdtsc();
		if (pv_call(KVM_HC_KICK_CPU, 0, ap, 0, 0) != 0)
			return tk_fail("kick failed in round %u", r);
		__asm__ volatile("cli; hlt" ::: "memory");   /* until the AP kicks back */
	}
	ap_wait_job(0, 100000000u);
	/* Insertion sort: 16 values. */
	uint32_t s[ROUNDS];
	for (uint32_t i = 0; i < ROUNDS; i++) {
		uint32_t x = kl_lat[i], j = i;
		for (; j && s[j - 1] > x; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	tk_printf("KICKLAT rounds=%u min=%u median=%u max=%u\n", ROUNDS, s[0], s[ROUNDS / 2],
		  s[ROUNDS - 1]);
	if (!s[0])
		return tk_fail("a wake-up took 0 ticks");
	return V_PASS;
}
