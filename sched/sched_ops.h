/* The policy interface. A policy keeps its state private: per-vCPU, per-VM
 * and per-pCPU state lives in the opaque `priv` bytes of the framework's
 * structs (the policy casts them to its own types, whose sizes
 * SCHED_REGISTER checks) and global state in static variables of the
 * policy's file. All hooks run with the framework's global lock held and must
 * not call sched_* entry points (sched.h).
 *
 * Protocol (states are set by the framework before/after the hooks):
 *   vm_add / vm_remove   the VM appears / disappears (all vCPUs STOPPED)
 *   wake(v)              v became RUNNABLE (was BLOCKED/STOPPED): queue it,
 *                        kick a pCPU if one should pick it up now
 *   sleep(v)             v left the runnable set (BLOCKED/STOPPED), from
 *                        RUNNABLE (was queued) or RUNNING (its pCPU is in
 *                        sched_schedule; pick follows)
 *   charge(v, ns)        v ran ns since it was last charged
 *   pick(p, prev, why)   choose p's next vCPU. prev is p's outgoing vCPU if it
 *                        is still runnable (else NULL); if pick does not
 *                        return prev, it must queue prev. Returns a RUNNABLE
 *                        queued vCPU (dequeued), prev, or NULL; *deadline is
 *                        the absolute time of p's next timer (0 = none).
 *   hint(v, h, arg)      a guest hint, after the framework's bookkeeping
 *                        (counters, yield target, PV-halt and balloon flags);
 *                        true asks the env to make v yield now.
 */
#ifndef SCHED_SCHED_OPS_H
#define SCHED_SCHED_OPS_H
#include "sched/sched.h"

/* A policy knob (sched_set_param): the policy's variable *value, reset to
 * def by sched_init, set from "policy.name=value" within [min, max]. */
enum sched_param_type {
	SCHED_PARAM_TIME, /* ns; values take ns/us/ms/s suffixes */
	SCHED_PARAM_UINT,
	SCHED_PARAM_ENUM, /* index into choices (NULL-terminated names) */
};
struct sched_param {
	const char *name;
	enum sched_param_type type;
	uint64_t min, max, def;
	uint64_t *value;
	const char *const *choices;
	const char *help;
};

struct sched_ops {
	const char *name;
	/* Mode of a VM when it is added (SCHED_MODE_FREE unless set). */
	enum sched_vm_mode vm_mode;
	/* sched_vcpu_speed() reports speeds (the guest's balloon agent acts). */
	bool publish_speed;
	/* Knobs, ended by an entry without name (NULL: none). */
	const struct sched_param *params;
	void (*init)(void);
	int (*vm_add)(struct sched_vm *vm, const char **err);
	void (*vm_remove)(struct sched_vm *vm);
	void (*wake)(struct sched_vcpu *v, uint64_t now);
	void (*sleep)(struct sched_vcpu *v, uint64_t now);
	void (*charge)(struct sched_vcpu *v, uint64_t ran_ns, uint64_t now);
	struct sched_vcpu *(*pick)(struct sched_pcpu *p, struct sched_vcpu *prev,
				   enum sched_why why, uint64_t now, uint64_t *deadline);
	/* Optional hint hook (NULL: hints are only counted). */
	bool (*hint)(struct sched_vcpu *v, enum sched_hint hint, uint32_t arg, uint64_t now);
	/* Optional invariant check for sched_check(), after the framework's
	 * own checks (states, pCPUs, the promise of each VM's mode). */
	int (*check)(const char **err);
};

/* Register a policy: one line at the end of its file,
 *
 *   SCHED_REGISTER(sched_free_ops, struct free_vcpu, struct free_vm, struct free_pcpu);
 *
 * naming its ops and the types it keeps in the per-vCPU, per-VM and per-pCPU
 * `priv` areas (a compile-time error if one does not fit). The macro puts a
 * pointer to the ops in the linker section `sched_policies`; the framework
 * walks that section (sched/sched_registry.c), so linking a policy's file is
 * all it takes to compile it in. The section name is a C identifier, so
 * GNU ld defines __start_sched_policies / __stop_sched_policies for it. */
