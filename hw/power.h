/* Ending the machine. */
#ifndef HW_POWER_H
#define HW_POWER_H
#include "core/lib.h"

/* Print "HV POWEROFF", stop the other pCPUs and power off. */
NORETURN void machine_poweroff(void);
/* Power off without the contract line (after a panic). */
NORETURN void machine_poweroff_quiet(void);
/* NMI every other online pCPU so it parks (panic, power-off). */
void machine_halt_others(void);

#endif
