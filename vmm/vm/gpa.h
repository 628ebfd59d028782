/* Guest-physical RAM of a VM, seen from the hypervisor. */
#ifndef VMM_VM_GPA_H
#define VMM_VM_GPA_H
#include "vmm/vm/vm.h"

/* Guest-physical to host pointer for [gpa, gpa+len) inside one 2 MiB chunk
 * of RAM, or NULL when the range is not RAM (or crosses a chunk). */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, size_t len);
/* Copy to/from guest RAM across chunks; false, and nothing copied, if any
 * byte is not RAM. */
bool vm_read_gpa(struct vm *vm, uint64_t gpa, void *dst, size_t len);
bool vm_write_gpa(struct vm *vm, uint64_t gpa, const void *src, size_t len);

#endif
