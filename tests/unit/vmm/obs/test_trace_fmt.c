/* The trace's wire lines (vmm/obs/trace_fmt.c): exact text, hex without
 * leading zeros, the longest line within TRACE_LINE_MAX. scripts/lhv-trace.py
 * parses exactly this. */
#include <string.h>
#include "tests/unit/check.h"
#include "vmm/obs/trace_fmt.h"

int main(void)
{
	char buf[TRACE_LINE_MAX + 8];
	struct trace_rec r = { .ns = 0x12345, .type = TR_DESCHED, .flags = TR_WHY_PREEMPT, .vm = 1,
			       .vcpu = 0, .a = 0x35, .b = 0xffffffff81234567ull, .c = 0x80000001ull };
	size_t n = trace_fmt_rec(buf, 1, 0, &r);
	buf[n] = '\0';
	CHECK(!strcmp(buf, "P 1 0 12345 1 0 1 35 ffffffff81234567 80000001\n"));
	CHECK_EQ(n, strlen(buf));

	struct trace_rec d = { .ns = 0, .type = TR_DISPATCH };
	n = trace_fmt_rec(buf, 0, 0xabc, &d);
	buf[n] = '\0';
	CHECK(!strcmp(buf, "D 0 abc 0 0 0 0 0 0 0\n"));

	/* The longest possible line. */
	struct trace_rec m = { .ns = ~0ull, .type = TR_SPIN, .flags = 0xff, .vm = 0xff, .vcpu = 0xff,
			       .a = 0xffffffffu, .b = ~0ull, .c = ~0ull };
	n = trace_fmt_rec(buf, 63, ~0ull, &m);
	CHECK(n <= TRACE_LINE_MAX);
	CHECK_EQ(n, 91);
	CHECK_EQ(buf[n - 1], '\n');
	CHECK(trace_sym_char_ok('a'));
	CHECK(trace_sym_char_ok(' '));
	CHECK(!trace_sym_char_ok('\n'));
	CHECK(!trace_sym_char_ok('\x7f'));
	CHECK(!trace_sym_char_ok('\x1b'));
	return check_done("test_trace_fmt");
}
