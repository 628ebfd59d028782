/* How deep the hypervisor's stacks go. The identity map uses 2 MiB pages,
 * so the stacks have no guard pages: an overflow would silently overwrite
 * whatever lies below (a VMCB, the host's VMSAVE image, another stack). So
 * every stack is painted when it is made; the run loop checks that its
 * pCPU's bottom word is still paint (stack_check) and panics with a
 * diagnostic if not, and the power-off summary prints how deep each stack
 * went (docs/console.md, "summary: stack"). */
#ifndef CORE_STACK_H
#define CORE_STACK_H
#include "core/lib.h"

#define STACK_PAINT 0x4b4154534b415453ull /* "STAKSTAK" */

/* Fill [lo, hi) with STACK_PAINT; lo and hi 8-byte aligned. */
void stack_paint(uint64_t *lo, uint64_t *hi);

/* Bytes of [lo, hi) that were written since stack_paint: from hi down to
 * the lowest word that is no longer paint (0 if none was). */
size_t stack_used(const uint64_t *lo, const uint64_t *hi);

#ifndef HV_HOST
/* The current pCPU: panic if the bottom word of its stack was written. */
void stack_check(void);
/* The boot processor's stack, painted below the caller's frame. */
void stack_paint_boot(void);
#endif
#endif
