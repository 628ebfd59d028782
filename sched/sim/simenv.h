/* The simulator's side of sched/sched_env.h: a virtual clock and hooks the
 * machine model installs to receive timer and kick requests. */
#ifndef SCHED_SIM_SIMENV_H
#define SCHED_SIM_SIMENV_H
#include <stdint.h>

extern uint64_t simenv_now;
extern void (*simenv_timer_hook)(unsigned pcpu, uint64_t deadline);
extern void (*simenv_kick_hook)(unsigned pcpu);
#endif
