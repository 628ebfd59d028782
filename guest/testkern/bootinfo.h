/* What the kernel keeps from the Multiboot v1 information: copied at entry
 * into its own memory, so that tests may overwrite the loader's structures
 * (the mem test still avoids them; see excl[]). */
#ifndef TK_BOOTINFO_H
#define TK_BOOTINFO_H
#include <stdbool.h>
#include <stdint.h>

#define MB_LOADER_MAGIC 0x2BADB002u

#define MB_INFO_MEM     (1u << 0)  /* mem_lower, mem_upper valid */
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP    (1u << 6)

#define MMAP_RAM 1                 /* "available RAM" */

struct mem_region {
	uint64_t base, len;
	uint32_t type;
};

/* A physical range [start, end) the loader put data in. */
struct phys_range {
	uint32_t start, end;
};

#define BI_MAX_REGIONS 64
#define BI_MAX_EXCL 4
#define BI_CMDLINE_MAX 1024

struct bootinfo {
	uint32_t flags;               /* Multiboot info flags */
	uint32_t mem_lower, mem_upper; /* KiB, if MB_INFO_MEM */
	unsigned nregions;            /* from the memory map, if MB_INFO_MMAP */
	struct mem_region regions[BI_MAX_REGIONS];
	unsigned nexcl;               /* the info structure, command line, map */
	struct phys_range excl[BI_MAX_EXCL];
	char cmdline[BI_CMDLINE_MAX];
};

extern struct bootinfo bootinfo;

/* Copies what it needs out of mbi. False if magic is not the loader's. */
bool bootinfo_init(uint32_t magic, uint32_t mbi);

/* Is [addr, addr+len) inside a region of the given type? (mmap only) */
bool bootinfo_in_region(uint64_t addr, uint64_t len, uint32_t type);

/* params.c: `key=value` words of the command line. Words without '=' (the
 * kernel path QEMU and GRUB put first) are ignored. Returns false if key is
 * absent; the value is copied NUL-terminated (truncated to size). */
bool param_str(const char *key, char *out, unsigned size);
/* Decimal, or hex with a 0x prefix. False if absent or malformed. */
bool param_u32(const char *key, uint32_t *v);
/* Hex with or without 0x. False if absent or malformed. */
bool param_hex(const char *key, uint32_t *v);

#endif
