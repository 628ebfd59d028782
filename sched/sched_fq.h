/* The fair queue: proportional share by weight, work-conserving, vCPUs
 * migrate freely. The core of `free`, and the free half of policies that
 * build on it (pdelay, balloon, relaxed, adaptive): it schedules the vCPUs of
 * the VMs in SCHED_MODE_FREE and ignores the others.
 *
 * Run queues ordered by weighted virtual time: a vCPU's vtime advances by run
 * time * 256 * n / weight (n = vCPUs of its VM), so busy VMs get CPU in
 * proportion to their weights. A pCPU picks the least-vtime vCPU it may run
 * at its scheduling point; at slice end the outgoing vCPU competes again
 * with its new vtime. A vCPU that wakes is placed no further than half a
 * slice behind the largest vtime dispatched so far (on its pCPU, if pinned to
 * one), so sleeping builds no unbounded credit, and an idle pCPU it may run
 * on is kicked for it.
 *
 * Affinity: a vCPU pinned to one pCPU waits in that pCPU's own queue; the
 * others share one global queue, from which a pCPU skips the vCPUs its
 * affinity excludes.
 *
 * Caps (per VM and per vCPU): cap% * 100 ms of budget per 100 ms period
 * (aligned to multiples of the period); slices are cut to the remaining
 * budget, an overrun is carried as debt into the next period, and vCPUs out
 * of budget (theirs or their VM's) are parked until a period boundary. Idle
 * pCPUs arm their timer at the next boundary while anything is parked.
 *
 * Directed yield (while *dyield, the policy's knob, is set): a SCHED_YIELD with a spin
 * reason (PAUSE-loop exit, LHV_SPIN, KVM_HC_SCHED_YIELD, kick) hands the
 * pCPU to the sibling sched_yield_candidate() chooses, when it waits here.
 *
 * A policy embeds struct fq_vcpu / fq_vm / fq_pcpu in its private types and
 * tells fq_init where (offsets into the priv areas). */
#ifndef SCHED_SCHED_FQ_H
#define SCHED_SCHED_FQ_H
#include "sched/sched_heap.h"
#include "sched/sched_ops.h"

struct fq_budget {
	int64_t left;        /* ns left in this period */
	uint64_t period;     /* index of the period `left` refers to */
};

struct fq_vcpu {
	struct sched_heap_node node; /* key = vtime */
	struct sched_vcpu *park_next;
	struct fq_budget cap;        /* per-vCPU cap */
	bool queued, parked;
};

struct fq_vm {
	struct fq_budget cap;
};

struct fq_pcpu {
	struct sched_pcpu *idle_prev, *idle_next;
	struct sched_heap local;     /* vCPUs pinned to this pCPU */
	uint64_t vmin;               /* largest vtime dispatched here */
	uint64_t slice_end;          /* end of the running vCPU's slice */
	bool idle;
};

struct sched_fq;
/* A policy's veto on a vCPU the queue is about to run (relaxed: co-stop a
 * vCPU that leads its siblings too far). true: the policy keeps v (out of
 * the queue) until it gives it back with fq_requeue(). */
typedef bool (*fq_hold_fn)(struct sched_fq *q, struct sched_vcpu *v, uint64_t now);

struct sched_fq {
	size_t vcpu_off, vm_off, pcpu_off; /* of the fq_* structs in priv */
	const uint64_t *dyield;      /* set by the policy: its dyield knob (NULL: off) */
	fq_hold_fn hold;             /* set by the policy, may be NULL */
	struct sched_heap rq;        /* vCPUs not pinned to one pCPU */
	uint64_t vmin;               /* largest vtime dispatched so far */
	struct sched_pcpu *idle;     /* idle pCPUs not yet kicked */
	struct sched_vcpu *parked;   /* out of budget */
	uint64_t refill_at;          /* next period boundary to look at parked vCPUs */
};

/* Reset q; the fq_* structs sit at these offsets of the priv areas. */
void fq_init(struct sched_fq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off);

struct fq_vcpu *fq_vcpu(const struct sched_fq *q, struct sched_vcpu *v);
struct fq_pcpu *fq_pcpu(const struct sched_fq *q, struct sched_pcpu *p);

