/* Placeholder run loop until the VT-x core lands: no guests can run yet, so
 * the machine reports and powers off. */
#include "vmm/vmm.h"
#include "core/log.h"
#include "hw/power.h"
#include "hw/x86.h"

void vmm_pcpu_loop(void)
{
	for (;;)
		safe_halt();
}

void vmm_start(const struct boot_info *bi)
{
	if (bi->nmods)
		pr_info("vmm: %u module(s) given, but guests are not supported by this build yet", bi->nmods);
	else
		pr_info("vmm: no guests configured");
	machine_poweroff();
}
