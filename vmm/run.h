/* The per-pCPU run loop and the run queue it dispatches from. This first
 * version time-slices runnable vCPUs round-robin from one global queue; the
 * scheduling framework in sched/ replaces the queue policy. */
#ifndef VMM_RUN_H
#define VMM_RUN_H
#include "vmm/vm.h"

#define SLICE_DEFAULT_NS 10000000ull    /* 10 ms */

/* Release the APs into their run loops (after the VMs exist). */
void run_start(void);
void runq_add(struct vcpu *v);
/* Called once per vCPU that reached VCPU_STOPPED (vmm/vm.c). */
void vcpu_stopped(struct vcpu *v);
/* For the backend's run loop: a reason to return to the generic loop, or -1. */
int vmm_check_exit(struct vcpu *v);

#endif
