/* Per-pCPU timer queues on top of the LAPIC one-shot. */
#include "core/timer.h"
#include "core/percpu.h"
#include "core/log.h"
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"

uint64_t time_now(void)
{
	if (!tsc_khz_get())
		return 0;
	return tsc_to_ns(rdtsc() - tsc_boot);
}

void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + ns_to_tsc(us * 1000);
	while (rdtsc() < end)
		cpu_relax();
}

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg)
{
	*t = (struct timer){ .fn = fn, .arg = arg, .cpu = -1 };
}

static void reprogram(struct timer_queue *q)
{
	uint64_t d = q->head ? q->head->deadline : 0;
	if (d == q->programmed)
		return;
	q->programmed = d;
	lapic_timer_arm_tsc(d ? tsc_boot + ns_to_tsc(d) + 1 : 0);
}

static void unlink(struct timer_queue *q, struct timer *t)
{
	for (struct timer **pp = &q->head; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->next = NULL;
	t->cpu = -1;
}

void timer_set(struct timer *t, uint64_t deadline)
{
	uint64_t f = irq_save();
	timer_cancel(t);
	struct pcpu *me = this_cpu();
	spin_lock(&me->timers.lock);
	t->deadline = deadline ? deadline : 1;
	struct timer **pp = &me->timers.head;
	while (*pp && (*pp)->deadline <= t->deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->cpu = (int)me->id;
	reprogram(&me->timers);
	spin_unlock(&me->timers.lock);
	irq_restore(f);
}

void timer_cancel(struct timer *t)
{
	uint64_t f = irq_save();
	for (;;) {
		int cpu = __atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE);
		if (cpu < 0)
			break;
		struct timer_queue *q = &pcpus[cpu].timers;
		spin_lock(&q->lock);
		if (t->cpu == cpu) {
			unlink(q, t);
			/* A remote queue keeps its hardware deadline; the early
			 * interrupt finds nothing due and re-arms. */
			if (cpu == (int)cpu_id())
				reprogram(q);
			spin_unlock(&q->lock);
			break;
		}
		spin_unlock(&q->lock);
	}
	irq_restore(f);
}

void timer_expire(void)
{
	struct timer_queue *q = &this_cpu()->timers;
	spin_lock(&q->lock);
	uint64_t now = time_now();
	q->programmed = 0;
	/* Run at most the timers due when this started: a callback that
	 * re-arms its timer in the past (a guest's 1 ns period, say) runs
	 * again at the next interrupt, so no timer keeps the pCPU here. */
	unsigned due = 0;
	for (struct timer *t = q->head; t && t->deadline <= now; t = t->next)
		due++;
	while (due-- && q->head && q->head->deadline <= now) {
		struct timer *t = q->head;
		unlink(q, t);
		spin_unlock(&q->lock);
		t->fn(t, t->arg);
		spin_lock(&q->lock);
	}
	reprogram(q);
	spin_unlock(&q->lock);
}
