/* Per-pCPU timer queues on top of the LAPIC one-shot. */
#include "core/timer.h"
#include "core/percpu.h"
#include "core/log.h"
#include "core/traps.h"
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

/* A host timer interrupt can be lost where the "hardware" is QEMU's TCG
 * with AMD-V: QEMU 7.2's VMRUN sets its vCPU's virtual-interrupt request
 * bit with a plain read-modify-write, outside the lock under which the
 * APIC raises interrupts, so a raise that lands in between is undone. The
 * vector then stays in the APIC's IRR, nobody raises it again, and this
 * pCPU's timers stop until another interrupt comes (a vCPU that never
 * exits runs on, a guest waiting for its timer waits forever). An IPI
 * with the timer's vector makes the APIC raise it again; a needless one
 * only runs timer_expire() once more. */
static bool overdue(const struct timer_queue *q, uint64_t now, uint64_t late)
{
	uint64_t d = __atomic_load_n(&q->programmed, __ATOMIC_RELAXED);
	uint64_t last = __atomic_load_n(&q->nudged, __ATOMIC_RELAXED);
	return d && now >= d + late && now >= last + late;
}

static void resend(struct pcpu *p, uint64_t now)
{
	__atomic_store_n(&p->timers.nudged, now, __ATOMIC_RELAXED);
	lapic_send_ipi(p->apic_id, VEC_TIMER);
}

/* Here, after a VM exit (the entry path took the interrupts pending
 * then) or before idling, a deadline long past whose timer has run out
 * was lost. One whose timer still counts is only late: the LAPIC's clock
 * and the TSC disagree a little under emulators (Bochs tests saw
 * deadlines 2.5-6.5 ms late). */
void timer_watchdog(void)
{
	struct pcpu *p = this_cpu();
	uint64_t now = time_now(), d = p->timers.programmed;
	if (!overdue(&p->timers, now, TIMER_LOST_NS) || !lapic_timer_fired())
		return;
	resend(p, now);
	if (p->timers.lost++ == 0)
		pr_warn("timer: cpu%u's timer interrupt is %llu us late: lost, sent again "
			"(QEMU's TCG loses some, docs/svm.md)", p->id, (unsigned long long)((now - d) / 1000));
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
	/* Another pCPU whose timer interrupt was lost may never exit its
	 * guest to notice (timer_watchdog): look for it from here, later, as
	 * that one may only have interrupts off for a while (loading a VM) or
	 * a slow LAPIC clock. Its LAPIC cannot be read from here. */
	unsigned me = this_cpu()->id;
	for (unsigned i = 0; i < npcpus; i++)
		if (i != me && pcpus[i].online && !pcpus[i].stopped &&
		    overdue(&pcpus[i].timers, now, TIMER_LATE_REMOTE_NS))
			resend(&pcpus[i], now);
}
