/* "balloon": time ballooning (Uhlig et al., VM'04) on top of the fair queue.
 *
 * The policy publishes each vCPU's speed (its share of a pCPU while it
 * wanted one, sched_vcpu_speed()) for the environment to copy into the
 * vCPU's hint area. A guest agent reads it and inflates a balloon on slow
 * vCPUs: a thread the guest's load balancer counts as load, which gives the
 * pCPU back with LHV_BALLOON when it runs, so the balancer moves work to
 * fast vCPUs while the VM uses no more pCPU time than before.
 *
 * Time given back in a balloon is charged to the vCPU's vtime as if it had
 * run: the balloon donates the time to the others, and the vCPU does not
 * come back with credit to take it back (which it would after an idle HLT
 * of the same length, see fq_wake). */
#include "sched/sched_fq.h"

struct balloon_vcpu {
	struct fq_vcpu fq;
	uint64_t balloon_start; /* blocked in a balloon since; 0: not */
};

static struct sched_fq Q;
static uint64_t dyield;
static const struct sched_param balloon_params[] = { FQ_PARAM_DYIELD(&dyield), { 0 } };

static struct balloon_vcpu *bv(struct sched_vcpu *v) { return sched_vcpu_priv(v); }

static void balloon_init(void)
{
	fq_init(&Q, offsetof(struct balloon_vcpu, fq), 0, 0);
	Q.dyield = &dyield;
}

FQ_POLICY_HOOKS(balloon, &Q)

static void balloon_sleep(struct sched_vcpu *v, uint64_t now)
{
	bv(v)->balloon_start = v->in_balloon ? now : 0;
	fq_sleep(&Q, v);
}

static void balloon_wake(struct sched_vcpu *v, uint64_t now)
{
	struct sched_vm *vm = v->vm;

	if (bv(v)->balloon_start && now > bv(v)->balloon_start)
		fq_vcpu(&Q, v)->node.key += sched_vtime_delta(now - bv(v)->balloon_start, vm->nr_vcpus,
							      sched_vm_weight(vm));
	bv(v)->balloon_start = 0;
	fq_wake(&Q, v, now);
}

static const struct sched_ops sched_balloon_ops = {
	.name = "balloon", .publish_speed = true, .params = balloon_params, .init = balloon_init,
	.vm_add = balloon_fq_vm_add, .vm_remove = balloon_fq_vm_remove, .wake = balloon_wake,
	.sleep = balloon_sleep, .charge = balloon_fq_charge, .pick = balloon_fq_pick, .hint = balloon_fq_hint,
	.check = balloon_fq_check,
};
SCHED_REGISTER(sched_balloon_ops, struct balloon_vcpu, struct fq_vm, struct fq_pcpu);
