/* Linux x86 boot protocol loader, pure part (host-tested). Facts from the
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst) and the zero
 * page layout (Documentation/arch/x86/zero-page.rst):
 *  - recognise a bzImage of protocol 2.12 or later and check its setup header;
 *  - decide where the protected-mode kernel, struct boot_params (the zero
 *    page), the command line and the initrd go in guest RAM;
 *  - build boot_params, with an E820 memory map of the guest;
 *  - build identity-mapped page tables and the GDT the 64-bit entry needs.
 * Copying bytes into guest RAM and setting up the vCPU is the caller's job.
 *
 * The 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"): enter at
 * load address + 0x200 in long mode, with paging on and the kernel, the zero
 * page and the command line identity-mapped; a GDT holding flat 4 GiB
 * __BOOT_CS (0x10, execute/read) and __BOOT_DS (0x18, read/write); CS =
 * __BOOT_CS, DS = ES = SS = __BOOT_DS; interrupts off; RSI = the zero page.
 * The 32-bit protocol (same document): enter at the load address in flat
 * protected mode, paging off, ESI = the zero page, EBP = EDI = EBX = 0.
 *
 * Guest-physical layout (RAM is [0, ram_size), one block):
 *   [0x07000, 0x08000)   boot_params (LINUX_BOOT_PARAMS_GPA)
 *   [0x10000, 0x60000)   GDT and page tables (LINUX_PT_GPA, for the caller
 *                        to pass to linux_build_identity_pt)
 *   [0x60000, 0x70000)   kernel command line (LINUX_CMDLINE_GPA)
 *   [0x9FC00, 0xA0000)   reserved (where an EBDA would be)
 *   [0xE0000, 0x100000)  reserved: the BIOS area, where the ACPI RSDP goes
 *   kernel               at pref_address, or the lowest kernel_alignment-
 *                        aligned address with init_size bytes of RAM
 *   initrd               as high as possible below initrd_addr_max and
 *                        RAM's end, above the kernel's init_size area */
#ifndef VMM_LOADER_LINUX_H
#define VMM_LOADER_LINUX_H
#include "core/lib.h"

/* Setup header offsets in the file and in boot_params alike (boot.rst,
 * "The Real-Mode Kernel Header"). */
#define LINUX_HDR_START             0x1f1   /* setup_sects: header begins */
#define LINUX_OFF_SETUP_SECTS       0x1f1
#define LINUX_OFF_SYSSIZE           0x1f4
#define LINUX_OFF_VID_MODE          0x1fa
#define LINUX_OFF_BOOT_FLAG         0x1fe
#define LINUX_OFF_JUMP              0x200   /* byte 0x201: header end - 0x202 */
#define LINUX_OFF_HEADER            0x202   /* "HdrS" */
#define LINUX_OFF_VERSION           0x206
#define LINUX_OFF_TYPE_OF_LOADER    0x210
#define LINUX_OFF_LOADFLAGS         0x211
#define LINUX_OFF_CODE32_START      0x214
#define LINUX_OFF_RAMDISK_IMAGE     0x218
#define LINUX_OFF_RAMDISK_SIZE      0x21c
#define LINUX_OFF_HEAP_END_PTR      0x224
#define LINUX_OFF_CMD_LINE_PTR      0x228
#define LINUX_OFF_INITRD_ADDR_MAX   0x22c
#define LINUX_OFF_KERNEL_ALIGNMENT  0x230
#define LINUX_OFF_RELOCATABLE       0x234
#define LINUX_OFF_MIN_ALIGNMENT     0x235
#define LINUX_OFF_XLOADFLAGS        0x236
#define LINUX_OFF_CMDLINE_SIZE      0x238
#define LINUX_OFF_HW_SUBARCH        0x23c
#define LINUX_OFF_SETUP_DATA        0x250
#define LINUX_OFF_PREF_ADDRESS      0x258
#define LINUX_OFF_INIT_SIZE         0x260
#define LINUX_HDR_MIN_END           0x264   /* through init_size (2.10+) */
#define LINUX_HDR_MAX_END           0x290   /* edd_mbr_sig_buffer follows */

