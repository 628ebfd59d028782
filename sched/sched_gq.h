/* Co-scheduling rounds: the core of `gang`, and the co-scheduled half of
 * `adaptive`. It schedules the VMs in SCHED_MODE_COSCHED.
 *
 * Time is cut into rounds. At a round boundary (the first pCPU whose timer
 * reaches it) the round builder chooses the set of gangs for the next round:
 * co-scheduled VMs with at least one runnable vCPU, in order of weighted
 * virtual time (VM run time * 256 / weight), each taken if all its vCPUs fit
 * in the pCPUs still free (so a big gang is never split and smaller ones
 * backfill). A chosen gang reserves one pCPU per vCPU, blocked ones
 * included: a blocked member's pCPU is not given to another gang, and the
 * member gets it back at once when it wakes. Gangs chosen again keep their
 * pCPUs (no migration); the others take the lowest free pCPUs. Every pCPU
 * whose assignment changed is kicked, so a gang starts and stops together.
 *
 * Mid-round, a gang whose members all blocked gives its pCPUs back and
 * waiting gangs that fit whole are started for the rest of the round.
 *
 * Affinity: a member pinned to one pCPU is placed there (two members pinned
 * to the same pCPU are refused at vm_add); members with wider affinities
 * are matched to free pCPUs they allow (augmenting paths, so a gang is
 * placed whenever some placement exists); the others take the lowest free
 * pCPUs. A gang that does not fit the pCPUs left waits for another round and
 * smaller gangs backfill.
 *
 * A policy that shares the machine with free-mode VMs sets `limit` (the
 * least vtime of the free side) before each round: a gang then starts only
 * while its vtime leads the limit by at most one slice of its own, so the
 * two halves share the machine by weight.
 *
 * A policy embeds struct gq_vcpu / gq_vm / gq_pcpu in its private types and
 * tells gq_init where (offsets into the priv areas). */
#ifndef SCHED_SCHED_GQ_H
#define SCHED_SCHED_GQ_H
#include "sched/sched_ops.h"

struct gq_vcpu {
	uint32_t pcpu;     /* reserved pCPU while the gang is on */
	uint32_t visit;    /* place(): last augmenting search that visited it */
};

struct gq_vm {
	uint64_t vtime;
	uint64_t key;      /* vtime including run time not charged yet */
	struct sched_vm *sort_next;
	uint32_t runnable; /* members RUNNABLE or RUNNING */
	bool on;           /* holds a reservation */
	bool picked;       /* chosen for the round being built */
};

struct gq_pcpu {
	struct sched_vcpu *owner; /* vCPU reserved here, NULL = free */
};

struct sched_gq {
	size_t vcpu_off, vm_off, pcpu_off; /* of the gq_* structs in priv */
	uint64_t round_end; /* 0: no round in progress */
	uint64_t vmin;      /* smallest vtime chosen at the last boundary */
	uint32_t nr_free;   /* pCPUs without owner */
	uint64_t limit;     /* see above; UINT64_MAX (gq_init): no limit */
	uint32_t visit;     /* place(): number of the current augmenting search */
	char err[160];
};

/* Reset q; the gq_* structs sit at these offsets of the priv areas. */
void gq_init(struct sched_gq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off);

/* -1 with *err if vm could never run as a gang here: more vCPUs than
 * pCPUs, or affinities that leave no distinct pCPU for each member.
 * O(members^3 * pCPUs) at worst for members with affinities. */
int gq_vm_fits(struct sched_gq *q, const struct sched_vm *vm, const char **err);
/* The policy hooks, for VMs in SCHED_MODE_COSCHED (see sched_ops.h). */
void gq_vm_add(struct sched_gq *q, struct sched_vm *vm);
void gq_vm_remove(struct sched_gq *q, struct sched_vm *vm);
void gq_wake(struct sched_gq *q, struct sched_vcpu *v, uint64_t now);
void gq_sleep(struct sched_gq *q, struct sched_vcpu *v, uint64_t now);
void gq_charge(struct sched_gq *q, struct sched_vcpu *v, uint64_t ran);
/* Strict gang pick: p runs its reserved member or idles; a yield cannot
 * give the pCPU away. A member still running elsewhere is waited for: the
 * pCPU it leaves kicks this one (gq_leaving), and a timer retries. */
struct sched_vcpu *gq_pick(struct sched_gq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   uint64_t now, uint64_t *deadline);
/* For policies that also run free-mode VMs. */
/* A round boundary has come (the first pCPU to see it builds the round). */
bool gq_round_due(const struct sched_gq *q, uint64_t now);
/* Choose the gangs of the next round, move them in (kicking every pCPU
 * whose assignment changed, except self) and set round_end. */
void gq_new_round(struct sched_gq *q, uint64_t now, struct sched_pcpu *self);
/* Start waiting gangs that fit whole into the pCPUs no gang holds (kicking
 * them); sets round_end if no round is in progress. */
void gq_fill(struct sched_gq *q, uint64_t now, struct sched_pcpu *self);
/* prev, a co-scheduled vCPU, leaves pCPU p, which is not the one reserved
 * for it: its reserved pCPU (waiting for it to get off p, see gq_pick) is
 * kicked to take it now. */
void gq_leaving(struct sched_gq *q, struct sched_vcpu *prev, struct sched_pcpu *p);
/* The member reserved on p, or NULL. */
struct sched_vcpu *gq_owner(const struct sched_gq *q, struct sched_pcpu *p);
/* vm has just been moved to SCHED_MODE_COSCHED with this vtime: count its
 * runnable members (it starts at the next round or fill). */
void gq_vm_enter(struct sched_gq *q, struct sched_vm *vm, uint64_t vtime);
/* vm is leaving SCHED_MODE_COSCHED: give its pCPUs back without kicking
 * (running members go on as free vCPUs); returns its vtime. */
uint64_t gq_vm_leave(struct sched_gq *q, struct sched_vm *vm);

/* Reservations agree with states and counts. */
int gq_check(const struct sched_gq *q, const char **err);

#endif
