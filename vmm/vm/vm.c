/* The VM table, stopping a VM, and event notification of vCPUs. */
#include "vmm/vm/vm.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/lapic.h"

struct vm *vms[VM_MAX];
unsigned nvms;

const char *vm_stop_reason_name(int why)
{
	static const char *const names[] = { "poweroff", "exit", "fault", "error" };
	return why >= 0 && why < 4 ? names[why] : "?";
}

void vm_stop(struct vm *vm, enum vm_stop_reason why, uint64_t code, const char *detail)
{
	uint64_t f = spin_lock_irqsave(&vm->lock);
	if (vm->state != VM_RUNNING) {
		spin_unlock_irqrestore(&vm->lock, f);
		return;
	}
	vm->state = VM_STOPPING;
	vm->stop_reason = why;
	vm->stop_code = code;
	spin_unlock_irqrestore(&vm->lock, f);
	if (detail)
		pr_err("vm %s: %s", vm->name, detail);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

bool vcpu_wake_ready(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING || v->init_pending)
		return true;
	if (v->state == VCPU_WAIT_SIPI)
		return v->sipi_vector >= 0;     /* NMIs are held in wait-for-SIPI */
	/* A PV kick (v->pv.unhalted) wakes a HLT whatever its IF, as an NMI;
	 * so does the end of an LHV_BALLOON's time (v->pv.balloon == 2). */
	return v->nmi_pending || v->pv.unhalted || v->pv.balloon == 2 ||
	       (!v->halt_if_off && v->vm->intr_pending(v));
}

void vcpu_kick(struct vcpu *v)
{
	uint64_t f = spin_lock_irqsave(&v->lock);
	switch (v->state) {
	case VCPU_RUNNING:
		/* On a pCPU: the exit makes it look at the new event before it
		 * re-enters (or return to the run loop for INIT/stop). */
		if (v->pcpu >= 0 && (unsigned)v->pcpu != cpu_id())
			lapic_send_ipi(pcpus[v->pcpu].apic_id, VEC_KICK);
		break;
	case VCPU_HALTED:
	case VCPU_WAIT_SIPI:
		/* Runnable again. If the scheduler still has it RUNNING (its
		 * pCPU is between the HLT exit and sched_schedule), the wake is
		 * recorded there and voids the coming SCHED_BLOCK. */
		if (vcpu_wake_ready(v))
			sched_wake(&v->sched);
		break;
	default:
		/* RUNNABLE: the scheduler has it and the event is looked at when
		 * it is dispatched. STOPPED: nothing to do. */
		break;
	}
	spin_unlock_irqrestore(&v->lock, f);
}

void vcpu_request(struct vcpu *v, enum vcpu_request r)
{
	__atomic_fetch_or(&v->requests, 1u << r, __ATOMIC_ACQ_REL);
	vcpu_kick(v);
}
