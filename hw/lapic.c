/* Local APIC driver. SDM Vol. 3 chapter 11 (APIC). */
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"
#include "core/traps.h"
#include "core/timer.h"
#include "core/log.h"

#define APIC_BASE_BSP   (1u << 8)
#define APIC_BASE_EXTD  (1u << 10)
#define APIC_BASE_EN    (1u << 11)

/* Register offsets (xAPIC MMIO; x2APIC MSR = 0x800 + off/16). */
#define REG_ID      0x020
#define REG_TPR     0x080
#define REG_EOI     0x0B0
#define REG_SVR     0x0F0
#define REG_ESR     0x280
#define REG_ICR_LO  0x300
#define REG_ICR_HI  0x310
#define REG_LVT_TMR 0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERR 0x370
#define REG_TMR_INIT 0x380
#define REG_TMR_CUR  0x390
#define REG_TMR_DIV  0x3E0

#define ICR_FIXED   0x000
#define ICR_NMI     0x400
#define ICR_INIT    0x500
#define ICR_SIPI    0x600
#define ICR_PENDING (1u << 12)
#define ICR_ASSERT  (1u << 14)
#define ICR_LEVEL   (1u << 15)
#define LVT_MASKED  (1u << 16)
#define LVT_TSC_DEADLINE (1u << 18)

static bool x2apic;
static volatile uint32_t *mmio;
static bool tsc_deadline;
static uint64_t lapic_khz;          /* count-down timer ticks per ms (divide 1) */

static uint32_t rd(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

bool lapic_is_x2apic(void) { return x2apic; }

uint32_t lapic_id(void)
{
	return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

void lapic_eoi(void) { wr(REG_EOI, 0); }

static void lapic_timer_irq(unsigned vec)
{
	timer_expire();
}

void lapic_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	bool has_x2 = c & (1u << 21);
	tsc_deadline = c & (1u << 24);
	uint64_t base = rdmsr(MSR_APIC_BASE);
	if (has_x2) {
		/* xAPIC -> x2APIC is a legal transition; never disable the APIC
		 * (Bochs cannot re-enable one). */
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		x2apic = true;
	} else {
		if (!(base & APIC_BASE_EN))
			wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
		mmio = (volatile uint32_t *)(base & ~0xfffull);
	}
	wr(REG_TPR, 0);
	wr(REG_LVT_LINT0, LVT_MASKED);
	wr(REG_LVT_LINT1, LVT_MASKED);
	wr(REG_LVT_ERR, LVT_MASKED);
	wr(REG_LVT_TMR, LVT_MASKED);
	wr(REG_SVR, 0x100 | VEC_SPURIOUS);   /* software enable */
	wr(REG_ESR, 0);
	wr(REG_ESR, 0);
	if (tsc_deadline)
		wr(REG_LVT_TMR, LVT_TSC_DEADLINE | VEC_TIMER);
	else
		wr(REG_TMR_DIV, 0xB);             /* divide by 1 */
	irq_register(VEC_TIMER, lapic_timer_irq);
}

static void icr_send(uint32_t apic_id, uint32_t lo)
{
	if (x2apic) {
		wrmsr(0x830, ((uint64_t)apic_id << 32) | lo);
		return;
	}
	uint64_t f = irq_save();
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, lo);
	for (unsigned i = 0; i < 1000000 && (rd(REG_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
	irq_restore(f);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector) { icr_send(apic_id, ICR_FIXED | ICR_ASSERT | vector); }
void lapic_send_nmi(uint32_t apic_id) { icr_send(apic_id, ICR_NMI | ICR_ASSERT); }
void lapic_send_init(uint32_t apic_id) { icr_send(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL); }
void lapic_send_sipi(uint32_t apic_id, uint8_t page) { icr_send(apic_id, ICR_SIPI | ICR_ASSERT | page); }

void lapic_timer_calibrate(void)
{
	if (tsc_deadline)
		return;
	/* Count the LAPIC timer down for 10 ms of TSC time. */
	wr(REG_LVT_TMR, LVT_MASKED | VEC_TIMER);
	wr(REG_TMR_DIV, 0xB);
	uint64_t t0 = rdtsc(), span = tsc_khz_get() * 10;
	wr(REG_TMR_INIT, 0xffffffffu);
	while (rdtsc() - t0 < span)
		cpu_relax();
	uint32_t left = rd(REG_TMR_CUR);
	wr(REG_TMR_INIT, 0);
	lapic_khz = (0xffffffffull - left) / 10;
	if (!lapic_khz)
		panic("the LAPIC timer does not count");
	pr_info("lapic: timer %llu kHz (one-shot mode)", (unsigned long long)lapic_khz);
}

const char *lapic_timer_mode(void) { return tsc_deadline ? "tsc-deadline" : "lapic-oneshot"; }

bool lapic_timer_fired(void)
{
	/* The TSC-deadline MSR reads 0 once it has fired (SDM 11.5.4.1); a
	 * one-shot count stays at 0. */
	return tsc_deadline ? !rdmsr(MSR_TSC_DEADLINE) : !rd(REG_TMR_CUR);
}

void lapic_timer_arm_tsc(uint64_t tsc)
{
	if (tsc_deadline) {
		wrmsr(MSR_TSC_DEADLINE, tsc);
		return;
	}
	if (!tsc) {
		wr(REG_TMR_INIT, 0);
		return;
	}
	uint64_t now = rdtsc();
	uint64_t ticks = 1;
	if (tsc > now)
		ticks = (tsc - now) * lapic_khz / tsc_khz_get() + 1;
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull;   /* early wake-up; timer_expire re-arms */
	wr(REG_LVT_TMR, VEC_TIMER);      /* one-shot, unmasked */
	wr(REG_TMR_INIT, (uint32_t)ticks);
}
