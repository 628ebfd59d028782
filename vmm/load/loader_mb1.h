/* Multiboot (version 1) guest loader, pure part (host-tested): recognise a
 * kernel image, check its Multiboot header and ELF32 program headers (or the
 * a.out-kludge address fields), list what to copy where, and build the
 * Multiboot information structure in guest memory. Copying the bytes and
 * setting up the vCPU (EAX = MB1_BOOT_MAGIC, EBX = info address, protected
 * mode, paging off: Multiboot spec 3.2) is the caller's job.
 *
 * Guest-physical layout assumed for Multiboot guests: RAM from 0 to
 * ram_size, except the legacy hole [0xA0000, 0x100000) of which the BIOS
 * area [0xF0000, 0x100000) is reported reserved. */
#ifndef VMM_LOADER_MB1_H
#define VMM_LOADER_MB1_H
#include "core/lib.h"

#define MB1_HEADER_MAGIC    0x1BADB002u
#define MB1_BOOT_MAGIC      0x2BADB002u   /* in EAX at the guest's entry */
#define MB1_SEARCH_LEN      8192          /* header within these first bytes */
#define MB1_MAX_SEGMENTS    16

/* Header flags (spec 3.1.2): 0-15 are requirements, 16-31 optional. */
#define MB1_HF_PAGE_ALIGN   (1u << 0)     /* modules page aligned: we do */
#define MB1_HF_MEMINFO      (1u << 1)     /* mem_* fields: we do */
#define MB1_HF_VIDEO        (1u << 2)     /* video mode: refused */
#define MB1_HF_AOUT_KLUDGE  (1u << 16)    /* address fields valid */

/* Information structure flags (spec 3.3) */
#define MB1_INFO_MEM        (1u << 0)
#define MB1_INFO_CMDLINE    (1u << 2)
#define MB1_INFO_MODS       (1u << 3)
#define MB1_INFO_MMAP       (1u << 6)
#define MB1_INFO_LOADER     (1u << 9)
#define MB1_INFO_SIZE       116           /* struct multiboot_info up to color_info */

#define MB1_LOW_RAM_END     0xA0000ull    /* 640 KiB */
#define MB1_BIOS_START      0xF0000ull
#define MB1_HIGH_RAM_START  0x100000ull   /* 1 MiB */

enum guest_image_kind {
	GUEST_IMAGE_UNKNOWN,
	GUEST_IMAGE_MB1,            /* valid Multiboot v1 header found */
	GUEST_IMAGE_LINUX_BZIMAGE,  /* boot flag 0xAA55 at 0x1FE, "HdrS" at 0x202 */
	GUEST_IMAGE_PVH,            /* an ELF64 file: a vmlinux with a PVH entry (loader_pvh.h) */
};

enum guest_image_kind guest_image_kind(const void *bytes, size_t len);
const char *guest_image_kind_name(enum guest_image_kind k);

/* Copy file[offset, offset+filesz) to gpa, then zero up to gpa+memsz. */
struct mb1_segment {
	uint64_t offset, gpa, filesz, memsz;
};

/* Guest-physical range [start, end) the kernel must not be loaded over
 * (the information area, module images, tables the hypervisor places). */
struct mb1_range {
	uint64_t start, end;
};

struct mb1_image {
	uint32_t header_flags;
	uint32_t header_offset;     /* of the Multiboot header in the file */
	bool aout_kludge;           /* segments came from the header's addresses */
	uint32_t entry;             /* guest-physical entry point */
	unsigned nseg;
	struct mb1_segment seg[MB1_MAX_SEGMENTS];
	uint64_t load_end;          /* first byte above every segment */
};

/* Parse file[0..len). Segments must lie in guest RAM below ram_size, outside
 * the legacy hole and every reserved range, and must not overlap each other.
 * Returns 0, or -1 with a message in err (size errlen). */
int mb1_load(const void *file, size_t len, uint64_t ram_size,
	     const struct mb1_range *reserved, size_t nreserved,
	     struct mb1_image *img, char *err, size_t errlen);

struct mb1_module {
	uint64_t start, end;        /* guest-physical, end exclusive */
	const char *cmdline;        /* may be NULL */
};

struct mb1_info_args {
	uint64_t ram_size;
	const char *cmdline;        /* guest command line; NULL = "" */
	const struct mb1_module *mods;
	size_t nmods;
};

/* Write the information structure at the start of buf, which the guest sees
 * at guest-physical gpa (4-byte aligned, and the whole area below 4 GiB:
 * Multiboot pointers are 32-bit), followed by the memory map, module list
 * and strings it points to. Returns the number of bytes used, or -1 with a
 * message in err. */
int mb1_build_info(void *buf, size_t buflen, uint64_t gpa,
		   const struct mb1_info_args *args, char *err, size_t errlen);

#endif
