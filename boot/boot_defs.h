/* Constants shared by the boot assembly and C. */
#ifndef BOOT_BOOT_DEFS_H
#define BOOT_BOOT_DEFS_H
#include "hw/x86_defs.h"

#define MB2_HEADER_MAGIC      0xE85250D6
#ifdef __ASSEMBLY__
#define MB2_BOOTLOADER_MAGIC  0x36d76289   /* C code: boot/mb2.h */
#endif

#define BOOT_KIND_UNKNOWN 0
#define BOOT_KIND_MB2     1
#define BOOT_KIND_PVH     2

/* The boot processor keeps this stack for good and runs guests on it like
 * the others: the same size as theirs (PCPU_STACK_SIZE). Loading the
 * guests at boot goes deepest, about 8 KiB (docs/console.md, "summary:
 * stack"). */
#define BOOT_STACK_SIZE 32768
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

/* CR0/CR4/EFER bits and MSR numbers: hw/x86_defs.h */

#endif
