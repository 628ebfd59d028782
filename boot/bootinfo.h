/* What the boot loader told us, in one loader-independent form. Filled by the
 * multiboot2 parser (boot/mb2.c) or the PVH parser (boot/pvh.c), both pure
 * logic tested on the host. Strings point into the loader's data (which the
 * page allocator keeps reserved) and are NUL-terminated. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H
#include "core/lib.h"

#define BOOT_MAX_MMAP    128
#define BOOT_MAX_MODULES 32

/* Memory-map types, as in E820 / multiboot2. */
enum { MMAP_USABLE = 1, MMAP_RESERVED = 2, MMAP_ACPI_RECLAIM = 3,
       MMAP_ACPI_NVS = 4, MMAP_BAD = 5 };

struct boot_mmap_entry { uint64_t base, len; uint32_t type; };

struct boot_module {
	uint64_t start, end;    /* physical, end exclusive */
	const char *cmdline;    /* "" when the loader gave none */
};

struct boot_info {
	const char *loader;     /* "GRUB 2.06", "PVH", ... */
	const char *cmdline;    /* "" when none */
	struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
	unsigned nmmap;
	struct boot_module mods[BOOT_MAX_MODULES];
	unsigned nmods;
	unsigned dropped_mods;  /* modules beyond BOOT_MAX_MODULES (reported) */
	unsigned dropped_mmap;  /* memory-map entries beyond BOOT_MAX_MMAP */
	/* ACPI: either a copy of the RSDP inside the boot data (multiboot2) or
	 * its physical address (PVH); rsdp == NULL and rsdp_phys == 0: none. */
	const void *rsdp;
	size_t rsdp_len;
	uint64_t rsdp_phys;
	uint64_t info_start, info_end;  /* the loader's data, to keep reserved */
};

#endif