#define SCHED_REGISTER(ops, vcpu_type, vm_type, pcpu_type)                                   \
	_Static_assert(sizeof(vcpu_type) <= SCHED_PRIV_VCPU_SIZE,                             \
		       #ops ": " #vcpu_type " does not fit SCHED_PRIV_VCPU_SIZE");            \
	_Static_assert(sizeof(vm_type) <= SCHED_PRIV_VM_SIZE,                                 \
		       #ops ": " #vm_type " does not fit SCHED_PRIV_VM_SIZE");                \
	_Static_assert(sizeof(pcpu_type) <= SCHED_PRIV_PCPU_SIZE,                             \
		       #ops ": " #pcpu_type " does not fit SCHED_PRIV_PCPU_SIZE");            \
	_Static_assert(_Alignof(vcpu_type) <= _Alignof(union sched_priv_vcpu) &&              \
		       _Alignof(vm_type) <= _Alignof(union sched_priv_vm) &&                  \
		       _Alignof(pcpu_type) <= _Alignof(union sched_priv_pcpu),                \
		       #ops ": private data needs more alignment than 8 bytes");              \
	static const struct sched_ops *const sched_registered_##ops                           \
		__attribute__((used, section("sched_policies"))) = &ops

/* The registered policies (sched/sched_registry.c), in link order. */
uint32_t sched_policy_count(void);
const struct sched_ops *sched_policy(uint32_t i);
/* The policy called `name`, or NULL. */
const struct sched_ops *sched_policy_find(const char *name);
/* The build's default: SCHED_DEFAULT (set by sched/module.mk to the first
 * policy of `make SCHED=...`) if it is registered; without SCHED_DEFAULT, the
 * first registered. NULL (and *err) when there is none. */
const struct sched_ops *sched_policy_default(const char **err);

/* Framework services for policies. */
uint32_t sched_nr_pcpus(void);
struct sched_pcpu *sched_pcpu(uint32_t id);
struct sched_vm *sched_vm_list(void);
/* Move a VM to another mode (counted and time stamped; no-op if equal). */
void sched_vm_set_mode(struct sched_vm *vm, enum sched_vm_mode mode, uint64_t now);
/* Whether v's affinity allows pCPU p. */
static inline bool sched_vcpu_allowed(const struct sched_vcpu *v, uint32_t p)
{
	return !v->affinity || (v->affinity[p / 64] >> (p % 64) & 1);
}
/* Hold a RUNNABLE vCPU back (co-stop) or release it; counted and timed in
 * its stats (costops, costop_ns). The policy keeps it out of its queues
 * meanwhile. */
void sched_vcpu_costop(struct sched_vcpu *v, bool stop, uint64_t now);
/* The sibling `me` should yield its pCPU to, as KVM's kvm_vcpu_on_spin
 * chooses: among its VM's vCPUs that were preempted (taken off while
 * runnable, not run since) and that ok(ctx, c) accepts (queued with the
 * policy and allowed on the pCPU), the named target of the yield if any
 * (it need only be RUNNABLE and accepted), else the next one round robin after the VM's last choice that was
 * preempted inside a critical section (guest.cs), else in kernel mode;
 * candidates preempted in user mode hold no kernel lock and are skipped.
 * NULL if none. Records the choice for the round robin. */
struct sched_vcpu *sched_yield_candidate(struct sched_vcpu *me,
					  bool (*ok)(void *ctx, struct sched_vcpu *c), void *ctx);
/* Run time of v including the still-open interval if it is RUNNING. */
static inline uint64_t sched_vcpu_pending_ns(const struct sched_vcpu *v, uint64_t now)
{
	return v->state == SCHED_RUNNING && now > v->state_since ? now - v->state_since : 0;
}

/* A policy's view of the priv areas (its SCHED_REGISTER types). */
static inline void *sched_vcpu_priv(struct sched_vcpu *v) { return v->priv.bytes; }
static inline void *sched_vm_priv(struct sched_vm *vm) { return vm->priv.bytes; }
static inline void *sched_pcpu_priv(struct sched_pcpu *p) { return p->priv.bytes; }

/* Effective knobs (defaults applied). */
static inline uint32_t sched_vm_weight(const struct sched_vm *vm)
{
	return vm->weight ? vm->weight : SCHED_DEFAULT_WEIGHT;
}
static inline uint64_t sched_vm_slice(const struct sched_vm *vm)
{
	return vm->slice_ns ? vm->slice_ns : SCHED_DEFAULT_SLICE_NS;
}

/* Weighted virtual time (integer fixed point, no FPU in the hypervisor):
 * ns of run time * 256 * n / weight, so the vCPUs of a VM of weight w with n
 * vCPUs advance at rate n/w and the VM as a whole gets a share proportional
 * to w. ran_ns is clamped to 2^34 (17 s; slices are far shorter) so the
 * product stays below 2^64 for up to 2^20 vCPUs per VM. */
static inline uint64_t sched_vtime_delta(uint64_t ran_ns, uint32_t nr_vcpus, uint32_t weight)
{
	uint64_t ns = MIN(ran_ns, 1ull << 34);
	return (ns << 8) * MAX(nr_vcpus, 1u) / weight;
}

#endif
