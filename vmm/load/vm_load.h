/* Loading a guest kernel into a VM's RAM and deciding how vCPU 0 starts. */
#ifndef VMM_LOAD_VM_LOAD_H
#define VMM_LOAD_VM_LOAD_H
#include "vmm/vm/backend.h"
#include "vmm/load/loader_mb1.h"

struct guest_entry {
	struct vcpu_boot_state bs;
	uint64_t rax, rbx, rsi;         /* initial registers of vCPU 0 */
};

/* A Multiboot module for the guest: its bytes and its string. */
struct vm_module {
	const void *data;
	size_t len;
	const char *string;             /* NULL: "" */
};
#define VM_MAX_MODULES 16

/* Load file (of the given kind) and, for Linux, the initrd, for a
 * Multiboot kernel its modules (page-aligned in RAM after the kernel, in
 * order); write every boot-time structure the guest expects (Multiboot
 * information, or boot_params, command line, ACPI tables and page tables).
 * Returns 0, or -1 with a message in err. */
int vm_load_kernel(struct vm *vm, enum guest_image_kind kind, const void *file, size_t len,
		   const void *initrd, size_t initrd_len, const struct vm_module *mods,
		   size_t nmods, struct guest_entry *e, char *err, size_t errlen);

#endif
