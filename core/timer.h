/* Per-pCPU one-shot timers on the hypervisor's nanosecond clock.
 * A timer belongs to the pCPU it was last armed on; its callback runs there
 * with interrupts off. It may be cancelled or re-armed from any pCPU, so a
 * callback can run just after a cancel from elsewhere: callbacks re-check
 * their own state. The hardware one-shot (TSC-deadline or
 * LAPIC count-down, hw/lapic.c) is always programmed for the earliest one. */
#ifndef CORE_TIMER_H
#define CORE_TIMER_H
#include "core/lib.h"
#include "core/spinlock.h"

struct timer {
	uint64_t deadline;            /* ns on the hv clock (time_now()) */
	void (*fn)(struct timer *t, void *arg);
	void *arg;
	struct timer *next;
	int cpu;                      /* queue it is on, -1 if none */
};

struct timer_queue {
	spinlock_t lock;
	struct timer *head;           /* sorted by deadline */
	uint64_t programmed;          /* deadline given to the hardware, 0 = none */
};

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg);
/* Arm (or re-arm) t on the calling pCPU (moving it from another queue). */
void timer_set(struct timer *t, uint64_t deadline_ns);
void timer_cancel(struct timer *t);
/* Run expired timers; called from the timer interrupt. */
void timer_expire(void);

/* Nanoseconds since boot, from the TSC (0 before calibration). */
uint64_t time_now(void);
void udelay(uint64_t us);

#endif
