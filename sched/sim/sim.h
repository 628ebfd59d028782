/* The simulated machine: pCPUs that call the real scheduler library at
 * scheduling points, and vCPUs running a synthetic guest workload. */
#ifndef SCHED_SIM_SIM_H
#define SCHED_SIM_SIM_H
#include "sched/sched.h"
#include "sched/sim/args.h"
#include "sched/sim/evq.h"
#include "sched/sim/rng.h"

/* What a vCPU's guest is doing. */
enum sim_phase {
	PH_COMPUTE,  /* spin/cpu workloads: work between critical sections */
	PH_SPIN,     /* waiting for a lock, spinning */
	PH_CS,       /* holding a lock */
	PH_SLEEP,    /* HLT for a while (spin workload, --sleep-prob) */
	PH_PV_WAIT,  /* halted in a PV lock's slow path, until kicked */
	PH_THREADS,  /* barrier workload: running guest threads */
	PH_IDLE,     /* barrier workload: no thread, halted or ballooning */
};

/* What the guest asks for after one of its events. */
enum sim_next { NEXT_RUN, NEXT_HALT, NEXT_YIELD };

struct sim_vcpu {
	struct sched_vcpu sv;      /* embedded, as the hypervisor's vCPU is */
	uint32_t id, vm;
	struct sim_rng rng;        /* this guest's draws of times and choices */
	struct sim_rng ctx_rng;    /* ... of its context (kernel mode, interrupts) */
	uint32_t wake_gen;         /* invalidates a pending timed wake-up */
	enum sim_phase phase;
	bool running;
	bool kernel, irq_off;      /* guest context at the current phase */
	bool pending;              /* the hint area's "preemption pending" */
	uint32_t gen;              /* guest-event generation */
	uint64_t remaining;        /* of COMPUTE/CS while not running */
	uint64_t phase_end;        /* of COMPUTE/CS while running */
	uint64_t seg_start;        /* start of the current running stretch */
	/* locks */
	uint32_t lock;             /* global index of the lock wanted/held */
	uint64_t wait_start, spin_run;
	uint64_t ple_window;       /* PAUSE-loop exit window (grows per exit) */
	uint64_t ple_since;        /* spinning uninterrupted since */
	bool reported;             /* LHV_SPIN sent for this wait */
	struct sim_vcpu *wprev, *wnext; /* lock waiter list */
	/* barrier workload */
	uint32_t nthreads;         /* guest threads queued here */
	double balloon;            /* the agent's balloon, in threads' worth of load */
	/* results */
	uint64_t cs, lhp, lwp, long_waits, long_waits_wall, long_spin_ns, spin_ns, chunks;
};

struct sim_thread {
	uint32_t vcpu;             /* index in its VM */
	double left;               /* ns of work left in this phase */
	bool done;                 /* arrived at the barrier */
};

struct sim_vm {
	struct sched_vm sv;
	struct sched_vcpu **ptrs;
	uint32_t first;            /* index of its first vCPU */
	enum sim_workload workload;
	/* barrier workload */
	struct sim_thread *threads;
	uint32_t nthreads, arrived, phases;
	uint64_t phase_start, phase_sum;
};

struct sim_lock {
	struct sim_vcpu *holder;   /* holder, or (FIFO locks) the waiter granted it */
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
	uint64_t *affinity;        /* per vCPU: words_per_mask words, if --pin */
	uint32_t words_per_mask;
	struct sim_evq q;
	struct sim_rng rng;        /* machine draws: jitter, boot, TAS races */
	uint64_t now, events, checks;
};

/* Build the machine and run it; 0 or -1 (message printed, exit 2 or 3). */
int sim_run(struct sim *s, const struct sim_config *cfg, int *exit_code);
void sim_report(const struct sim *s);

/* sim.c: the environment's side of the protocol, for the guest model. */
static inline struct sim_vm *sim_vm_of(struct sim *s, const struct sim_vcpu *v) { return &s->vms[v->vm]; }
/* A hint from running vCPU v, its context refreshed first; true if the
 * policy wants v to yield. */
bool sim_hint(struct sim *s, struct sim_vcpu *v, enum sched_hint hint, uint32_t arg);
/* v (running) kicks `to` (KVM_HC_KICK_CPU): hint, then wake; true if v
 * should yield (the policy asked). */
bool sim_kick(struct sim *s, struct sim_vcpu *v, struct sim_vcpu *to);
/* The guest of a halted vCPU gets an event for it (an IPI): wake it. */
void sim_wake(struct sim *s, struct sim_vcpu *v);

/* guest.c: the workload of one vCPU. */
void guest_init(struct sim *s, struct sim_vcpu *v);
void guest_dispatch(struct sim *s, struct sim_vcpu *v);
void guest_deschedule(struct sim *s, struct sim_vcpu *v);
/* A guest event of a running vCPU (phase end, spin timer). */
enum sim_next guest_event(struct sim *s, struct sim_vcpu *v);
/* Before a HLT that NEXT_HALT asked for: the hint to send (SCHED_HINT_PV_HALT,
 * SCHED_HINT_BALLOON with *arg = us) or -1, and when to wake by itself (0:
 * only when woken). */
int guest_halt_hint(struct sim *s, struct sim_vcpu *v, uint32_t *arg, uint64_t *wake_at);
/* End of an HLT (woken): prepare what it does next. */
void guest_wake(struct sim *s, struct sim_vcpu *v);
/* The guest's context for the scheduler (sched_vcpu.guest). */
void guest_context(const struct sim *s, const struct sim_vcpu *v, struct sched_guest *g);
void guest_finish(struct sim *s, struct sim_vcpu *v);
/* Post v's next guest event at `at` (invalidating the previous one). */
void guest_post(struct sim *s, struct sim_vcpu *v, uint64_t at);

/* lock.c: the spinlock workload. */
void lock_compute(struct sim *s, struct sim_vcpu *v);
void lock_dispatch(struct sim *s, struct sim_vcpu *v);
void lock_deschedule(struct sim *s, struct sim_vcpu *v);
enum sim_next lock_event(struct sim *s, struct sim_vcpu *v);
void lock_finish(struct sim *s, struct sim_vcpu *v);

/* barrier.c: the barrier workload, the guest's load balancer and the
 * balloon agent. */
void barrier_init(struct sim *s, struct sim_vm *vm);
void barrier_dispatch(struct sim *s, struct sim_vcpu *v);
void barrier_deschedule(struct sim *s, struct sim_vcpu *v);
enum sim_next barrier_event(struct sim *s, struct sim_vcpu *v);
#endif
