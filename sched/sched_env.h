/* What the scheduler library needs from its environment. The hypervisor and
 * the host simulator (sched/sim/env.c) each implement these functions; the
 * library calls nothing else outside sched/ and core/lib.h.
 *
 * Rules for implementations:
 * - sched_env_set_timer and sched_env_kick are called with the scheduler
 *   lock held: they must only record/arm/send and never call back into the
 *   scheduler (no sched_* call from inside them).
 * - Time is monotonic nanoseconds, the same clock on every pCPU. */
#ifndef SCHED_SCHED_ENV_H
#define SCHED_SCHED_ENV_H
#include "core/lib.h"

/* Opaque storage for the environment's lock: 16 bytes, 8-aligned. The
 * hypervisor keeps a ticket spinlock and the saved interrupt flag in it, so
 * lock/unlock need no extra argument. */
struct sched_env_lock {
	uint64_t opaque[2];
};

/* Current time in ns. */
uint64_t sched_env_now(void);

/* Arm pCPU `pcpu`'s one-shot scheduling timer: at deadline_ns (absolute) that
 * pCPU must call sched_schedule(pcpu, SCHED_TICK). 0 disarms. A later call
 * replaces the earlier deadline. A deadline in the past fires at once. */
void sched_env_set_timer(unsigned pcpu, uint64_t deadline_ns);

/* pCPU `pcpu` must call sched_schedule(pcpu, SCHED_TICK) soon (an IPI in the
 * hypervisor). May be the calling pCPU; kicks may be coalesced. */
void sched_env_kick(unsigned pcpu);

/* Policy events, for traces and logs (values match the hypervisor trace's
 * TR_POL_*). VM-wide events name the VM's first vCPU. */
enum sched_event {
	SCHED_EV_DELAY = 1,   /* a preemption was delayed; value = us granted */
	SCHED_EV_COSTOP = 2,  /* the vCPU was co-stopped */
	SCHED_EV_COSTART = 3, /* ... and may run again */
	SCHED_EV_MODE = 4,    /* the VM changed mode; value = enum sched_vm_mode */
};
struct sched_vcpu;
/* Called with the scheduler lock held: record only, call nothing in sched/. */
void sched_env_event(struct sched_vcpu *v, enum sched_event ev, uint32_t value);

void sched_env_lock_init(struct sched_env_lock *l);
void sched_env_lock(struct sched_env_lock *l);
void sched_env_unlock(struct sched_env_lock *l);

#endif
