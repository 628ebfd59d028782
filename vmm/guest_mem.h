/* Reading guest memory by linear address: a walk of the guest's own page
 * tables (no paging, 32-bit, PAE, 4-level), as the CPU would do it. */
#ifndef VMM_GUEST_MEM_H
#define VMM_GUEST_MEM_H
#include "vmm/vmm_exits.h"

/* Translate a linear address; false if not present or not RAM-backed. */
bool gla_to_gpa(struct vm *vm, const struct guest_mode *m, uint64_t gla, uint64_t *gpa);
/* Copy len bytes at linear address gla; returns how many were readable. */
size_t guest_read_linear(struct vm *vm, const struct guest_mode *m, uint64_t gla,
			 void *dst, size_t len);

#endif
