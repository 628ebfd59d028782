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

/* start_info: the mapped start info (56 bytes readable for version >= 1,
 * 40 for version 0); phys: its physical address. Strings (command lines)
 * must be NUL-terminated within 4 KiB. info_start/info_end span the start
 * info, the module list, the memory map and every string, so reserving that
 * one range keeps all of them. Returns 0, or -1 with a message in err.
 * Version 0 has no memory map: everything else is still filled in and -1 is
 * returned with "version 0 has no memory map", so the caller can take the
 * map from elsewhere. */
int pvh_parse(const void *start_info, pvh_map_fn map, void *ctx,
	      uint64_t phys, struct boot_info *out, char *err, size_t errlen);

#endif
