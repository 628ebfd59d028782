/* irqonce: every maskable interrupt is delivered once, and only to code
 * that runs with IF set. The LAPIC timer fires periodically while the CPU
 * spins with IF=1; the handler (idt.c, VEC_IRQONCE) looks at the frame it
 * was given: an EFLAGS image with IF clear means the interrupt arrived
 * while IF was 0, which no CPU does (SDM 6.8.1); a frame whose EIP is an
 * interrupt stub means a second delivery before the first handler ran an
 * instruction. Each interrupt holds the handler for a while with IF clear
 * and without exits (a PAUSE loop), because that is where a hypervisor or
 * emulator that delivers an interrupt twice shows it: QEMU's TCG did with
 * interrupts injected through AMD-V's EVENTINJ (docs/svm.md).
 *
 *   irq_count=N   interrupts to take (default 5000)
 *   irq_period=N  LAPIC timer initial count, divide by 16 (default 2000)
 *   irq_hold=N    PAUSEs in the handler (default 2000) */
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define DIV_16 0x3
#define LVT_PERIODIC (1u << 17)
/* TSC ticks without a new interrupt before the test gives up (about 4 s
 * of a 2.6 GHz TSC under QEMU; this test is not meant for Bochs). */
#define IDLE_TSC (10ull << 30)

enum verdict t_irqonce(void)
{
	uint32_t count = 5000, period = 2000, hold = 2000;
	param_u32("irq_count", &count);
	param_u32("irq_period", &period);
	param_u32("irq_hold", &hold);
	if (!count || !period)
		return tk_fail("irq_count and irq_period must not be 0");

	outb(0x21, 0xff);       /* only the LAPIC may interrupt (see hlt) */
	outb(0xa1, 0xff);
	lapic_enable();
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_TMR_DIV, DIV_16);
	tk_irqonce_hold = hold;
	tk_irqonce_taken = tk_irqonce_if_off = tk_irqonce_nested = 0;
	lapic_write(LAPIC_LVT_TMR, LVT_PERIODIC | VEC_IRQONCE);
	lapic_write(LAPIC_TMR_INIT, period);

	uint32_t last = 0;
	uint64_t t0 = rdtsc(), seen = t0;
	__asm__ volatile("sti" ::: "memory");
	while (tk_irqonce_taken < count) {
		uint32_t now = tk_irqonce_taken;
		if (now != last) {
			last = now;
			seen = rdtsc();
		} else if (rdtsc() - seen > IDLE_TSC) {
			break;
		}
		cpu_relax();
	}
	cli();
	/* The vector's ISR and IRR bits and the timer's state, for a stall. */
	uint32_t bit = 1u << (VEC_IRQONCE % 32), reg = (VEC_IRQONCE / 32) * 0x10;
	bool isr = lapic_read(0x100 + reg) & bit, irr = lapic_read(0x200 + reg) & bit;
	uint32_t cur = lapic_read(LAPIC_TMR_CUR), lvt = lapic_read(LAPIC_LVT_TMR);
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED | VEC_IRQONCE);
	lapic_write(LAPIC_TMR_INIT, 0);
	uint32_t tsc_k = (uint32_t)((rdtsc() - t0) >> 10);
	tk_printf("INFO irqonce irqs=%u if_off=%u nested=%u last_bad_eip=0x%x tsc/1024=%u\n",
		  tk_irqonce_taken, tk_irqonce_if_off, tk_irqonce_nested, tk_irqonce_bad_eip, tsc_k);
	if (tk_irqonce_if_off || tk_irqonce_nested)
		return tk_fail("%u interrupts arrived with IF=0, %u on top of an interrupt not yet handled "
			       "(EIP 0x%x)", tk_irqonce_if_off, tk_irqonce_nested, tk_irqonce_bad_eip);
	if (tk_irqonce_taken < count)
		return tk_fail("the interrupts stopped after %u of %u (vector in ISR %d, in IRR %d; timer "
			       "count %u, LVT 0x%x)", tk_irqonce_taken, count, isr, irr, cur, lvt);
	return V_PASS;
}
