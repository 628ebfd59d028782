/* Scheduling framework: vCPU states, accounting, and the entry points the
 * environment (hypervisor or simulator) calls. Policies plug in through
 * struct sched_ops (sched/sched_ops.h). Everything here is pure C11 on top of
 * core/lib.h and sched/sched_env.h, so the same code runs in hv.elf and in
 * build/hvsim.
 *
 * Concurrency: one global lock (struct sched_env_lock) serialises every entry
 * point. Scheduling decisions are short (O(log n) for free, amortised O(1) per
 * pCPU for gang), so a global lock is adequate for the pCPU counts studied. */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H
#include "core/lib.h"
#include "sched/sched_env.h"

#define SCHED_DEFAULT_WEIGHT 256u
#define SCHED_DEFAULT_SLICE_NS 10000000ull /* 10 ms */
#define SCHED_MIN_SLICE_NS 100000ull       /* 100 us */
#define SCHED_CAP_PERIOD_NS 100000000ull   /* caps are enforced per 100 ms */
#define SCHED_NO_PCPU 0xffffffffu

enum sched_state {
	SCHED_STOPPED,  /* not scheduled at all (created, paused, removed) */
	SCHED_BLOCKED,  /* waits for an event: HLT, wait-for-SIPI */
	SCHED_RUNNABLE, /* wants a pCPU, has none (time counts as steal) */
	SCHED_RUNNING,  /* on a pCPU */
};

/* Why a pCPU calls sched_schedule(). */
enum sched_why {
	SCHED_TICK,  /* timer fired or kick: current vCPU (if any) still runnable */
	SCHED_YIELD, /* current vCPU gives up the rest of its slice (PAUSE exit) */
	SCHED_BLOCK, /* current vCPU halts until sched_wake() */
};

/* Hints later policies may use; free and gang ignore them. */
enum sched_hint {
	SCHED_HINT_CS,       /* arg 1: entered a critical section, 0: left it */
	SCHED_HINT_SPIN,     /* arg 1: started spinning, 0: stopped */
	SCHED_HINT_KICK_VCPU /* arg: index (in its VM) of the vCPU being kicked */
};

struct sched_stats {
	uint64_t run_ns;      /* time RUNNING */
	uint64_t steal_ns;    /* time RUNNABLE (wanted a pCPU, had none) */
	uint64_t blocked_ns;  /* time BLOCKED */
	uint64_t dispatches;  /* times put on a pCPU */
	uint64_t preemptions; /* taken off a pCPU while still runnable, not by yield */
	uint64_t yields;
	uint64_t migrations;  /* dispatched on another pCPU than last time */
	uint64_t wakeups;     /* blocked/stopped -> runnable */
	uint64_t wake_lat_max_ns; /* wake-up to first dispatch */
	uint64_t wake_lat_sum_ns; /* mean = sum / wakeups_dispatched */
	uint64_t wakeups_dispatched;
};

/* How a policy treats a VM. A policy may treat VMs differently and move a
 * VM between modes at run time (adaptive does); the framework counts and
 * times the changes, and sched_check() verifies the mode's promise. */
enum sched_vm_mode {
	SCHED_MODE_FREE,    /* vCPUs scheduled independently */
	SCHED_MODE_COSCHED, /* all runnable vCPUs run together or none does */
	SCHED_NR_MODES
};

/* Opaque per-object storage owned by the active policy (sizes checked at
 * compile time by SCHED_REGISTER, sched/sched_ops.h). */
#define SCHED_PRIV_VCPU_SIZE 128
#define SCHED_PRIV_VM_SIZE 128
#define SCHED_PRIV_PCPU_SIZE 64
union sched_priv_vcpu { unsigned char bytes[SCHED_PRIV_VCPU_SIZE]; uint64_t align_u64; void *align_ptr; };
union sched_priv_vm { unsigned char bytes[SCHED_PRIV_VM_SIZE]; uint64_t align_u64; void *align_ptr; };
union sched_priv_pcpu { unsigned char bytes[SCHED_PRIV_PCPU_SIZE]; uint64_t align_u64; void *align_ptr; };

struct sched_vm;

/* Embedded in the environment's vCPU. The environment fills `vm` and `index`
 * before sched_vm_add(); everything else belongs to the framework. */
struct sched_vcpu {
	struct sched_vm *vm;  /* env: owning VM */
	uint32_t index;       /* env: index in vm->vcpus[] */

