/* Constants shared by the boot assembly and C. */
#ifndef BOOT_BOOT_DEFS_H
#define BOOT_BOOT_DEFS_H

#define MB2_HEADER_MAGIC      0xE85250D6
#ifdef __ASSEMBLY__
#define MB2_BOOTLOADER_MAGIC  0x36d76289   /* C code: boot/mb2.h */
#endif

#define BOOT_KIND_UNKNOWN 0
#define BOOT_KIND_MB2     1
#define BOOT_KIND_PVH     2

#define BOOT_STACK_SIZE 16384
#define BOOT_CS64 0x08
#define BOOT_DS   0x10

/* AP start-up: the real-mode trampoline is copied to this page. */
#define TRAMPOLINE_BASE 0x8000

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_PS  0x080
#define PTE_G   0x100

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_EM 0x00000004
#define CR0_TS 0x00000008
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define CR4_PGE 0x00000080
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define CR4_VMXE 0x00002000
#define CR4_OSXSAVE 0x00040000

#define MSR_EFER 0xC0000080
#define EFER_SCE 0x001
#define EFER_LME 0x100
#define EFER_LMA 0x400
#define EFER_NXE 0x800

#endif
