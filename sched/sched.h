/* Scheduling framework: vCPU states, accounting, and the entry points the
 * environment (hypervisor or simulator) calls. Policies plug in through
 * struct sched_ops (sched/sched_ops.h). Everything here is pure C11 on top of
 * core/lib.h and sched/sched_env.h, so the same code runs in hv.elf and in
 * build/hvsim. docs/scheduling.md ("What the hypervisor must do") is the
 * environment's contract in prose.
 *
 * Concurrency: one global lock (struct sched_env_lock) serialises every entry
 * point. Scheduling decisions are short (O(log n) for the fair queue,
 * amortised O(1) per pCPU for co-scheduling rounds), so a global lock is
 * adequate for the pCPU counts studied. */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H
#include "core/lib.h"
#include "sched/sched_env.h"

#define SCHED_DEFAULT_WEIGHT 256u
#define SCHED_DEFAULT_SLICE_NS 10000000ull /* 10 ms */
#define SCHED_MIN_SLICE_NS 100000ull       /* 100 us */
#define SCHED_CAP_PERIOD_NS 100000000ull   /* caps are enforced per 100 ms */
#define SCHED_NO_PCPU 0xffffffffu
#define SCHED_NO_VCPU 0xffffffffu
#define SCHED_SPEED_ONE 1024u              /* speed of a vCPU that has a whole pCPU */

enum sched_state {
	SCHED_STOPPED,  /* not scheduled at all (created, paused, removed) */
	SCHED_BLOCKED,  /* waits for an event: HLT, wait-for-SIPI, balloon */
	SCHED_RUNNABLE, /* wants a pCPU, has none (time counts as steal) */
	SCHED_RUNNING,  /* on a pCPU */
};

/* Why a pCPU calls sched_schedule(). */
enum sched_why {
	SCHED_TICK,  /* timer fired or kick: current vCPU (if any) still runnable */
	SCHED_YIELD, /* current vCPU gives up the rest of its slice (PAUSE-loop
		      * exit, LHV_YIELD, LHV_SPIN, KVM_HC_SCHED_YIELD, or a hint
		      * that returned true) */
	SCHED_BLOCK, /* current vCPU halts until sched_wake() */
};

/* Guest hints (sched_hint). arg is an index of a vCPU in the same VM
 * (SCHED_NO_VCPU: unknown) unless said otherwise. */
enum sched_hint {
	SCHED_HINT_CS,        /* arg 1: entered a critical section, 0: left it */
	SCHED_HINT_SPIN,      /* arg 1: PAUSE-loop exit (spinning), 0: stopped */
	SCHED_HINT_KICK_VCPU, /* KVM_HC_KICK_CPU: this vCPU kicks vCPU arg (then sched_wake it) */
	SCHED_HINT_LONG_SPIN, /* LHV_SPIN: a long spin; arg = the lock holder if known */
	SCHED_HINT_YIELD_TO,  /* KVM_HC_SCHED_YIELD: give the pCPU to vCPU arg */
	SCHED_HINT_PV_HALT,   /* the next SCHED_BLOCK waits for a kick (PV spinlock) */
	SCHED_HINT_BALLOON,   /* LHV_BALLOON: the next SCHED_BLOCK gives the pCPU
			       * back for arg microseconds (the env wakes it) */
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
	/* Policy and hint counters (0 where nothing produced them). */
	uint64_t delays;          /* pdelay: preemptions delayed at a slice end */
	uint64_t delay_ns;        /* pdelay: time run past slice ends by delays */
	uint64_t yields_on_time;  /* SCHED_YIELD while a preemption was pending */
	uint64_t overruns;        /* preempted at the delay bound, reason still there */
	uint64_t costops;         /* relaxed: times co-stopped */
	uint64_t costop_ns;       /* relaxed: time co-stopped (ESX %CSTP; part of steal) */
	uint64_t spin_exits;      /* SCHED_HINT_SPIN 1 (PAUSE-loop exits) */
	uint64_t spin_reports;    /* SCHED_HINT_LONG_SPIN (LHV_SPIN) */
	uint64_t pv_halts;        /* SCHED_HINT_PV_HALT */
	uint64_t kicks;           /* SCHED_HINT_KICK_VCPU sent */
	uint64_t directed_yields; /* yields that went to a chosen sibling */
	uint64_t balloons;        /* SCHED_HINT_BALLOON */
	uint64_t balloon_ns;      /* time blocked in balloons */
};

