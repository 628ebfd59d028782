/* TSC frequency: CPUID 0x15 when it agrees with a measurement against the
 * ACPI PM timer (or the PIT), else the measurement. */
#ifndef HW_TSC_H
#define HW_TSC_H
#include "core/lib.h"

struct acpi_info;
void tsc_calibrate(const struct acpi_info *acpi, uint64_t override_khz);
uint64_t tsc_khz_get(void);
/* Convert between TSC ticks and nanoseconds on the hypervisor clock. */
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);
extern uint64_t tsc_boot;           /* TSC at boot: time 0 */

#endif
