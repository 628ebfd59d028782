/* The scheduler library's environment in the hypervisor (sched/sched_env.h).
 *
 * clock  time_now(): ns since boot from the TSC, the same on every pCPU.
 * timer  one struct timer per pCPU (core/timer.h). Those are armed on the
 *        pCPU that calls timer_set(), so the deadline is first stored in
 *        runpc[p]; when p is the calling pCPU it is armed at once, otherwise
 *        p gets a VEC_KICK IPI and its handler arms it there
 *        (sched_env_hv_sync_timer). In practice the framework only sets the
 *        timer of the pCPU inside sched_schedule(), i.e. the calling one.
 *        Expiry sets runpc[p].need_resched: the guest leaves at its next
 *        exit (the timer interrupt causes one) and the run loop calls
 *        sched_schedule(p, SCHED_TICK). The VMX preemption timer is given
 *        the same deadline (vmm_slice_left_tsc), so a guest that masks
 *        interrupts still leaves on time.
 * kick   runpc[p].need_resched = true, plus VEC_KICK to p unless p is the
 *        calling pCPU or the flag was already set (then p has not yet
 *        reached its scheduling point, which runs after this lock holder's
 *        changes: kicks coalesce).
 * lock   a ticket spinlock plus the interrupt flag saved when it was taken,
 *        in the 16 opaque bytes: interrupts stay off while it is held, so it
 *        is safe from the timer and IPI paths.
 *
 * set_timer and kick run with the scheduler lock held and call nothing in
 * sched/. Lock order: vcpu->lock, then the scheduler lock, then a timer
 * queue's lock. */
#include "sched/sched_env.h"
#include "vmm/run/run.h"
#include "vmm/obs/obs.h"
#include "core/percpu.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "core/traps.h"
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"

struct hv_lock {
	spinlock_t sl;
	uint64_t flags;         /* RFLAGS of the holder before it took the lock */
};
_Static_assert(sizeof(struct hv_lock) <= sizeof(struct sched_env_lock), "hv_lock too big");
_Static_assert(_Alignof(struct hv_lock) <= _Alignof(struct sched_env_lock), "hv_lock alignment");

static struct hv_lock *hl(struct sched_env_lock *l) { return (struct hv_lock *)(void *)l; }

void sched_env_lock_init(struct sched_env_lock *l)
{
	*hl(l) = (struct hv_lock){ SPINLOCK_INIT, 0 };
}

void sched_env_lock(struct sched_env_lock *l)
{
	uint64_t f = irq_save();
	spin_lock(&hl(l)->sl);
	hl(l)->flags = f;
}

void sched_env_unlock(struct sched_env_lock *l)
{
	uint64_t f = hl(l)->flags;
	spin_unlock(&hl(l)->sl);
	irq_restore(f);
}

uint64_t sched_env_now(void)
{
	return time_now();
}

/* Arm or disarm this pCPU's timer from runpc[me].deadline (interrupts off). */
static void arm_local(struct run_pcpu *rp)
{
	uint64_t d = __atomic_load_n(&rp->deadline, __ATOMIC_ACQUIRE);
	if (d)
		timer_set(&rp->timer, d);
	else
		timer_cancel(&rp->timer);
}

void sched_env_set_timer(unsigned pcpu, uint64_t deadline)
{
	struct run_pcpu *rp = &runpc[pcpu];
	/* The same instant the core timer programs the hardware for, so the
	 * VMX preemption timer and the interrupt agree. */
	rp->deadline_tsc = deadline ? tsc_boot + ns_to_tsc(deadline) + 1 : 0;
	__atomic_store_n(&rp->deadline, deadline, __ATOMIC_RELEASE);
	if (pcpu == cpu_id()) {
		arm_local(rp);
		return;
	}
	__atomic_store_n(&rp->timer_dirty, true, __ATOMIC_SEQ_CST);
	lapic_send_ipi(pcpus[pcpu].apic_id, VEC_KICK);
}

void sched_env_kick(unsigned pcpu)
{
	bool was = __atomic_exchange_n(&runpc[pcpu].need_resched, true, __ATOMIC_SEQ_CST);
	if (pcpu != cpu_id() && !was)
		lapic_send_ipi(pcpus[pcpu].apic_id, VEC_KICK);
}

_Static_assert((int)SCHED_EV_DELAY == TR_POL_DELAY && (int)SCHED_EV_COSTOP == TR_POL_COSTOP &&
	       (int)SCHED_EV_COSTART == TR_POL_COSTART && (int)SCHED_EV_MODE == TR_POL_MODE,
	       "policy events are the trace's TR_POL_* values");

/* Into this pCPU's trace ring only (lock-free, interrupts off): the console
 * line of a mode change is printed outside the lock (log_mode, pcpu.c). */
void sched_env_event(struct sched_vcpu *sv, enum sched_event ev, uint32_t value)
{
	obs_policy_event((struct vcpu *)(void *)((char *)sv - offsetof(struct vcpu, sched)),
			 (enum trace_policy)ev, value);
}

void sched_env_hv_sync_timer(void)
{
	struct run_pcpu *rp = &runpc[cpu_id()];
	if (__atomic_exchange_n(&rp->timer_dirty, false, __ATOMIC_SEQ_CST))
		arm_local(rp);
}

/* The scheduler timer of this pCPU expired (interrupt context). */
static void sched_timer_fire(struct timer *t, void *arg)
{
	struct run_pcpu *rp = arg;
	uint64_t d = __atomic_load_n(&rp->deadline, __ATOMIC_ACQUIRE);
	if (!d)
		return;                 /* disarmed meanwhile */
	if (time_now() < d) {
		timer_set(t, d);        /* moved later meanwhile: never early */
		return;
	}
	__atomic_store_n(&rp->need_resched, true, __ATOMIC_SEQ_CST);
}

void sched_env_hv_init(void)
{
	for (unsigned i = 0; i < MAX_PCPUS; i++)
		timer_init(&runpc[i].timer, sched_timer_fire, &runpc[i]);
}
