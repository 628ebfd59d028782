/* hlt: the LAPIC one-shot timer interrupts the guest, and HLT really halts
 * until it does. The timer frequency is unknown (hypervisor, TCG, Bochs all
 * differ), so nothing is measured against time: bounds are on the number of
 * loop iterations while the count visibly moves.
 *
 * Phase 1: with IF=1 but no HLT, the interrupt arrives once the current
 *          count reaches 0 (so a hang in phase 2 is HLT's fault, not the
 *          timer's).
 * Phase 2: ROUNDS times `sti; hlt; cli` until the interrupt was seen; a HLT
 *          that does not halt shows up as many wake-ups per interrupt. */
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define ROUNDS 5
#define DIV_16 0x3             /* divide configuration encoding for /16 */
#define DEFAULT_COUNT 100000   /* x16 bus clocks; QEMU: 1.6 ms */
#define STUCK_LIMIT 1000000u   /* reads of an unchanging current count */
#define LATE_LIMIT 100000u     /* iterations after expiry without the IRQ */

static void sti_hlt_cli(void)
{
	/* STI's interrupt shadow covers HLT: no wake-up can be lost between. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

static void timer_stop(void)
{
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | VEC_TIMER);
	lapic_write(LAPIC_TMR_INIT, 0);
}

static enum verdict phase_irq(uint32_t count)
{
	uint32_t before = tk_timer_irqs;
	lapic_write(LAPIC_TMR_INIT, count);
	uint32_t last = count + 1, same = 0, late = 0;
	__asm__ volatile("sti" ::: "memory");
	while (tk_timer_irqs == before) {
		uint32_t cur = lapic_read(LAPIC_TMR_CUR);
		if (cur == 0) {
			if (++late > LATE_LIMIT)
				break;
		} else if (cur == last) {
			if (++same > STUCK_LIMIT)
				break;
		} else {
			same = 0;
		}
		last = cur;
		cpu_relax();
	}
	cli();
	if (tk_timer_irqs != before)
		return V_PASS;
	if (late > LATE_LIMIT)
		return tk_fail("timer expired (current count 0) but no interrupt with IF=1");
	return tk_fail("timer current count stuck at %u", last);
}

enum verdict t_hlt(void)
{
	uint32_t count = DEFAULT_COUNT;
	param_u32("timer_count", &count);
	if (!count)
		count = DEFAULT_COUNT;

	/* Bare, the firmware left the 8259s programmed with the timer on
	 * vector 8; mask both so only the LAPIC can interrupt us. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);

	lapic_enable();
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_TMR_DIV, DIV_16);
	/* one-shot (mode bits 18:17 = 0), unmasked */
	lapic_write(LAPIC_LVT_TMR, VEC_TIMER);

	enum verdict v = phase_irq(count);
	if (v != V_PASS) {
		timer_stop();
		return v;
	}

	uint32_t wakeups = 0, irqs0 = tk_timer_irqs;
	uint32_t other0 = tk_spurious_irqs + tk_other_irqs;
	uint64_t t0 = rdtsc();
	for (int r = 0; r < ROUNDS; r++) {
		uint32_t before = tk_timer_irqs;
		lapic_write(LAPIC_TMR_INIT, count);
		while (tk_timer_irqs == before) {
			sti_hlt_cli();
			wakeups++;
			if (wakeups > 1000u * ROUNDS)
				break;
		}
		if (tk_timer_irqs == before)
			break;
	}
	uint32_t tsc_k = (uint32_t)((rdtsc() - t0) >> 10);
	uint32_t irqs = tk_timer_irqs - irqs0;
	uint32_t other = tk_spurious_irqs + tk_other_irqs - other0;
	timer_stop();
	tk_printf("INFO hlt rounds=%u irqs=%u wakeups=%u other-irqs=%u tsc/1024=%u\n",
		  ROUNDS, irqs, wakeups, other, tsc_k);
	if (irqs < ROUNDS)
		return tk_fail("only %u of %u timer interrupts woke HLT (%u wake-ups)",
			       irqs, ROUNDS, wakeups);
	/* One wake-up per interrupt; a little slack for stray interrupts. */
	if (wakeups > ROUNDS + other + 2)
		return tk_fail("%u wake-ups for %u interrupts: HLT does not halt",
			       wakeups, irqs);
	return V_PASS;
}
