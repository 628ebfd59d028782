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
/* Policy events (sched_env_event) since fake_setup, by enum sched_event:
 * how many, and the last one's value and vCPU. */
#define FAKE_NR_EVENTS 5
extern uint64_t fake_events[FAKE_NR_EVENTS];
extern uint32_t fake_event_value[FAKE_NR_EVENTS];
extern struct sched_vcpu *fake_event_vcpu[FAKE_NR_EVENTS];

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

/* The asymmetric machine of several tests: 2 pCPUs; VM 0's vCPU 0 is
 * pinned to pCPU 0 (alone there), its vCPU 1 to pCPU 1, which it shares
 * with VM 1's single vCPU. fake_asym() builds it under `policy`, wakes
 * everyone and lets both pCPUs enter their loops at the current time. */
struct fake_asym {
	struct sched_vm vm[2];
	struct sched_vcpu vc0[2], vc1[1];
	struct sched_vcpu *p0[2], *p1[1];
};
void fake_asym(struct fake_asym *a, const char *policy);
#endif
