/* PVH guest loader, pure part (host-tested): boot an uncompressed Linux
 * kernel (vmlinux, ELF64) through its PVH entry, skipping the bzImage's
 * decompressor. Facts from the ELF-64 object file format, the Xen public
 * headers (elfnote.h: XEN_ELFNOTE_PHYS32_ENTRY = 18; arch-x86/hvm/
 * start_info.h: struct hvm_start_info) and Xen's docs/misc/pvh.pandoc:
 *  - check the ELF file: every header, segment and note inside the file;
 *  - list its PT_LOAD segments (loaded at p_paddr) and find the 32-bit
 *    entry the "Xen" note of type 18 gives;
 *  - decide where the initrd and the start info go, build the memory map;
 *  - write struct hvm_start_info (version 1) with the memory map, the
 *    command line, the initrd as its one module and the ACPI RSDP.
 * Copying bytes into guest RAM and setting up the vCPU is the caller's job.
 *
 * vCPU state at the entry (pvh.pandoc; the state lhv gives Multiboot
 * guests): 32-bit protected mode, paging off, CS a flat 4 GiB execute/read
 * code segment, DS = ES = SS flat 4 GiB read/write data segments, TR a
 * 32-bit TSS (base 0, limit 0x67), EFLAGS.IF = VM = TF = 0, EIP = entry,
 * EBX = the start info's guest-physical address; everything else (GDT,
 * IDT, stack, other registers) is the kernel's to set up.
 *
 * Guest-physical layout (RAM is [0, ram_size), one block, as for bzImage
 * guests: vmm/loader_linux.h):
 *   [0x07000, 0x10000)   start info, module list, memory map, command line
 *   [0x9FC00, 0xA0000)   reserved (where an EBDA would be)
 *   [0xE0000, 0x100000)  reserved: the BIOS area, where the ACPI RSDP goes
 *   kernel               its PT_LOAD segments at their p_paddr (1 MiB or
 *                        above; Debian's: 16 MiB to about 90 MiB)
 *   initrd               as high as possible below RAM's end, above the
 *                        kernel, outside every reserved range */
#ifndef VMM_LOAD_LOADER_PVH_H
#define VMM_LOAD_LOADER_PVH_H
#include "core/lib.h"
#include "boot/pvh.h"                   /* PVH_START_MAGIC */

/* ELF-64 (System V ABI) */
#define PVH_ELF_EHDR_SIZE       64
#define PVH_ELF_PHDR_SIZE       56
#define PVH_ELF_CLASS64         2
#define PVH_ELF_DATA_LSB        1
#define PVH_ELF_ET_EXEC         2
#define PVH_ELF_EM_X86_64       62
#define PVH_ELF_PT_LOAD         1
#define PVH_ELF_PT_NOTE         4
#define PVH_ELF_PF_X            1u
#define PVH_ELF_PN_XNUM         0xffff  /* phnum in section 0: refused */

/* The note that gives the entry: owner "Xen", type 18, a 4- or 8-byte
 * little-endian physical address (Linux writes 8 on x86-64). */
#define PVH_NOTE_PHYS32_ENTRY   18

/* struct hvm_start_info, version 1 (offsets; boot/pvh.c parses the same
 * layout for lhv's own PVH boot: a shared header would serve both). */
#define PVH_SI_MAGIC            0       /* u32 PVH_START_MAGIC */
#define PVH_SI_VERSION          4       /* u32 */
#define PVH_SI_FLAGS            8       /* u32 */
#define PVH_SI_NR_MODULES       12      /* u32 */
#define PVH_SI_MODLIST_PADDR    16      /* u64 */
#define PVH_SI_CMDLINE_PADDR    24      /* u64 */
#define PVH_SI_RSDP_PADDR       32      /* u64 */
#define PVH_SI_MEMMAP_PADDR     40      /* u64, version 1 */
#define PVH_SI_MEMMAP_ENTRIES   48      /* u32, version 1 */
#define PVH_SI_SIZE             56      /* through a reserved u32 */
#define PVH_MOD_SIZE            32      /* paddr, size, cmdline_paddr, reserved: u64 each */
#define PVH_MEMMAP_ENTRY_SIZE   24      /* addr u64, size u64, type u32, reserved u32 */

