/* Constants shared by trampoline.S and smp.c. */
#ifndef TK_SMP_DEFS_H
#define TK_SMP_DEFS_H

/* Where the real-mode trampoline is copied: page-aligned, below 1 MiB, so the
 * SIPI vector is TRAMP_BASE >> 12. Must be usable RAM in the memory map. */
#define TRAMP_BASE 0x8000
/* entry.S's GDT: null, code, data, user code, user data, TSS (entry.S
 * checks the size). */
#define GDT_LIMIT (6 * 8 - 1)
#define AP_MAX 32              /* AP stacks, one per APIC ID below this (others: parked) */
#define AP_STACK_SHIFT 12      /* 4 KiB of stack per AP */

#endif
