/* Multiboot2 boot information parser (pure logic, host-tested).
 * Validates the whole structure before trusting it: total size, tag sizes and
 * 8-byte alignment, tags inside the total size, NUL-terminated strings inside
 * their tag, memory-map entry sizes, module ranges (start <= end), and the end
 * tag. Unknown tags are skipped. */
#ifndef BOOT_MB2_H
#define BOOT_MB2_H
#include "boot/bootinfo.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* info: the structure GRUB left (EBX); avail: how many bytes may be read
 * (the caller may pass the total_size it read, or a host buffer's size).
 * phys: info's physical address, for info_start/info_end.
 * Returns 0 on success, or -1 with a message in err. */
int mb2_parse(const void *info, size_t avail, uint64_t phys,
	      struct boot_info *out, char *err, size_t errlen);

#endif