/* boot_params fields outside the setup header (zero-page.rst). */
#define LINUX_BP_SIZE               4096
#define LINUX_BP_ACPI_RSDP_ADDR     0x070   /* protocol 2.14+ */
#define LINUX_BP_EXT_RAMDISK_IMAGE  0x0c0
#define LINUX_BP_EXT_RAMDISK_SIZE   0x0c4
#define LINUX_BP_EXT_CMD_LINE_PTR   0x0c8
#define LINUX_BP_ALT_MEM_K          0x1e0
#define LINUX_BP_E820_ENTRIES       0x1e8
#define LINUX_BP_SENTINEL           0x1ef   /* must stay 0 */
#define LINUX_BP_E820_TABLE         0x2d0
#define LINUX_E820_ENTRY_SIZE       20      /* addr u64, size u64, type u32 */
#define LINUX_E820_MAX              128     /* E820_MAX_ENTRIES_ZEROPAGE */

#define LINUX_BOOT_FLAG             0xaa55
#define LINUX_HDRS_MAGIC            0x53726448u  /* "HdrS" little-endian */
#define LINUX_MIN_VERSION           0x020c  /* 2.12: xloadflags */
#define LINUX_VERSION_RSDP          0x020e  /* 2.14: acpi_rsdp_addr */

/* loadflags */
#define LINUX_LF_LOADED_HIGH        (1u << 0)   /* bzImage: kernel at 1 MiB+ */
#define LINUX_LF_KASLR              (1u << 1)
#define LINUX_LF_QUIET              (1u << 5)
#define LINUX_LF_KEEP_SEGMENTS      (1u << 6)
#define LINUX_LF_CAN_USE_HEAP       (1u << 7)   /* heap_end_ptr is valid */

/* xloadflags (2.12+) */
#define LINUX_XLF_KERNEL_64         (1u << 0)   /* 64-bit entry at +0x200 */
#define LINUX_XLF_ABOVE_4G          (1u << 1)
#define LINUX_XLF_EFI_HANDOVER_32   (1u << 2)
#define LINUX_XLF_EFI_HANDOVER_64   (1u << 3)
#define LINUX_XLF_EFI_KEXEC         (1u << 4)

#define LINUX_LOADER_TYPE           0xff    /* "undefined" boot loader ID */
#define LINUX_HEAP_END              0xde00  /* 0xe000 - 0x200, as boot.rst */
#define LINUX_ENTRY64_OFFSET        0x200

/* E820 types (ACPI "address range types"; zero-page e820_table). */
#define E820_RAM                    1
#define E820_RESERVED               2
#define E820_ACPI                   3
#define E820_NVS                    4

/* Guest-physical layout (see the top of this file). */
#define LINUX_BOOT_PARAMS_GPA       0x7000ull
#define LINUX_PT_GPA                0x10000ull
#define LINUX_PT_MAX_BYTES          0x50000ull
#define LINUX_CMDLINE_GPA           0x60000ull
#define LINUX_CMDLINE_MAX           0x10000ull  /* bytes, NUL included */
#define LINUX_BOOT_AREA_START       LINUX_BOOT_PARAMS_GPA
#define LINUX_BOOT_AREA_END         (LINUX_CMDLINE_GPA + LINUX_CMDLINE_MAX)
#define LINUX_EBDA_START            0x9fc00ull
#define LINUX_LOW_RAM_END           0xa0000ull
#define LINUX_BIOS_START            0xe0000ull
#define LINUX_HIGH_RAM_START        0x100000ull
/* The I/O APIC (0xFEC00000) and local APIC (0xFEE00000) sit below 4 GiB;
 * guest RAM, one block from 0, must end below them. */
#define LINUX_RAM_MAX               0xfec00000ull
#define LINUX_KERNEL_MAX            GiB(4)      /* kernel below 4 GiB */

/* A range the caller reserves (ACPI tables, ...). type: E820_RESERVED,
 * E820_ACPI or E820_NVS. It is shown with that type in the E820 map, and
 * neither the kernel nor the initrd is placed over it. */
struct linux_range {
	uint64_t start, end;            /* guest-physical, end exclusive */
	uint32_t type;
};

