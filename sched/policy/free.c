/* "free": proportional share by weight, work-conserving, vCPUs migrate
 * freely: the fair queue of sched/sched_fq.h over all VMs. */
#include "sched/sched_fq.h"

static struct sched_fq Q;

static void free_init(void)
{
	fq_init(&Q, 0, 0, 0); /* the fq_* structs are the whole private data */
}

static int free_vm_add(struct sched_vm *vm, const char **err)
{
	fq_vm_add(&Q, vm, sched_env_now());
	return 0;
}

static void free_vm_remove(struct sched_vm *vm) { fq_vm_remove(&Q, vm); }
static void free_wake(struct sched_vcpu *v, uint64_t now) { fq_wake(&Q, v, now); }
static void free_sleep(struct sched_vcpu *v, uint64_t now) { fq_sleep(&Q, v); }

static void free_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now)
{
	fq_charge(&Q, v, ran, now);
}

static struct sched_vcpu *free_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				    enum sched_why why, uint64_t now, uint64_t *deadline)
{
	return fq_pick(&Q, p, prev, why, now, deadline);
}

static int free_check(const char **err) { return fq_check(&Q, err); }

static const struct sched_ops sched_free_ops = {
	.name = "free", .init = free_init, .vm_add = free_vm_add, .vm_remove = free_vm_remove,
	.wake = free_wake, .sleep = free_sleep, .charge = free_charge, .pick = free_pick,
	.check = free_check,
};
SCHED_REGISTER(sched_free_ops, struct fq_vcpu, struct fq_vm, struct fq_pcpu);
