/* Choosing the hardware backend: the first registered one (VMM_BACKEND)
 * whose probe says this CPU has its extension. Generic code knows no
 * backend by name. */
#include "vmm/vm/backend.h"
#include "core/fmt.h"

const struct vmm_backend *backend;

extern const struct vmm_backend *const __start_vmm_backends[];
extern const struct vmm_backend *const __stop_vmm_backends[];

const struct vmm_backend *backend_select(char *err, size_t errlen)
{
	for (const struct vmm_backend *const *b = __start_vmm_backends; b < __stop_vmm_backends; b++)
		if ((*b)->probe())
			return *b;
	fmt_snprintf(err, errlen, "this CPU has no virtualization extension lhv supports (VT-x or AMD-V)");
	return NULL;
}
