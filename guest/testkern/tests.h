/* The tests, one function each (t_*.c); main.c maps `test=` names to them. */
#ifndef TK_TESTS_H
#define TK_TESTS_H
#include "guest/testkern/tk.h"

enum verdict t_cpuid(void);
enum verdict t_apic(void);
enum verdict t_hlt(void);
enum verdict t_pio(void);
enum verdict t_msr(void);
enum verdict t_vmcall(void);
enum verdict t_smp(void);
enum verdict t_mem(void);
enum verdict t_oob(void);    /* does not return under the hypervisor */
enum verdict t_triple(void); /* never returns */
enum verdict t_spin(void);
enum verdict t_self(void);
enum verdict t_exitcost(void);
enum verdict t_pvcpuid(void);
enum verdict t_hcall(void);
enum verdict t_kick(void);
enum verdict t_pvyield(void);
enum verdict t_pvipi(void);
enum verdict t_steal(void);
enum verdict t_preempt(void);
enum verdict t_kicklat(void);
enum verdict t_lhp(void);
enum verdict t_lock(void);
enum verdict t_irqonce(void);

/* Hostile tests (h_*.c, docs/testkern.md "Hostile tests"). */
enum verdict t_cr4(void);
enum verdict t_cr0(void);
enum verdict t_dr(void);
enum verdict t_xsetbv(void);
enum verdict t_pku(void);
enum verdict t_insn(void);
enum verdict t_cpuid_sweep(void);
enum verdict t_msr_sweep(void);
enum verdict t_msr_canon(void);
enum verdict t_tsc_write(void);
enum verdict t_misc_enable(void);
enum verdict t_fault_rf(void);
enum verdict t_cpuid_msrs(void);
enum verdict t_db_step(void);
enum verdict t_acpi(void);
enum verdict t_pvmsr(void);
enum verdict t_port_sweep(void);
enum verdict t_mmio(void);
enum verdict t_mmio_bad(void);   /* does not return under the hypervisor */
enum verdict t_ipi(void);
enum verdict t_esr(void);
enum verdict t_x2apic(void);
enum verdict t_lapic_timer(void);
enum verdict t_pit(void);
enum verdict t_ioapic(void);
enum verdict t_initsipi(void);
enum verdict t_sipi_storm(void);
enum verdict t_realmode(void);
enum verdict t_pae(void);
enum verdict t_task(void);
enum verdict t_triple_all(void);      /* never returns */
enum verdict t_poweroff_storm(void);  /* never returns */

#endif