	enum sched_state state;
	uint32_t pcpu;        /* pCPU it runs on, or ran on last (SCHED_NO_PCPU) */
	uint64_t state_since; /* time of the last state change or accounting */
	uint64_t woken_at;    /* wake time, until the first dispatch after it */
	bool wake_latency_open;
	bool wake_pending;    /* sched_wake() while RUNNING: next BLOCK is void */
	bool stop_pending;    /* sched_vcpu_stop() while RUNNING */
	bool hint_cs, hint_spin;
	struct sched_stats stats;
	union sched_priv_vcpu priv;
};

/* Embedded in the environment's VM. The environment fills id, nr_vcpus,
 * vcpus and the knobs (0 = default) before sched_vm_add(). */
struct sched_vm {
	uint32_t id;                /* env: unique, orders ties deterministically */
	uint32_t nr_vcpus;          /* env */
	struct sched_vcpu **vcpus;  /* env: nr_vcpus pointers */
	uint32_t weight;            /* env: share (0 -> 256) */
	uint32_t cap;               /* env: % of one pCPU the VM may use, 0 = none */
	uint64_t slice_ns;          /* env: time slice (0 -> 10 ms) */

	/* framework (read with sched_vm_mode(); set by policies only) */
	enum sched_vm_mode mode;
	uint64_t mode_since;        /* time of the last mode change */
	uint64_t mode_changes;      /* number of changes since sched_vm_add */
	uint64_t mode_ns[SCHED_NR_MODES]; /* closed time spent in each mode */

	struct sched_vm *next;      /* framework: list of VMs */
	union sched_priv_vm priv;
};

/* One per physical CPU, in an array the environment allocates. */
struct sched_pcpu {
	uint32_t id;
	struct sched_vcpu *curr;    /* vCPU on this pCPU, NULL when idle */
	uint64_t deadline;          /* armed timer, 0 = none */
	uint64_t decisions;         /* sched_schedule() calls */
	uint64_t switches;          /* ... that changed curr */
	union sched_priv_pcpu priv;
};

/* Set up the framework over `nr` pCPUs (array owned by the environment) and
 * select the build's default policy (the first of `make SCHED=...`).
 * Returns 0 or -1 with *err set. */
int sched_init(struct sched_pcpu *pcpus, uint32_t nr, const char **err);

/* Make policy `name` active. Only while no VM is added. On an unknown name,
 * -1 with *err = "unknown scheduler 'x' (available: free, gang)". */
int sched_select(const char *name, const char **err);
const char *sched_active_name(void);
/* Compiled-in policy names, separated by ", ". */
const char *sched_policy_names(void);

/* Add a VM and its vCPUs (all STOPPED). -1 with *err if the policy refuses
 * it (e.g. gang: more vCPUs than pCPUs) or the knobs are invalid. */
int sched_vm_add(struct sched_vm *vm, const char **err);
/* Remove a VM; all its vCPUs must be STOPPED or BLOCKED (not RUNNING). */
int sched_vm_remove(struct sched_vm *vm, const char **err);

/* STOPPED/BLOCKED -> RUNNABLE: an interrupt/IPI/SIPI targets the vCPU or the
 * VMM starts it. May be called from any pCPU; kicks a pCPU if needed. On a
 * RUNNING vCPU it records that its next SCHED_BLOCK must not block. */
void sched_wake(struct sched_vcpu *v);
/* STOPPED -> BLOCKED (e.g. an AP waiting for SIPI). */
void sched_vcpu_set_blocked(struct sched_vcpu *v);
/* -> STOPPED. A RUNNING vCPU is stopped at its pCPU's next sched_schedule()
 * (its pCPU is kicked). */
void sched_vcpu_stop(struct sched_vcpu *v);

/* The scheduling point of pCPU `pcpu`: accounts for its current vCPU
 * according to `why`, picks what runs next, arms the pCPU's timer. Returns
 * the vCPU to run (possibly the same one) or NULL: idle until timer/kick. */
struct sched_vcpu *sched_schedule(uint32_t pcpu, enum sched_why why);

/* Forward a guest hint to the policy (ignored by policies without the hook). */
void sched_hint(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg);

/* Statistics including the still-open interval of the current state. */
void sched_vcpu_stats(const struct sched_vcpu *v, struct sched_stats *out);

/* A VM's current mode and how it got there, for logging: *changes (if not
 * NULL) = mode changes since sched_vm_add, *ns (if not NULL, an array of
 * SCHED_NR_MODES) = time spent in each mode including the current one. */
enum sched_vm_mode sched_vm_mode(const struct sched_vm *vm, uint64_t *changes, uint64_t *ns);
/* "free" / "cosched". */
const char *sched_mode_name(enum sched_vm_mode mode);

/* Check framework and policy invariants (no vCPU on two pCPUs, states agree
 * with pCPUs, gang: no partial gang). 0 if they hold, else -1 and *err. */
int sched_check(const char **err);

#endif
