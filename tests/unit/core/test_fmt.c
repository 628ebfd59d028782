/* fmt_snprintf against the C library's snprintf for the supported subset,
 * plus truncation, the return value and lib_strlcpy. */
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include "core/fmt.h"
#include "tests/unit/check.h"

/* Odd formats (flag combinations C ignores, unknown conversions, NULL %s)
 * are the point of some checks; GCC's format checker would reject them. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"

/* Format with both implementations and compare output and return value. */
#define SAME(...) do { \
	char a_[256], b_[256]; \
	int na_ = fmt_snprintf(a_, sizeof(a_), __VA_ARGS__); \
	int nb_ = snprintf(b_, sizeof(b_), __VA_ARGS__); \
	CHECK_EQ(na_, nb_); \
	CHECK(strcmp(a_, b_) == 0); \
	if (strcmp(a_, b_)) fprintf(stderr, "  got '%s' want '%s'\n", a_, b_); \
} while (0)

static void test_integers(void)
{
	SAME("%d %i %u", 42, -17, 3000000000u);
	SAME("%d", -2147483647 - 1);
	SAME("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	SAME("%ld %lu %lx", -5L, 5UL, 0xdeadbeefUL);
	SAME("%x %X %o", 0xabcdefu, 0xabcdefu, 0755u);
	SAME("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	SAME("%zu %zx %td %jd %ju", (size_t)123, (size_t)0x1f, (ptrdiff_t)-9,
	     (intmax_t)-77, (uintmax_t)77);
	SAME("[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]", 42, 42, 42, 42, 42, -42);
	SAME("[%05d] [%-05d] [%+05d]", -42, -42, 42);
	SAME("[%.3d] [%8.3d] [%-8.3d] [%08.3d]", 7, 7, 7, 7);
	SAME("[%.0d] [%5.0d] [%.0x]", 0, 0, 0);
	SAME("[%#x] [%#X] [%#o] [%#x] [%#o] [%#.0o]", 255u, 255u, 8u, 0u, 0u, 0u);
	SAME("[%#010x] [%#-10x]", 0x1234u, 0x1234u);
	SAME("[%*d] [%-*d] [%*d] [%.*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 1, -1, 1);
}

static void test_strings(void)
{
	const char unterminated[3] = { 'a', 'b', 'c' };

	SAME("[%s] [%10s] [%-10s] [%.2s] [%10.2s]", "hello", "hi", "hi", "hello", "hello");
	SAME("[%c] [%3c] [%-3c]", 'x', 'y', 'z');
	SAME("100%% [%%]");
	/* %.3s must not read past the precision (ASan would catch it). */
	SAME("[%.3s]", unterminated);

	char b[64];
	fmt_snprintf(b, sizeof(b), "%s", (const char *)NULL);
	CHECK(strcmp(b, "(null)") == 0);
	fmt_snprintf(b, sizeof(b), "%p %p", (void *)0x1234, (void *)0);
	CHECK(strcmp(b, "0x1234 0x0") == 0);
	/* Unknown conversions are printed as written and consume nothing. */
	fmt_snprintf(b, sizeof(b), "%q %d", 5);
	CHECK(strcmp(b, "%q 5") == 0);
	fmt_snprintf(b, sizeof(b), "end %");
	CHECK(strcmp(b, "end %") == 0);
}

static void test_truncation(void)
{
	char b[8];

	memset(b, 'X', sizeof(b));
	CHECK_EQ(fmt_snprintf(b, 4, "%d", 123456), 6);
	CHECK(strcmp(b, "123") == 0);
	CHECK_EQ((unsigned char)b[4], 'X');          /* nothing past size */
	memset(b, 'X', sizeof(b));
	CHECK_EQ(fmt_snprintf(b, 1, "abc"), 3);
	CHECK_EQ(b[0], '\0');
	CHECK_EQ((unsigned char)b[1], 'X');
	memset(b, 'X', sizeof(b));
	CHECK_EQ(fmt_snprintf(b, 0, "abc"), 3);      /* size 0: no write at all */
	CHECK_EQ((unsigned char)b[0], 'X');
	CHECK_EQ(fmt_snprintf(NULL, 0, "%s-%d", "ab", 10), 5);
	CHECK_EQ(fmt_snprintf(b, sizeof(b), "%s", "exactly"), 7);
	CHECK(strcmp(b, "exactly") == 0);
	CHECK_EQ(fmt_snprintf(b, sizeof(b), "%s", "exactly8"), 8);
	CHECK(strcmp(b, "exactly") == 0);
	CHECK_EQ(fmt_snprintf(b, sizeof(b), ""), 0);
	CHECK_EQ(b[0], '\0');
}

static void test_strlcpy(void)
{
	char b[6];

	memset(b, 'X', sizeof(b));
	CHECK_EQ(lib_strlcpy(b, "hello world", sizeof(b)), 11);
	CHECK(strcmp(b, "hello") == 0);
	CHECK_EQ(lib_strlcpy(b, "hi", sizeof(b)), 2);
	CHECK(strcmp(b, "hi") == 0);
	memset(b, 'X', sizeof(b));
	CHECK_EQ(lib_strlcpy(b, "abc", 1), 3);
	CHECK_EQ(b[0], '\0');
	CHECK_EQ((unsigned char)b[1], 'X');
	memset(b, 'X', sizeof(b));
	CHECK_EQ(lib_strlcpy(b, "abc", 0), 3);       /* size 0 writes nothing */
	CHECK_EQ((unsigned char)b[0], 'X');
}

int main(void)
{
	test_integers();
	test_strings();
	test_truncation();
	test_strlcpy();
	return check_done("test_fmt");
}
