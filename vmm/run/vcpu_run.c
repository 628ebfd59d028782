/* One vCPU on this pCPU: load it, then enter the guest and handle each
 * exit until the run loop must act (the scheduler's deadline or a kick,
 * HLT, a PAUSE loop, INIT, a VM stop), then put it. Before every entry:
 * the vCPU's requests, and the events to inject. Interrupts are off
 * throughout; host interrupts that arrive while the guest runs cause exits
 * and the backend dispatches them. */
#include "vmm/run/run.h"
#include "vmm/pv/pv.h"
#include "vmm/obs/obs.h"
#include "core/log.h"
#include "core/timer.h"
#include "hw/x86.h"

/* The TSC value at which this pCPU's slice ends (~0: no deadline). */
static uint64_t slice_deadline_tsc(void)
{
	uint64_t end = runpc[cpu_id()].deadline_tsc;
	return end ? end : ~0ull;
}

/* A reason to return to the run loop, or RUN_RESUME. */
static int must_leave(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING)
		return RUN_STOP;
	if (v->init_pending)
		return RUN_INIT;
	if (runpc[cpu_id()].need_resched)
		return RUN_PREEMPT;
	return RUN_RESUME;
}

static void do_requests(struct vcpu *v)
{
	if (vcpu_take_request(v, VCPU_REQ_TSC_OFFSET))
		backend->set_tsc_offset(v, v->vm->tsc_offset);
	if (vcpu_take_request(v, VCPU_REQ_TLB_FLUSH))
		backend->flush_tlb(v);
}

enum vcpu_run_result vcpu_run(struct vcpu *v)
{
	const struct vmm_backend *b = backend;
	int r;
	b->vcpu_load(v);
	pv_vcpu_load(v);
	fpu_load(v);
	for (;;) {
		if ((r = must_leave(v)) != RUN_RESUME)
			break;
		if (v->requests)
			do_requests(v);
		emul_inject_events(v);
		struct vm_exit e;
		b->enter(v, slice_deadline_tsc(), &e);
		timer_watchdog();
		v->exits++;
		v->vm->exit_count[e.code]++;
		if (log_threshold >= LOG_DEBUG && v->exits <= 400)
			pr_debug("vm %s vcpu%u exit %s rip=%#llx", v->vm->name, v->id, vm_exit_name(e.code),
				 (unsigned long long)b->get_reg(v, VREG_RIP));
		if ((r = emul_exit(v, &e)) != RUN_RESUME)
			break;
	}
	obs_vcpu_leave(v, r);   /* samples the guest's state: before the put */
	pv_guest_snapshot(v);   /* for the scheduling point: while v is loaded */
	obs_guest_lock_state(v, &v->sched.guest);   /* ... with the kernel's preempt count */
	fpu_save(v);
	pv_vcpu_put(v, r == RUN_PREEMPT || r == RUN_SPIN || r == RUN_YIELD);
	b->vcpu_put(v);
	return (enum vcpu_run_result)r;
}
