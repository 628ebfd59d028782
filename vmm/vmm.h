/* The generic VMM: what the boot code hands over to once pCPUs are online. */
#ifndef VMM_VMM_H
#define VMM_VMM_H
#include "core/lib.h"
#include "boot/bootinfo.h"

/* The scheduling policy named on the hypervisor command line (sched=),
 * "" when none was given (boot/main.c's option table fills it). */
#define VMM_SCHED_NAME_MAX 24
extern char vmm_sched_name[VMM_SCHED_NAME_MAX];

/* On the BSP after HV READY: create the VMs described by the modules, run,
 * print the summary and power off when every VM has stopped. */
NORETURN void vmm_start(const struct boot_info *bi);
/* Every AP ends up here once online: run whatever the scheduler gives. */
NORETURN void vmm_pcpu_loop(void);

#endif
