/* Stack painting (core/stack.c): the depth the power-off summary prints
 * must be exactly what was written, from the top down to the lowest word
 * touched, whatever the values written (zero, a value one off the
 * paint), and a stack written to its bottom must read as used whole:
 * that is what stack_check panics on. */
#include "core/stack.h"
#include "tests/unit/check.h"

#define WORDS 512

static uint64_t st[WORDS];

int main(void)
{
	uint64_t *lo = st, *hi = st + WORDS;

	stack_paint(lo, hi);
	for (unsigned i = 0; i < WORDS; i++)
		CHECK_EQ(st[i], STACK_PAINT);
	CHECK_EQ(stack_used(lo, hi), 0);
	CHECK_EQ(stack_used(lo, lo), 0);

	/* One word at the top, then deeper ones: the depth follows the
	 * lowest written word, in bytes from hi. */
	hi[-1] = 0;
	CHECK_EQ(stack_used(lo, hi), 8);
	st[WORDS - 100] = 0x1234;
	CHECK_EQ(stack_used(lo, hi), 100 * 8);
	/* A hole of paint above a deeper write does not hide it (a frame
	 * that reserves space and writes only its bottom). */
	st[10] = STACK_PAINT - 1;
	CHECK_EQ(stack_used(lo, hi), (WORDS - 10) * 8);
	/* The bottom word written: used whole. */
	st[0] = 0;
	CHECK_EQ(stack_used(lo, hi), WORDS * 8);

	/* Painting again resets it. */
	stack_paint(lo, hi);
	CHECK_EQ(stack_used(lo, hi), 0);
	/* A sub-range: only its own words count. */
	st[300] = 7;
	CHECK_EQ(stack_used(lo, st + 256), 0);
	CHECK_EQ(stack_used(st + 256, hi), (WORDS - 300) * 8);
	return check_done("test_stack");
}
