#ifndef BOOT_SMP_H
#define BOOT_SMP_H
/* Start every enabled processor from the MADT (at most max_cpus in all).
 * Each comes up in ap_main() and then calls ap_idle(). */
void smp_boot(unsigned max_cpus);
/* Per-pCPU set-up shared by the BSP and the APs. */
void cpu_common_init(void);
#endif