struct linux_load_args {
	uint64_t ram_size;              /* guest RAM is [0, ram_size) */
	const char *cmdline;            /* NULL = "" */
	uint64_t initrd_size;           /* bytes; 0 = no initrd */
	uint64_t acpi_rsdp;             /* 0 = not given (the kernel scans
	                                   the BIOS area itself) */
	const struct linux_range *reserved;
	size_t nreserved;
};

struct linux_e820 {
	uint64_t addr, size;
	uint32_t type;
};

struct linux_image {
	/* From the setup header. */
	uint16_t version;               /* 0x020c = 2.12 */
	unsigned setup_sects;           /* 0 in the file reads as 4 */
	uint32_t syssize;               /* 16-byte units */
	uint32_t hdr_end;               /* 0x202 + byte at 0x201, clamped */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint32_t init_size;
	uint32_t cmdline_size;          /* max length without the NUL */
	uint32_t initrd_addr_max;       /* highest byte the initrd may use */
	uint64_t pref_address;
	/* Placement. */
	uint64_t kernel_offset;         /* file[kernel_offset, +kernel_len) */
	uint64_t kernel_len;            /*   goes to kernel_gpa */
	uint64_t kernel_gpa;            /* the load address */
	uint64_t kernel_end;            /* kernel_gpa + init_size */
	bool has_entry64;               /* XLF_KERNEL_64 */
	uint64_t entry64;               /* kernel_gpa + 0x200, if has_entry64 */
	uint64_t entry32;               /* kernel_gpa */
	uint64_t boot_params_gpa;
	uint64_t cmdline_gpa;
	uint64_t cmdline_len;           /* bytes to copy, NUL included */
	uint64_t initrd_gpa;            /* 0 when there is no initrd */
	uint64_t initrd_size;
	/* The guest's memory map, as written into boot_params. */
	unsigned ne820;
	struct linux_e820 e820[LINUX_E820_MAX];
};

/* Check the setup header of file[0..len) (no placement). Returns 0, or -1
 * with a message in err (size errlen). Fills the header part of img. */
int linux_parse(const void *file, size_t len, struct linux_image *img,
		char *err, size_t errlen);

/* linux_parse, then decide where everything goes for a guest described by
 * args and build the E820 map. Returns 0, or -1 with a message in err. */
int linux_load(const void *file, size_t len, const struct linux_load_args *args,
	       struct linux_image *img, char *err, size_t errlen);

/* Build boot_params in zp (LINUX_BP_SIZE bytes, for img->boot_params_gpa)
 * from the file's setup header and what linux_load decided. args must be
 * the ones given to linux_load. Returns 0, or -1 with a message in err. */
int linux_build_boot_params(void *zp, size_t zplen, const void *file, size_t len,
			    const struct linux_image *img,
			    const struct linux_load_args *args, char *err, size_t errlen);

/* GDT selectors and VMX access rights (Intel SDM 24.4.1, "Guest Register
 * State": type, S, DPL, P, AVL, L, D/B, G) of its two descriptors. */
#define LINUX_BOOT_CS               0x10
#define LINUX_BOOT_DS               0x18
#define LINUX_BOOT_CS_AR            0xa09bu     /* GDT attribute word: code, exec/read, accessed, L=1, G=1 */
#define LINUX_BOOT_DS_AR            0xc093u     /* GDT attribute word: data, read/write, accessed, D/B=1, G=1 */
#define LINUX_GDT_ENTRIES           4           /* null, unused, CS, DS */

struct linux_pt {
	uint64_t cr3;                   /* guest-physical address of the PML4 */
	uint64_t gdt_base;              /* guest-physical */
	uint16_t gdt_limit;             /* bytes - 1 */
	size_t used;                    /* bytes of buf written */
};

/* Bytes linux_build_identity_pt needs to map map_bytes. */
size_t linux_identity_pt_size(uint64_t map_bytes);

/* Write, into buf which the guest sees at gpa (4 KiB aligned), a page with
 * the GDT, then a PML4, one PDPT and one page directory per GiB mapping
 * [0, map_bytes) one to one with 2 MiB pages (map_bytes: a multiple of
 * 2 MiB, at most 512 GiB). Returns 0, or -1 with a message in err. */
int linux_build_identity_pt(void *buf, size_t buflen, uint64_t gpa, uint64_t map_bytes,
			    struct linux_pt *out, char *err, size_t errlen);

#endif
