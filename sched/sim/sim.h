/* The simulated machine: pCPUs that call the real scheduler library at
 * scheduling points, and vCPUs each running one synthetic guest thread. */
#ifndef SCHED_SIM_SIM_H
#define SCHED_SIM_SIM_H
#include "sched/sched.h"
#include "sched/sim/args.h"
#include "sched/sim/evq.h"
#include "sched/sim/rng.h"

enum sim_phase { PH_COMPUTE, PH_SPIN, PH_CS, PH_SLEEP };

struct sim_vcpu {
	struct sched_vcpu sv;      /* embedded, as the hypervisor's vCPU will */
	uint32_t id, vm;
	struct sim_rng rng;        /* this guest thread's draws */
	enum sim_phase phase;
	bool running;
	uint32_t gen;              /* guest-event generation */
	uint64_t remaining;        /* of COMPUTE/CS while not running */
	uint64_t phase_end;        /* of COMPUTE/CS while running */
	uint64_t seg_start;        /* start of the current running stretch */
	uint32_t lock;             /* global index of the lock wanted/held */
	uint64_t wait_start, spin_run;
	struct sim_vcpu *wprev, *wnext; /* lock waiter list */
	/* results */
	uint64_t cs, lhp, lwp, long_waits, long_waits_wall, long_spin_ns, spin_ns;
};

struct sim_vm {
	struct sched_vm sv;
	struct sched_vcpu **ptrs;
	uint32_t first;            /* index of its first vCPU */
};

struct sim_lock {
	struct sim_vcpu *holder;   /* holder, or (ticket) the waiter granted it */
	struct sim_vcpu *head, *tail;
};

struct sim_pcpu {
	struct sim_vcpu *curr;
	uint32_t timer_gen;
	bool kick_pending;
};

struct sim {
	const struct sim_config *cfg;
	struct sched_pcpu *spcpus;
	struct sim_pcpu *pcpus;
	struct sim_vcpu *vcpus;
	uint32_t nr_vcpus;
	struct sim_vm *vms;
	struct sim_lock *locks;
	struct sim_evq q;
	struct sim_rng rng;        /* machine draws: jitter, boot, TAS races */
	uint64_t now, events, checks;
};

/* Build the machine and run it; 0 or -1 (message printed, exit 2 or 3). */
int sim_run(struct sim *s, const struct sim_config *cfg, int *exit_code);
void sim_report(const struct sim *s);

/* guest.c: the workload of one vCPU. */
void guest_init(struct sim *s, struct sim_vcpu *v);
void guest_dispatch(struct sim *s, struct sim_vcpu *v);
void guest_deschedule(struct sim *s, struct sim_vcpu *v);
/* Phase end of a running vCPU; true if it now halts (HLT). */
bool guest_event(struct sim *s, struct sim_vcpu *v);
/* End of an HLT: prepare the next compute phase. */
void guest_wake(struct sim *s, struct sim_vcpu *v);
void guest_finish(struct sim *s, struct sim_vcpu *v);
#endif
