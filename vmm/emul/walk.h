/* Guest linear addresses: a walk of the guest's page tables. */
#ifndef VMM_EMUL_WALK_H
#define VMM_EMUL_WALK_H
#include "vmm/emul/emul.h"

/* Translate a linear address; false if not present or not RAM-backed. */
bool gla_to_gpa(struct vm *vm, const struct guest_mode *m, uint64_t gla, uint64_t *gpa);
/* Copy len bytes at linear address gla; returns how many were readable. */
size_t guest_read_linear(struct vm *vm, const struct guest_mode *m, uint64_t gla,
			 void *dst, size_t len);
/* Store len bytes at linear address gla; false (nothing or part written)
 * if some byte is not present or not RAM. Write protection is not looked
 * at: callers write only what the CPU itself would (a TSS, a stack). */
bool guest_write_linear(struct vm *vm, const struct guest_mode *m, uint64_t gla,
			const void *src, size_t len);

#endif
