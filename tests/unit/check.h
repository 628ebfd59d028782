/* Minimal host unit-test support: CHECK records a pass or a failure with its
 * location; check_done() prints "<name>: N passed, N failed" and gives the
 * exit status. Tests keep going after a failure so one run shows them all. */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H
#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) { check_passed++; } \
	else { check_failed++; \
	       fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ(a, b) do { \
	unsigned long long check_a_ = (unsigned long long)(a), check_b_ = (unsigned long long)(b); \
	if (check_a_ == check_b_) { check_passed++; } \
	else { check_failed++; \
	       fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (0x%llx != 0x%llx)\n", \
	               __FILE__, __LINE__, #a, #b, check_a_, check_b_); } \
} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}
#endif