/* Memory-map types (hvm_memmap_table_entry; the E820 numbers). */
#define PVH_MEM_RAM             1
#define PVH_MEM_RESERVED        2
#define PVH_MEM_ACPI            3
#define PVH_MEM_NVS             4

#define PVH_MAX_SEGMENTS        16
#define PVH_MEMMAP_MAX          64
/* Linux x86 keeps COMMAND_LINE_SIZE (2048) bytes of the command line,
 * NUL included; a longer one would be cut silently, so it is refused. */
#define PVH_CMDLINE_MAX         2048

/* Guest-physical layout (see the top of this file). */
#define PVH_INFO_GPA            0x7000ull
#define PVH_INFO_END            0x10000ull
#define PVH_EBDA_START          0x9fc00ull
#define PVH_LOW_RAM_END         0xa0000ull
#define PVH_BIOS_START          0xe0000ull
#define PVH_HIGH_RAM_START      0x100000ull
/* RAM, one block from 0, must end below the I/O APIC (0xFEC00000). */
#define PVH_RAM_MAX             0xfec00000ull

/* Copy file[offset, offset+filesz) to gpa, then zero up to gpa+memsz. */
struct pvh_segment {
	uint64_t offset, gpa, filesz, memsz;
};

/* A range the caller reserves (ACPI tables, ...), end exclusive. type:
 * PVH_MEM_RESERVED, PVH_MEM_ACPI or PVH_MEM_NVS. It is shown with that
 * type in the memory map; neither the kernel nor the initrd may use it. */
struct pvh_range {
	uint64_t start, end;
	uint32_t type;
};

struct pvh_load_args {
	uint64_t ram_size;              /* guest RAM is [0, ram_size) */
	const char *cmdline;            /* NULL = "" */
	uint64_t initrd_size;           /* bytes; 0 = no initrd (no module) */
	uint64_t acpi_rsdp;             /* 0 = not given (Linux then scans
	                                   the BIOS area itself) */
	const struct pvh_range *reserved;
	size_t nreserved;
};

struct pvh_memmap_entry {
	uint64_t addr, size;
	uint32_t type;
};

struct pvh_image {
	/* From the file. */
	uint32_t entry;                 /* guest-physical, 32-bit */
	unsigned nseg;
	struct pvh_segment seg[PVH_MAX_SEGMENTS];
	uint64_t load_start, load_end;  /* lowest and first byte above all */
	/* Placement (pvh_elf_load). */
	uint64_t start_info_gpa;
	uint64_t initrd_gpa;            /* 0 when there is no initrd */
	uint64_t initrd_size;
	unsigned nmap;                  /* the guest's memory map, sorted */
	struct pvh_memmap_entry map[PVH_MEMMAP_MAX];
};

/* Whether file[0..len) is an ELF64 file at all: what a caller uses to send
 * a kernel module here rather than to the bzImage or Multiboot loaders
 * (pvh_elf_load then says what else is wrong with it). */
bool pvh_elf_is_elf64(const void *file, size_t len);

/* Check the ELF file and fill the file part of img (entry, segments).
 * Segments must lie within the file and not overlap each other (by their
 * physical addresses); the entry must be inside an executable segment's
 * file bytes. Returns 0, or -1 with a message in err (size errlen). */
int pvh_elf_parse(const void *file, size_t len, struct pvh_image *img,
		  char *err, size_t errlen);

/* pvh_elf_parse, then check the segments against the guest described by
 * args (in RAM, at or above 1 MiB, outside reserved ranges), place the
 * initrd and the start info, and build the memory map. Returns 0, or -1
 * with a message in err. */
int pvh_elf_load(const void *file, size_t len, const struct pvh_load_args *args,
		 struct pvh_image *img, char *err, size_t errlen);

/* Bytes pvh_build_start_info writes for img and args. */
size_t pvh_start_info_size(const struct pvh_image *img, const struct pvh_load_args *args);

/* Write, into buf (which the guest sees at img->start_info_gpa), the start
 * info, the module list (the initrd), the memory map and the command line.
 * args must be the ones given to pvh_elf_load. Returns the number of bytes
 * written, or -1 with a message in err. */
int pvh_build_start_info(void *buf, size_t buflen, const struct pvh_image *img,
			 const struct pvh_load_args *args, char *err, size_t errlen);

#endif
