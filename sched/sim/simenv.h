/* The host side of sched/sched_env.h, shared by everything that runs the
 * library on the host: the simulator, the decision-cost benchmark and the
 * unit tests' scripted environment (tests/sched/fake_env.c). Time is a
 * variable the caller advances; timer and kick requests and policy events go
 * to hooks the caller installs (none installed: they are dropped). */
#ifndef SCHED_SIM_SIMENV_H
#define SCHED_SIM_SIMENV_H
#include <stdint.h>

extern uint64_t simenv_now;
extern void (*simenv_timer_hook)(unsigned pcpu, uint64_t deadline);
extern void (*simenv_kick_hook)(unsigned pcpu);
struct sched_vcpu;
extern void (*simenv_event_hook)(struct sched_vcpu *v, int ev, uint32_t value);
#endif
