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
	uint64_t nudged;              /* when timer_watchdog last re-sent it */
	uint64_t lost;                /* interrupts timer_watchdog found lost */
};

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg);
/* Arm (or re-arm) t on the calling pCPU (moving it from another queue). */
void timer_set(struct timer *t, uint64_t deadline_ns);
void timer_cancel(struct timer *t);
/* Run expired timers; called from the timer interrupt. */
void timer_expire(void);
/* Re-send this pCPU's timer interrupt if it is overdue by TIMER_LOST_NS
 * (lost: see timer.c); call with interrupts off at each VM exit and
 * before idling. timer_expire() does it for the other pCPUs when theirs
 * is TIMER_LATE_REMOTE_NS overdue. */
#define TIMER_LOST_NS 2000000ull
#define TIMER_LATE_REMOTE_NS 20000000ull
void timer_watchdog(void);

/* Nanoseconds since boot, from the TSC (0 before calibration). */
uint64_t time_now(void);
void udelay(uint64_t us);

#endif
