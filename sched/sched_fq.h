/* The fair queue: proportional share by weight, work-conserving, vCPUs
 * migrate freely. The core of `free`, and the free half of policies that
 * build on it (pdelay, balloon, relaxed, adaptive): it schedules the vCPUs of
 * the VMs in SCHED_MODE_FREE and ignores the others.
 *
 * One global run queue (pairing heap) ordered by weighted virtual time: a
 * vCPU's vtime advances by run time * 256 * n / weight (n = vCPUs of its VM),
 * so busy VMs get CPU in proportion to their weights. Any pCPU picks the
 * vCPU with the least vtime at its scheduling point; at slice end the
 * outgoing vCPU competes again with its new vtime. A vCPU that wakes is placed
 * no further than half a slice behind the largest vtime dispatched so far, so
 * sleeping builds no unbounded credit, and an idle pCPU is kicked for it.
 *
 * Caps: a capped VM gets cap% * 100 ms of budget per 100 ms period (aligned
 * to multiples of the period); slices are cut to the remaining budget, an
 * overrun is carried as debt into the next period, and vCPUs of a VM out of
 * budget are parked until the period boundary. Idle pCPUs arm their timer
 * at the next boundary while anything is parked.
 *
 * A policy embeds struct fq_vcpu / fq_vm / fq_pcpu in its private types and
 * tells fq_init where (offsets into the priv areas). */
#ifndef SCHED_SCHED_FQ_H
#define SCHED_SCHED_FQ_H
#include "sched/sched_heap.h"
#include "sched/sched_ops.h"

struct fq_vcpu {
	struct sched_heap_node node; /* key = vtime */
	struct sched_vcpu *park_next;
	bool queued, parked;
};

struct fq_vm {
	int64_t budget;               /* ns left in this period (capped VMs) */
	uint64_t period;              /* index of the period budget refers to */
	struct sched_vcpu *parked;    /* parked vCPUs */
	struct sched_vm *parked_next; /* list of VMs with parked vCPUs */
	bool on_parked_list;
};

struct fq_pcpu {
	struct sched_pcpu *idle_prev, *idle_next;
	uint64_t slice_end;           /* end of the running vCPU's slice */
	bool idle;
};

struct sched_fq {
	size_t vcpu_off, vm_off, pcpu_off; /* of the fq_* structs in priv */
	struct sched_heap rq;
	uint64_t vmin;               /* largest vtime dispatched so far */
	struct sched_pcpu *idle;     /* idle pCPUs not yet kicked */
	struct sched_vm *parked_vms;
	uint64_t refill_at;          /* next period boundary to look at parked VMs */
};

/* Reset q; the fq_* structs sit at these offsets of the priv areas. */
void fq_init(struct sched_fq *q, size_t vcpu_off, size_t vm_off, size_t pcpu_off);

struct fq_vcpu *fq_vcpu(const struct sched_fq *q, struct sched_vcpu *v);

/* The policy hooks, for VMs in SCHED_MODE_FREE (see sched_ops.h). */
void fq_vm_add(struct sched_fq *q, struct sched_vm *vm, uint64_t now);
void fq_vm_remove(struct sched_fq *q, struct sched_vm *vm);
void fq_wake(struct sched_fq *q, struct sched_vcpu *v, uint64_t now);
void fq_sleep(struct sched_fq *q, struct sched_vcpu *v);
void fq_charge(struct sched_fq *q, struct sched_vcpu *v, uint64_t ran, uint64_t now);
struct sched_vcpu *fq_pick(struct sched_fq *q, struct sched_pcpu *p, struct sched_vcpu *prev,
			   enum sched_why why, uint64_t now, uint64_t *deadline);
/* "A free-mode vCPU is queued or parked iff it is RUNNABLE". */
int fq_check(const struct sched_fq *q, const char **err);

#endif
