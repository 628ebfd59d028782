/* Freestanding string functions for the hypervisor image (core/lib.h).
 * On the host (HV_HOST) libc provides the standard ones; only lib_strlcpy is
 * built there too so unit tests exercise the same code.
 *
 * GCC recognises "copy/set loop" patterns and may replace them with calls to
 * memcpy/memset, which here would recurse forever; the attribute below turns
 * that transformation off for this file's functions. */
#include "core/lib.h"

#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

#ifndef HV_HOST

NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Word copies when both pointers share alignment: most copies are
	 * page-sized or structure-sized and aligned. */
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n) {
		/* Forward copy is safe: dst starts before src or does not overlap. */
		while (n--)
			*d++ = *s++;
	} else {
		/* dst overlaps the tail of src: copy backwards. */
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t pat = (unsigned char)c;

	pat |= pat << 8;
	pat |= pat << 16;
	pat |= pat << 32;
	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = pat;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
		if (!*x)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	/* The terminator counts as part of the string: strchr(s, 0) finds it. */
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

#endif /* !HV_HOST */

NO_LIBCALL size_t lib_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
		dst[n] = '\0';
	}
	return len;
}
