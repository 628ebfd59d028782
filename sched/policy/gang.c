/* "gang": strict co-scheduling of all vCPUs of a VM: every VM is in
 * SCHED_MODE_COSCHED and the round builder of sched/sched_gq.h runs them.
 * A blocked member leaves its reserved pCPU idle (that is what strict
 * co-scheduling means) and a VM with more vCPUs than pCPUs is refused. */
#include "sched/sched_gq.h"

static struct sched_gq Q;

static void gang_init(void)
{
	gq_init(&Q, 0, 0, 0); /* the gq_* structs are the whole private data */
}

static int gang_vm_add(struct sched_vm *vm, const char **err)
{
	if (gq_vm_fits(&Q, vm, err))
		return -1;
	gq_vm_add(&Q, vm);
	return 0;
}

static void gang_vm_remove(struct sched_vm *vm) { gq_vm_remove(&Q, vm); }
static void gang_wake(struct sched_vcpu *v, uint64_t now) { gq_wake(&Q, v, now); }
static void gang_sleep(struct sched_vcpu *v, uint64_t now) { gq_sleep(&Q, v, now); }
static void gang_charge(struct sched_vcpu *v, uint64_t ran, uint64_t now) { gq_charge(&Q, v, ran); }

static struct sched_vcpu *gang_pick(struct sched_pcpu *p, struct sched_vcpu *prev,
				    enum sched_why why, uint64_t now, uint64_t *deadline)
{
	return gq_pick(&Q, p, prev, now, deadline);
}

static int gang_check(const char **err) { return gq_check(&Q, err); }

static const struct sched_ops sched_gang_ops = {
	.name = "gang", .vm_mode = SCHED_MODE_COSCHED, .init = gang_init, .vm_add = gang_vm_add,
	.vm_remove = gang_vm_remove, .wake = gang_wake, .sleep = gang_sleep,
	.charge = gang_charge, .pick = gang_pick, .check = gang_check,
};
SCHED_REGISTER(sched_gang_ops, struct gq_vcpu, struct gq_vm, struct gq_pcpu);
