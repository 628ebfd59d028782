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

#endif
