/* PVH boot (QEMU -kernel with the XEN_ELFNOTE_PHYS32_ENTRY note): parse
 * struct hvm_start_info into a boot_info (pure logic, host-tested). The start
 * info holds physical addresses; map() turns (phys, len) into a readable
 * pointer or NULL if it cannot (host tests pass buffers, the hypervisor its
 * identity map). */
#ifndef BOOT_PVH_H
#define BOOT_PVH_H
#include "boot/bootinfo.h"

#define PVH_START_MAGIC 0x336ec578u

typedef const void *(*pvh_map_fn)(void *ctx, uint64_t phys, size_t len);

int pvh_parse(const void *start_info, pvh_map_fn map, void *ctx,
	      uint64_t phys, struct boot_info *out, char *err, size_t errlen);

#endif
