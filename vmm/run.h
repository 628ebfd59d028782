/* The per-pCPU run loop. Which vCPU runs where and for how long is decided
 * by the scheduling framework in sched/ (docs/scheduling.md); vmm/run.c
 * drives it and vmm/sched_env_hv.c provides its environment (clock, per-pCPU
 * timer, kicks, lock). */
#ifndef VMM_RUN_H
#define VMM_RUN_H
#include "vmm/vm.h"
#include "core/percpu.h"

/* Per-pCPU scheduling state shared by vmm/run.c and vmm/sched_env_hv.c. */
struct run_pcpu {
	/* This pCPU must call sched_schedule() at its next chance: its
	 * scheduler timer fired or the scheduler kicked it. */
	volatile bool need_resched;
	/* The current vCPU had a PAUSE-loop exit: the next scheduling point
	 * is a SCHED_YIELD. */
	volatile bool yield;
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
/* Per-pCPU scheduler counters for the power-off summary. */
void run_print_summary(void);
/* Called once per vCPU that reached VCPU_STOPPED (vmm/vm.c). */
void vcpu_stopped(struct vcpu *v);
/* For the backend's run loop: a reason to return to the generic loop, or -1. */
int vmm_check_exit(struct vcpu *v);

/* Environment internals (vmm/sched_env_hv.c). */
void sched_env_hv_init(void);
/* The VEC_KICK handler: arm a deadline another pCPU set for this one. */
void sched_env_hv_sync_timer(void);

#endif
