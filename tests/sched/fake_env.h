/* A scripted environment for host unit tests of sched/: on top of the host
 * environment (sched/sim/simenv.h: settable clock, recursion-checked lock)
 * it records per-pCPU timers and kick flags, and fake_run() delivers them
 * in time order the way the hypervisor's pCPU loop would. The simulator
 * drives the same host environment with its own event queue instead. */
#ifndef TESTS_SCHED_FAKE_ENV_H
#define TESTS_SCHED_FAKE_ENV_H
#include "sched/sched.h"
#include "sched/sim/simenv.h"

#define FAKE_MAX_PCPUS 64
#define fake_now simenv_now

extern uint64_t fake_timer[FAKE_MAX_PCPUS];
extern bool fake_kicked[FAKE_MAX_PCPUS];
extern uint64_t fake_kicks;
extern struct sched_pcpu fake_pcpus[FAKE_MAX_PCPUS];
extern uint32_t fake_nr_pcpus;

/* sched_init + sched_select (NULL: keep the default); aborts the test on
 * failure. */
void fake_setup(uint32_t nr_pcpus, const char *policy);
/* Deliver kicks and timers until `until` (clock ends at `until`). With
 * check set, sched_check() must hold after every delivery batch; returns
 * the number of failed checks. */
int fake_run(uint64_t until, bool check);
/* Build VM `vm` with n vCPUs from `vcpus` storage and add it. */
int fake_vm(struct sched_vm *vm, struct sched_vcpu *vcpus, struct sched_vcpu **ptrs,
	    uint32_t id, uint32_t n, const char **err);
#endif
