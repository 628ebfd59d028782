/* Lock-holder preemption accounting rules; see lhp_acct.h. */
#include "vmm/obs/lhp_acct.h"

unsigned lhp_classify(const struct lhp_sample *s)
{
	if (s->cpl != 0)
		return 0;
	unsigned c = LHP_C_KERNEL;
	bool idle = s->idle_known && s->idle;
	if (!s->irq_on)
		c |= LHP_C_IRQOFF;
	if (idle)
		c |= LHP_C_IDLE;
	if (s->pc_valid) {
		/* The idle task's base count is 1 (init_idle_preempt_count in
		 * Linux 6.1's arch/x86/include/asm/preempt.h). */
		uint32_t count = s->pc & LINUX_PREEMPT_COUNT_MASK;
		c |= LHP_C_PC;
		if (count > (idle ? 1u : 0u))
			c |= LHP_C_PCOFF;
	}
	if ((c & LHP_C_PCOFF) || ((c & LHP_C_IRQOFF) && !idle))
		c |= LHP_C_CS;
	return c;
}

void lhp_counts_add(struct lhp_counts *acc, const struct lhp_counts *x)
{
	uint64_t *a = (uint64_t *)acc;
	const uint64_t *b = (const uint64_t *)x;
	for (size_t i = 0; i < LHP_COUNTS_N; i++)
		a[i] += b[i];
}

void lhp_counts_sub(struct lhp_counts *d, const struct lhp_counts *a, const struct lhp_counts *b)
{
	uint64_t *o = (uint64_t *)d;
	const uint64_t *x = (const uint64_t *)a, *y = (const uint64_t *)b;
	for (size_t i = 0; i < LHP_COUNTS_N; i++)
		o[i] = x[i] >= y[i] ? x[i] - y[i] : 0;
}

static void close_at(struct lhp_spin *s, uint64_t end, struct lhp_wait *w)
{
	w->end = end;
	w->ns = end > s->start ? end - s->start : 0;
	w->rip = s->rip;
	w->exits = s->exits;
	w->extended = w->ns > LONG_WAIT_NS;
	s->open = false;
}

bool lhp_spin_exit(struct lhp_spin *s, uint64_t now, uint64_t rip, struct lhp_wait *closed)
{
	bool did = false;
	if (s->open && now - s->resumed >= SPIN_GAP_NS) {
		/* It ran this long without spinning since its last dispatch:
		 * the old episode ended there, this exit starts a new one. */
		close_at(s, s->resumed, closed);
		did = true;
	}
	if (!s->open) {
		s->open = true;
		s->start = now;
		s->resumed = now;
		s->rip = rip;
		s->exits = 0;
	}
	s->exits++;
	return did;
}

void lhp_spin_dispatch(struct lhp_spin *s, uint64_t now)
{
	if (s->open)
		s->resumed = now;
}

bool lhp_spin_leave(struct lhp_spin *s, uint64_t now, bool halted, struct lhp_wait *closed)
{
	if (!s->open || (!halted && now - s->resumed < SPIN_GAP_NS))
		return false;   /* a short run that may still be spinning */
	close_at(s, s->resumed, closed);
	return true;
}

bool lhp_spin_flush(struct lhp_spin *s, struct lhp_wait *closed)
{
	if (!s->open)
		return false;
	close_at(s, s->resumed, closed);
	return true;
}

void lhp_count_spin(struct lhp_counts *c, const struct lhp_wait *w)
{
	c->spins++;
	c->spin_ns += w->ns;
	if (w->extended) {
		c->long_spins++;
		c->long_spin_ns += w->ns;
	}
}

void lhp_count_pv(struct lhp_counts *c, const struct lhp_wait *w)
{
	c->pv_halts++;
	c->pv_halt_ns += w->ns;
	if (w->extended) {
		c->long_pv++;
		c->long_pv_ns += w->ns;
	}
}

void lhp_count_preempt(struct lhp_counts *c, unsigned cls)
{
	c->preempts++;
	if (cls & LHP_C_CS)
		c->cs++;
	if (cls & LHP_C_KERNEL)
		c->kernel++;
	else
		c->user++;
	if (cls & LHP_C_IRQOFF)
		c->irqoff++;
	if (cls & LHP_C_IDLE)
		c->idle++;
}

uint64_t lhp_ppm(uint64_t num, uint64_t den)
{
	if (!den)
		return 0;
	/* num * 1e6 overflows above 1.8e13 ns (5 hours): scale down first. */
	while (num > (~0ull / 1000000ull)) {
		num >>= 1;
		den >>= 1;
	}
	return den ? num * 1000000ull / den : 0;
}
