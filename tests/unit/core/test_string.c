/* The freestanding string functions of core/string.c, which the host build
 * normally leaves out (libc has them): compiled here under other names so
 * they can be compared with libc's without replacing it. */
#undef HV_HOST
#define memcpy  t_memcpy
#define memmove t_memmove
#define memset  t_memset
#define memcmp  t_memcmp
#define strlen  t_strlen
#define strnlen t_strnlen
#define strcmp  t_strcmp
#define strncmp t_strncmp
#define strchr  t_strchr
#define lib_strlcpy t_strlcpy
#include "core/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef lib_strlcpy
#define HV_HOST 1

#include <string.h>
#include "tests/unit/check.h"

static int sign(int x) { return (x > 0) - (x < 0); }

static void test_mem(void)
{
	unsigned char a[80], b[80];

	/* Every alignment and length up to 40 for memcpy and memset, so both
	 * the word loop and the byte tails are covered. */
	for (int off = 0; off < 8; off++) {
		for (int n = 0; n <= 40; n++) {
			for (int i = 0; i < 80; i++) { a[i] = (unsigned char)i; b[i] = 0xee; }
			CHECK(t_memcpy(b + off, a + off, (size_t)n) == b + off);
			CHECK(memcmp(b + off, a + off, (size_t)n) == 0);
			CHECK_EQ(b[off + n], 0xee);
			CHECK(off == 0 || b[off - 1] == 0xee);
			CHECK(t_memset(b + off, 0x5a, (size_t)n) == b + off);
			for (int i = 0; i < 80; i++)
				if ((i >= off && i < off + n) != (b[i] == 0x5a))
					CHECK(!"memset wrote outside or missed a byte");
		}
	}
	/* Misaligned relative to each other. */
	for (int i = 0; i < 80; i++) a[i] = (unsigned char)(i * 7);
	t_memcpy(b + 1, a + 4, 33);
	CHECK(memcmp(b + 1, a + 4, 33) == 0);

	/* memmove both directions with overlap. */
	for (int i = 0; i < 80; i++) a[i] = (unsigned char)i;
	t_memmove(a + 5, a, 20);
	for (int i = 0; i < 20; i++) CHECK_EQ(a[5 + i], i);
	for (int i = 0; i < 80; i++) a[i] = (unsigned char)i;
	t_memmove(a, a + 5, 20);
	for (int i = 0; i < 20; i++) CHECK_EQ(a[i], i + 5);

	CHECK_EQ(t_memcmp("abc", "abc", 3), 0);
	CHECK(t_memcmp("abc", "abd", 3) < 0);
	CHECK(t_memcmp("\xff", "\x01", 1) > 0);   /* unsigned comparison */
	CHECK_EQ(t_memcmp("abc", "xyz", 0), 0);
}

static void test_str(void)
{
	static const char *w[] = { "", "a", "ab", "abc", "abd", "b", "\xff" };

	CHECK_EQ(t_strlen(""), 0);
	CHECK_EQ(t_strlen("hello"), 5);
	CHECK_EQ(t_strnlen("hello", 3), 3);
	CHECK_EQ(t_strnlen("hi", 10), 2);
	CHECK_EQ(t_strnlen("hi", 0), 0);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		for (size_t j = 0; j < sizeof(w) / sizeof(w[0]); j++) {
			CHECK_EQ(sign(t_strcmp(w[i], w[j])), sign(strcmp(w[i], w[j])));
			CHECK_EQ(sign(t_strncmp(w[i], w[j], 2)), sign(strncmp(w[i], w[j], 2)));
		}
	CHECK_EQ(t_strncmp("abcx", "abcy", 3), 0);
	CHECK_EQ(t_strncmp("a", "b", 0), 0);
	const char *s = "key=val";
	CHECK(t_strchr(s, '=') == s + 3);
	CHECK(t_strchr(s, 'z') == NULL);
	CHECK(t_strchr(s, '\0') == s + 7);

	char b[4];
	CHECK_EQ(t_strlcpy(b, "abcdef", sizeof(b)), 6);
	CHECK(strcmp(b, "abc") == 0);
}

int main(void)
{
	test_mem();
	test_str();
	return check_done("test_string");
}