/* How a policy treats a VM. A policy may treat VMs differently and move a
 * VM between modes at run time (adaptive does); the framework counts and
 * times the changes, and sched_check() verifies the mode's promise. */
enum sched_vm_mode {
	SCHED_MODE_FREE,    /* vCPUs scheduled independently */
	SCHED_MODE_COSCHED, /* all runnable vCPUs run together or none does */
	SCHED_NR_MODES
};

/* The guest's state at the vCPU's last exit. The environment refreshes it
 * before every sched_schedule() of the vCPU's pCPU and before sched_hint();
 * policies read it (pdelay: is it safe to preempt? directed yield: was a
 * candidate preempted in kernel mode or a critical section?). */
struct sched_guest {
	bool kernel;   /* CPL 0 */
	bool irq_off;  /* RFLAGS.IF clear */
	uint32_t cs;   /* critical-section count from the vCPU's hint area when the
			* VM uses lhv's protocol (SCHED_VM_CS_HINTS), else 0 */
	bool pc_known; /* the env read the guest kernel's own preemption state
			* (Linux's __preempt_count, registered by a guest agent) */
	bool pc_off;   /* ... and it said "critical section": preemption or
			* interrupts off in the kernel (the LHP measurement's rule) */
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
 * (sched_vm_add does), `affinity` and `cap` before sched_vm_add(), and
 * `guest` before each scheduling point; everything else belongs to the
 * framework. */
struct sched_vcpu {
	struct sched_vm *vm;  /* env: owning VM */
	uint32_t index;       /* env: index in vm->vcpus[] */
	/* env: pCPUs it may run on, bit p of word p / 64 (at least
	 * DIV_ROUND_UP(nr_pcpus, 64) words, kept alive by the env); NULL = all. */
	const uint64_t *affinity;
	uint32_t cap;         /* env: at most cap% of one pCPU (1..100), 0 = none */
	struct sched_guest guest; /* env: see struct sched_guest */

	enum sched_state state;
	uint32_t pcpu;        /* pCPU it runs on, or ran on last (SCHED_NO_PCPU) */
	uint32_t pin;         /* the only pCPU its affinity allows, or SCHED_NO_PCPU */
	uint64_t state_since; /* time of the last state change or accounting */
	uint64_t woken_at;    /* wake time, until the first dispatch after it */
	bool wake_latency_open;
	bool wake_pending;    /* sched_wake() while RUNNING: next BLOCK is void */
	bool stop_pending;    /* sched_vcpu_stop() while RUNNING */
	bool hint_cs, hint_spin;
	/* Set by the policy when it delays this vCPU's preemption; the env
	 * copies it into the guest's hint area after each sched_schedule() that
	 * returns the vCPU; cleared by the framework when the vCPU leaves. */
	bool preempt_pending;
	bool preempted;       /* taken off while runnable, not run since */
	bool costopped;       /* relaxed: held back (sched_vcpu_costop) */
	bool pv_halted;       /* blocked after SCHED_HINT_PV_HALT */
	bool in_balloon;      /* blocked after SCHED_HINT_BALLOON */
	uint8_t yield_reason; /* hint behind the next SCHED_YIELD (sched_hint + 1), 0 = none */
	uint32_t yield_to;    /* named target of that yield, SCHED_NO_VCPU = none */
	uint64_t costop_since;
	/* Speed: share of a pCPU while runnable over the recent past. */
	uint32_t speed;       /* 0..SCHED_SPEED_ONE; read with sched_vcpu_speed() */
	uint64_t speed_start, speed_run, speed_wait;
	struct sched_stats stats;
	union sched_priv_vcpu priv;
};

/* VM flags (env). */
#define SCHED_VM_CS_HINTS 1u /* the guest keeps lhv's critical-section count */

/* Embedded in the environment's VM. The environment fills id, nr_vcpus,
 * vcpus, flags and the knobs (0 = default) before sched_vm_add(). */
struct sched_vm {
	uint32_t id;                /* env: unique, orders ties deterministically */
	uint32_t nr_vcpus;          /* env */
	struct sched_vcpu **vcpus;  /* env: nr_vcpus pointers */
	uint32_t weight;            /* env: share (0 -> 256) */
	uint32_t cap;               /* env: % of one pCPU the VM may use, 0 = none */
	uint64_t slice_ns;          /* env: time slice (0 -> 10 ms) */
	uint32_t flags;             /* env: SCHED_VM_* */

