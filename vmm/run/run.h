/* The run loops. Which vCPU runs where and for how long is decided by the
 * scheduling framework in sched/ (docs/scheduling.md): pcpu.c drives it on
 * every pCPU, vcpu_run.c runs one vCPU until the scheduler must act again,
 * sched_env_hv.c provides the framework's environment (clock, per-pCPU
 * timer, kicks, lock), summary.c closes a VM's life and the machine's. */
#ifndef VMM_RUN_RUN_H
#define VMM_RUN_RUN_H
#include "vmm/vm/vm.h"
#include "vmm/emul/emul.h"
#include "core/percpu.h"

/* Per-pCPU scheduling state shared by vmm/run.c and vmm/sched_env_hv.c. */
struct run_pcpu {
	/* This pCPU must call sched_schedule() at its next chance: its
	 * scheduler timer fired or the scheduler kicked it. */
	volatile bool need_resched;
	/* The deadline below was set from another pCPU: arm it here (the
	 * VEC_KICK handler does). */
	volatile bool timer_dirty;
	volatile uint64_t deadline;      /* scheduler timer, ns; 0 = none */
	volatile uint64_t deadline_tsc;  /* the same on the TSC (VMX preemption timer) */
	struct timer timer;              /* armed on this pCPU only */
};
extern struct run_pcpu runpc[MAX_PCPUS];

/* Set up the scheduling framework over n pCPUs and select policy `name`
 * (NULL: the build's default, the first compiled-in policy). 0, or -1 with
 * *err (e.g. "unknown scheduler 'x' (available: free, gang)"). */
int run_sched_init(unsigned n, const char *name, const char **err);
/* Hand a created VM to the scheduler: all vCPUs STOPPED, APs then BLOCKED
 * (wait for SIPI). -1 with *err when the policy refuses it. */
int run_vm_add(struct vm *vm, const char **err);
/* Release the APs into their run loops and make every VM's BSP runnable. */
void run_start(void);
/* The run loop of the calling pCPU: run what the scheduler gives, forever. */
NORETURN void run_pcpu_loop(void);
/* The per-pCPU scheduler counters (summary.c prints them). */
const struct sched_pcpu *run_sched_pcpu(unsigned i);
unsigned run_sched_npcpus(void);

/* vcpu_run.c: run v on this pCPU (interrupts off) until the run loop must
 * act: its slice ended or it was kicked, it halted, spun, got INIT, or its
 * VM is stopping. */
enum vcpu_run_result vcpu_run(struct vcpu *v);

/* summary.c: once per vCPU that reached VCPU_STOPPED (after the
 * scheduler's books are closed); the last vCPU of a VM prints its
 * lifecycle line, the last of the machine the summary, then powers off. */
void vcpu_stopped(struct vcpu *v);
/* The number of VMs vcpu_stopped() waits for (vmm_start sets it). */
void run_set_live_vms(unsigned n);

/* Environment internals (vmm/sched_env_hv.c). */
void sched_env_hv_init(void);
/* The VEC_KICK handler: arm a deadline another pCPU set for this one. */
void sched_env_hv_sync_timer(void);

#endif