/* The policy hooks, for VMs in SCHED_MODE_FREE (see sched_ops.h). */
void fq_vm_add(struct sched_fq *q, struct sched_vm *vm, uint64_t now);
void fq_wake(struct sched_fq *q, struct sched_vcpu *v, uint64_t now);
void fq_sleep(struct sched_fq *q, struct sched_vcpu *v);
void fq_charge(struct sched_fq *q, struct sched_vcpu *v, uint64_t ran, uint64_t now);
struct sched_vcpu *fq_pick(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   enum sched_why why, uint64_t now, uint64_t *deadline);
/* "A free-mode vCPU is queued or parked iff it is RUNNABLE and not held". */
int fq_check(const struct sched_fq *q, const char **err);

/* For policies built on the queue. */
/* Queue a RUNNABLE vCPU the policy held or took over (keeps its vtime) and
 * kick an idle pCPU for it. */
void fq_requeue(struct sched_fq *q, struct sched_vcpu *v);
/* The hint hook of a policy built on the queue: true (yield now) after a
 * kick whose target waits in the queue or is about to (halted), when
 * directed yield is on (KVM yields to the kicked vCPU after KVM_HC_KICK_CPU). */
bool fq_hint(struct sched_fq *q, struct sched_vcpu *v, enum sched_hint hint, uint32_t arg);
/* Someone waits in a queue p may take from (p's own or the global one). */
bool fq_contended(struct sched_fq *q, struct sched_pcpu *p);
/* p runs something the queue did not give it: not idle for the queue. */
void fq_pcpu_busy(struct sched_fq *q, struct sched_pcpu *p);
/* Least vtime of the free-mode vCPUs that want a pCPU, counting the run
 * time not charged yet of running ones; UINT64_MAX if none. O(pCPUs). */
uint64_t fq_min_vtime(struct sched_fq *q, uint64_t now);
/* Least vtime of VM vm's vCPUs (for a move to another mode). */
uint64_t fq_vm_vtime(struct sched_fq *q, struct sched_vm *vm);
static inline void fq_set_vtime(struct sched_fq *q, struct sched_vcpu *v, uint64_t vtime)
{
	fq_vcpu(q, v)->node.key = vtime;
}

/* A policy that is the fair queue `q` plus its own changes gets the plain
 * forwarding hooks from this macro: static pfx##_fq_vm_add, _fq_vm_remove,
 * _fq_wake, _fq_sleep, _fq_charge, _fq_pick, _fq_hint and _fq_check (marked
 * unused: a policy names those it keeps in its ops and writes the others). */
#define FQ_POLICY_HOOKS(pfx, q)                                                                       \
	static UNUSED int pfx##_fq_vm_add(struct sched_vm *vm, const char **err)                          \
	{ fq_vm_add(q, vm, sched_env_now()); return 0; }                                               \
	static UNUSED void pfx##_fq_vm_remove(struct sched_vm *vm) {}                                     \
	static UNUSED void pfx##_fq_wake(struct sched_vcpu *v, uint64_t now) { fq_wake(q, v, now); }      \
	static UNUSED void pfx##_fq_sleep(struct sched_vcpu *v, uint64_t now) { fq_sleep(q, v); }         \
	static UNUSED void pfx##_fq_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)              \
	{ fq_charge(q, v, ran, now); }                                                                 \
	static UNUSED struct sched_vcpu *pfx##_fq_pick(struct sched_pcpu *p, struct sched_vcpu *prev,     \
						    enum sched_why why, uint64_t now, uint64_t *dl)    \
	{ return fq_pick(q, p, prev, why, now, dl); }                                                  \
	static UNUSED bool pfx##_fq_hint(struct sched_vcpu *v, enum sched_hint h, uint32_t arg, uint64_t now) \
	{ return fq_hint(q, v, h, arg); }                                                              \
	static UNUSED int pfx##_fq_check(const char **err) { return fq_check(q, err); }

/* The directed-yield knob of a policy built on the queue ("dyield"): off;
 * on (a yield goes to a preempted sibling if there is one, else to whoever
 * is next); only (KVM's kvm_vcpu_on_spin and kvm_sched_yield: to a
 * sibling or nowhere: without a candidate the vCPU keeps its pCPU). */
enum { FQ_DYIELD_OFF, FQ_DYIELD_ON, FQ_DYIELD_ONLY };
extern const char *const fq_off_on[];
extern const char *const fq_dyield_values[];
#define FQ_PARAM_DYIELD(var)                                                                   \
	{ "dyield", SCHED_PARAM_ENUM, 0, 2, FQ_DYIELD_ON, var, fq_dyield_values,                \
	  "yield to a preempted sibling on spin hints and kicks (kvm_vcpu_on_spin); only: to nobody else" }

#endif
