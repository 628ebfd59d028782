/* Stack painting and depth (core/stack.h). */
#include "core/stack.h"
#ifndef HV_HOST
#include "core/percpu.h"
#include "core/log.h"
#include "boot/boot_defs.h"
#endif

void stack_paint(uint64_t *lo, uint64_t *hi)
{
	for (uint64_t *p = lo; p < hi; p++)
		*p = STACK_PAINT;
}

size_t stack_used(const uint64_t *lo, const uint64_t *hi)
{
	const uint64_t *p = lo;
	while (p < hi && *p == STACK_PAINT)
		p++;
	return (size_t)((const char *)hi - (const char *)p);
}

#ifndef HV_HOST
extern uint64_t boot_stack[];
_Static_assert(BOOT_STACK_SIZE == PCPU_STACK_SIZE, "the boot processor's stack is sized as the others'");

void stack_paint_boot(void)
{
	uint64_t rsp;
	__asm__ volatile("movq %%rsp, %0" : "=r"(rsp));
	/* Leave the caller's frame and a margin for this one's. */
	uint64_t *top = (uint64_t *)((rsp - 256) & ~7ull);
	stack_paint(boot_stack, top);
	pcpus[0].stack_bottom = (uint64_t)boot_stack;
	pcpus[0].stack_top = (uint64_t)boot_stack + BOOT_STACK_SIZE;
}

void stack_check(void)
{
	struct pcpu *p = this_cpu();
	const uint64_t *bottom = (const uint64_t *)p->stack_bottom;
	/* A word written at the very bottom: the stack was used up, and what
	 * lies below may be corrupt already. */
	if (*(const volatile uint64_t *)bottom != STACK_PAINT)
		panic("stack overflow: the bottom of this pCPU's %llu-byte stack at %#llx was written",
		      (unsigned long long)(p->stack_top - p->stack_bottom),
		      (unsigned long long)p->stack_bottom);
}
#endif
