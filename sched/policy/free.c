/* "free": proportional share by weight, work-conserving, vCPUs migrate
 * freely: the fair queue of sched/sched_fq.h over all VMs, with directed
 * yield (free.dyield) on PAUSE-loop exits, LHV_SPIN, KVM_HC_SCHED_YIELD and
 * kicks, as KVM does. */
#include "sched/sched_fq.h"

static struct sched_fq Q;
static uint64_t dyield;
static const struct sched_param free_params[] = { FQ_PARAM_DYIELD(&dyield), { 0 } };

static void free_init(void)
{
	fq_init(&Q, 0, 0, 0); /* the fq_* structs are the whole private data */
	Q.dyield = &dyield;
}

FQ_POLICY_HOOKS(free, &Q)

static const struct sched_ops sched_free_ops = {
	.name = "free", .params = free_params, .init = free_init, .vm_add = free_fq_vm_add,
	.vm_remove = free_fq_vm_remove, .wake = free_fq_wake, .sleep = free_fq_sleep,
	.charge = free_fq_charge, .pick = free_fq_pick, .hint = free_fq_hint, .check = free_fq_check,
};
SCHED_REGISTER(sched_free_ops, struct fq_vcpu, struct fq_vm, struct fq_pcpu);