	/* framework (read with sched_vm_mode(); set by policies only) */
	enum sched_vm_mode mode;
	uint64_t mode_since;        /* time of the last mode change */
	uint64_t mode_changes;      /* number of changes since sched_vm_add */
	uint64_t mode_ns[SCHED_NR_MODES]; /* closed time spent in each mode */
	uint32_t last_boosted;      /* directed yield: round-robin position */
	uint32_t nr_waiting;        /* vCPUs RUNNABLE (waiting for a pCPU) */

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

/* Set up the framework over `nr` pCPUs (array owned by the environment),
 * reset every policy's knobs to their defaults and select the build's
 * default policy (the first of `make SCHED=...`). 0 or -1 with *err. */
int sched_init(struct sched_pcpu *pcpus, uint32_t nr, const char **err);

/* Make policy `name` active. Only while no VM is added. On an unknown name,
 * -1 with *err = "unknown scheduler 'x' (available: free, gang)". */
int sched_select(const char *name, const char **err);
const char *sched_active_name(void);
/* Compiled-in policy names, separated by ", ". */
const char *sched_policy_names(void);

/* Set a policy knob: "pdelay.bound" = "500us". Any compiled-in policy's
 * knobs may be set, active or not, after sched_init and before its VMs run.
 * -1 with *err naming the knob on an unknown policy or knob, a malformed
 * value or one out of range. Times take ns/us/ms/s suffixes. */
int sched_set_param(const char *knob, const char *value, const char **err);
/* One line per knob of the compiled-in policies ("pdelay.bound=1ms
 * (10us..100ms) longest delay of a preemption"), i = 0, 1, ...; NULL past
 * the end. The string is overwritten by the next call. */
const char *sched_param_describe(uint32_t i);

/* Add a VM and its vCPUs (all STOPPED). -1 with *err if the policy refuses
 * it (e.g. gang: more vCPUs than pCPUs) or the knobs are invalid. */
int sched_vm_add(struct sched_vm *vm, const char **err);
/* Remove a VM; all its vCPUs must be STOPPED or BLOCKED (not RUNNING). */
int sched_vm_remove(struct sched_vm *vm, const char **err);

/* STOPPED/BLOCKED -> RUNNABLE: an interrupt/IPI/SIPI/kick targets the vCPU,
 * its balloon ended or the VMM starts it. May be called from any pCPU;
 * kicks a pCPU if needed. On a RUNNING vCPU it records that its next
 * SCHED_BLOCK must not block. */
void sched_wake(struct sched_vcpu *v);
/* STOPPED -> BLOCKED (e.g. an AP waiting for SIPI). */
void sched_vcpu_set_blocked(struct sched_vcpu *v);
/* -> STOPPED. A RUNNING vCPU is stopped at its pCPU's next sched_schedule()
 * (its pCPU is kicked). */
void sched_vcpu_stop(struct sched_vcpu *v);

/* The scheduling point of pCPU `pcpu`: accounts for its current vCPU
 * according to `why`, picks what runs next, arms the pCPU's timer. Returns
 * the vCPU to run (possibly the same one) or NULL: idle until timer/kick.
 * Refresh the current vCPU's `guest` first. */
struct sched_vcpu *sched_schedule(uint32_t pcpu, enum sched_why why);

/* A guest hint from the RUNNING vCPU v (refresh v->guest first). Returns
 * true when v should leave its pCPU now: the env then calls
 * sched_schedule(pcpu, SCHED_YIELD) at its next chance. */
bool sched_hint(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg);

/* Statistics including the still-open interval of the current state. */
void sched_vcpu_stats(const struct sched_vcpu *v, struct sched_stats *out);

/* The vCPU's speed for its hint area (0..SCHED_SPEED_ONE = share of a pCPU
 * while it wanted one, over the last ~100 ms), or 0 when the active policy
 * does not publish speeds (the guest then assumes full speed). */
uint32_t sched_vcpu_speed(const struct sched_vcpu *v);

/* A VM's current mode and how it got there, for logging: *changes (if not
 * NULL) = mode changes since sched_vm_add, *ns (if not NULL, an array of
 * SCHED_NR_MODES) = time spent in each mode including the current one. */
enum sched_vm_mode sched_vm_mode(const struct sched_vm *vm, uint64_t *changes, uint64_t *ns);
/* "free" / "cosched". */
const char *sched_mode_name(enum sched_vm_mode mode);

/* Check framework and policy invariants (no vCPU on two pCPUs, states agree
 * with pCPUs, co-scheduled VMs: no partial gang). 0 if they hold, else -1
 * and *err. */
int sched_check(const char **err);

#endif
