/* The end of a VM's life and of the machine's: the lifecycle line when the
 * last vCPU of a VM has left its pCPU, and when every VM is done the
 * power-off summary (per VM its exits by kind, per vCPU and per pCPU the
 * scheduler's accounting: docs/console.md) and the power-off. */
#include "vmm/run/run.h"
#include "vmm/dev/vdev.h"
#include "vmm/pv/pv.h"
#include "vmm/obs/obs.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/stack.h"
#include "hw/power.h"

static volatile unsigned vms_live;

void run_set_live_vms(unsigned n)
{
	vms_live = n;
}

static void print_vm(struct vm *vm)
{
	uint64_t total = 0;
	char buf[512];
	size_t n = 0;
	for (unsigned r = 0; r < VMEXIT_NR; r++) {
		if (!vm->exit_count[r])
			continue;
		total += vm->exit_count[r];
		n += (size_t)fmt_snprintf(buf + MIN(n, sizeof(buf)), sizeof(buf) - MIN(n, sizeof(buf)),
					  " %s=%llu", vm_exit_name(r), (unsigned long long)vm->exit_count[r]);
	}
	pr_info("summary: vm %s stopped reason=%s, exits %llu:%s", vm->name,
		vm_stop_reason_name(vm->stop_reason), (unsigned long long)total, buf);
	for (unsigned c = 0; c < vm->nvcpus; c++) {
		struct vcpu *v = vm->vcpus[c];
		struct sched_stats st;
		sched_vcpu_stats(&v->sched, &st);
		/* Times in ms (run, steal = runnable but waiting) and us
		 * (wake-up to dispatch), from the scheduler's accounting. */
		uint64_t mean = st.wakeups_dispatched ? st.wake_lat_sum_ns / st.wakeups_dispatched : 0;
		pr_info("summary: vm %s vcpu%u run %llu.%03llu steal %llu.%03llu preempt %llu migr %llu "
			"wake max %llu mean %llu exits %llu",
			vm->name, c, (unsigned long long)(st.run_ns / 1000000),
			(unsigned long long)(st.run_ns / 1000 % 1000),
			(unsigned long long)(st.steal_ns / 1000000),
			(unsigned long long)(st.steal_ns / 1000 % 1000),
			(unsigned long long)st.preemptions, (unsigned long long)st.migrations,
			(unsigned long long)(st.wake_lat_max_ns / 1000), (unsigned long long)(mean / 1000),
			(unsigned long long)v->exits);
	}
	/* The paravirtual interface: what the VM was offered, then per vCPU
	 * what it did with it, as key=value pairs for scripts. */
	char pv[VM_PV_NAMES_MAX];
	vm_pv_names(vm->cfg.pv, pv, sizeof(pv));
	pr_info("summary: pv vm %s features=%s", vm->name, pv);
	for (unsigned c = 0; c < vm->nvcpus; c++) {
		pv_stats_line(vm->vcpus[c], buf, sizeof(buf));
		pr_info("summary: %s", buf);
	}
	/* The policy's and the hints' counters (docs/console.md, "Scheduler
	 * lines"): key=value, new keys only ever appended. */
	uint64_t changes, mode_ns[SCHED_NR_MODES];
	enum sched_vm_mode mode = sched_vm_mode(&vm->sched, &changes, mode_ns);
	pr_info("summary: policy vm %s mode=%s changes=%llu cosched_ms=%llu", vm->name,
		sched_mode_name(mode), (unsigned long long)changes,
		(unsigned long long)(mode_ns[SCHED_MODE_COSCHED] / 1000000));
	for (unsigned c = 0; c < vm->nvcpus; c++) {
		struct sched_stats st;
		sched_vcpu_stats(&vm->vcpus[c]->sched, &st);
		pr_info("summary: policy vm %s vcpu%u delays=%llu delay_us=%llu ontime=%llu "
			"overruns=%llu costops=%llu costop_us=%llu spin_exits=%llu spin_reports=%llu "
			"pv_halts=%llu kicks=%llu dyield=%llu balloons=%llu balloon_us=%llu yields=%llu",
			vm->name, c, (unsigned long long)st.delays,
			(unsigned long long)(st.delay_ns / 1000), (unsigned long long)st.yields_on_time,
			(unsigned long long)st.overruns, (unsigned long long)st.costops,
			(unsigned long long)(st.costop_ns / 1000), (unsigned long long)st.spin_exits,
			(unsigned long long)st.spin_reports, (unsigned long long)st.pv_halts,
			(unsigned long long)st.kicks, (unsigned long long)st.directed_yields,
			(unsigned long long)st.balloons, (unsigned long long)(st.balloon_ns / 1000),
			(unsigned long long)st.yields);
	}
	/* How dispatches found the backend's state (docs/vmx.md). */
	for (unsigned c = 0; c < vm->nvcpus; c++) {
		struct vcpu *v = vm->vcpus[c];
		pr_info("summary: dispatch vm %s vcpu%u warm=%llu cold=%llu remote=%llu tlb_migr=%llu",
			vm->name, c, (unsigned long long)v->load_warm, (unsigned long long)v->load_cold,
			(unsigned long long)v->load_remote, (unsigned long long)v->tlb_migr);
	}
}

static void print_summary(void)
{
	pr_info("summary: %u VM(s)", nvms);
	for (unsigned i = 0; i < nvms; i++)
		print_vm(vms[i]);
	/* Read without the scheduler's lock: the counters only grow and the
	 * machine is about to power off. */
	for (unsigned i = 0; i < run_sched_npcpus(); i++) {
		const struct sched_pcpu *p = run_sched_pcpu(i);
		pr_info("summary: sched %s pcpu%u decisions %llu switches %llu", sched_active_name(), i,
			(unsigned long long)p->decisions, (unsigned long long)p->switches);
	}
	/* How deep each pCPU's stack and its three IST stacks went
	 * (core/stack.h): what is left of the margin. */
	for (unsigned i = 0; i < npcpus; i++) {
		const struct pcpu *p = &pcpus[i];
		size_t ist[3];
		for (unsigned k = 0; k < 3; k++)
			ist[k] = stack_used((const uint64_t *)(p->tss.ist[k] - IST_STACK_SIZE),
					    (const uint64_t *)p->tss.ist[k]);
		pr_info("summary: stack cpu%u used=%zu size=%llu df=%zu nmi=%zu mc=%zu ist_size=%u", i,
			stack_used((const uint64_t *)p->stack_bottom, (const uint64_t *)p->stack_top),
			(unsigned long long)(p->stack_top - p->stack_bottom), ist[IST_DF - 1],
			ist[IST_NMI - 1], ist[IST_MC - 1], IST_STACK_SIZE);
	}
	obs_summary();     /* "summary: lhp ..." lines, the rest of the trace */
}

void vcpu_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (__atomic_add_fetch(&vm->nstopped, 1, __ATOMIC_ACQ_REL) != vm->nvcpus)
		return;
	/* Last vCPU out: the VM is done. */
	vdev_flush(vm);
	uint64_t f = spin_lock_irqsave(&vm->lock);
	vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, f);
	if (vm->stop_reason == STOP_EXIT)
		hv_contract("VM %s stopped reason=exit code=%llu", vm->name, (unsigned long long)vm->stop_code);
	else
		hv_contract("VM %s stopped reason=%s", vm->name, vm_stop_reason_name(vm->stop_reason));
	if (__atomic_sub_fetch(&vms_live, 1, __ATOMIC_ACQ_REL) == 0) {
		print_summary();
		machine_poweroff();
	}
}
