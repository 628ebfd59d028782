/* sched_env_* on the host (sched/sim/simenv.h): virtual time and hooks,
 * single-threaded. The lock only checks that the library never re-enters
 * itself (env calls made with the lock held must not call back into
 * sched_*), which is what a spinlock would deadlock on in the hypervisor. */
#include "sched/sched_env.h"
#include "sched/sim/simenv.h"
#include <stdio.h>
#include <stdlib.h>

uint64_t simenv_now;
void (*simenv_timer_hook)(unsigned pcpu, uint64_t deadline);
void (*simenv_kick_hook)(unsigned pcpu);
void (*simenv_event_hook)(struct sched_vcpu *v, int ev, uint32_t value);

uint64_t sched_env_now(void) { return simenv_now; }

void sched_env_set_timer(unsigned pcpu, uint64_t deadline_ns)
{
	if (simenv_timer_hook)
		simenv_timer_hook(pcpu, deadline_ns);
}

void sched_env_kick(unsigned pcpu)
{
	if (simenv_kick_hook)
		simenv_kick_hook(pcpu);
}

void sched_env_event(struct sched_vcpu *v, enum sched_event ev, uint32_t value)
{
	if (simenv_event_hook)
		simenv_event_hook(v, (int)ev, value);
}

void sched_env_lock_init(struct sched_env_lock *l) { l->opaque[0] = 0; }

void sched_env_lock(struct sched_env_lock *l)
{
	if (l->opaque[0]++) {
		fprintf(stderr, "sched: scheduler lock taken recursively\n");
		abort();
	}
}

void sched_env_unlock(struct sched_env_lock *l) { l->opaque[0]--; }
