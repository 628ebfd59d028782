/* Pure local APIC rules: see vlapic_rules.h. */
#include "vmm/dev/vlapic_rules.h"

uint64_t vlapic_divisor(uint32_t tdcr)
{
	unsigned d = (tdcr & 3) | ((tdcr >> 1) & 4);
	return d == 7 ? 1 : 2ull << d;
}

uint64_t vlapic_period_ns(uint32_t count, uint64_t div, bool periodic)
{
	uint64_t ns = (uint64_t)count * div;        /* < 2^39: no overflow */
	return periodic && ns < VLAPIC_MIN_PERIOD_NS ? VLAPIC_MIN_PERIOD_NS : ns;
}

uint64_t vlapic_next_period(uint64_t deadline, uint64_t period, uint64_t now)
{
	uint64_t next = deadline + period;
	return next <= now ? now + period : next;
}

uint32_t vlapic_current_count(uint64_t left_ns, uint64_t div, uint32_t count)
{
	uint64_t c = left_ns / div;
	return c > count ? count : (uint32_t)c;
}

/* Bits a guest may write in each x2APIC register (everything else is
 * reserved: SDM Figures 11-8, 11-23, 11-12, 11-10, 11-26). */
#define M_LVT_TIMER  0x000700ffull     /* vector, mask, timer mode */
#define M_LVT_INTR   0x000107ffull     /* vector, delivery mode, mask */
#define M_LVT_LINT   0x0001a7ffull     /* + polarity, trigger mode */
#define M_LVT_ERROR  0x000100ffull     /* vector, mask */
#define M_ICR        0xffffffff000ccfffull  /* vector, mode, dest mode, level,
						* trigger, shorthand, destination */

bool vlapic_x2apic_access_ok(unsigned off, bool write, uint64_t val)
{
	if (off >= 0x100 && off < 0x280)                /* ISR, TMR, IRR */
		return !write;
	uint64_t mask;
	switch (off) {
	case 0x020: case 0x030: case 0x0a0: case 0x0d0: case 0x390:
		return !write;                          /* ID, version, PPR, LDR, current count */
	case 0x0b0: case 0x280:
		/* EOI (write-only) and ESR: only zero may be written. */
		return write ? val == 0 : off == 0x280;
	case 0x3f0: return write && !(val & ~0xffull);          /* self IPI */
	case 0x080: mask = 0xff; break;                         /* TPR */
	case 0x0f0: mask = 0x1ff; break;                        /* SVR: vector, enable */
	case 0x2f0: case 0x330: case 0x340: mask = M_LVT_INTR; break;  /* CMCI, thermal, perf */
	case 0x300: mask = M_ICR; break;
	case 0x320: mask = M_LVT_TIMER; break;
	case 0x350: case 0x360: mask = M_LVT_LINT; break;
	case 0x370: mask = M_LVT_ERROR; break;
	case 0x380: mask = 0xffffffffull; break;                /* initial count */
	case 0x3e0: mask = 0xb; break;                          /* divide configuration */
	default: return false;                                  /* no register here */
	}
	return !write || !(val & ~mask);
}
