/* Small freestanding library: string functions with their standard
 * prototypes, and the helpers every file wants. Pure code includes this so it
 * compiles both into the hypervisor (core/string.c) and on the host (libc). */
#ifndef CORE_LIB_H
#define CORE_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef HV_HOST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define DIV_ROUND_UP(x, d) (((x) + (d) - 1) / (d))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define UNUSED __attribute__((unused))
#define PACKED __attribute__((packed))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
#define PAGE_SIZE 4096ull
#define PAGE_SHIFT 12

/* Little-endian loads and stores at any alignment: boot information, ACPI
 * tables, boot protocols and guest memory are all byte streams. */
static inline uint16_t get_le16(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}
static inline uint32_t get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint64_t get_le64(const void *p)
{
	return get_le32(p) | (uint64_t)get_le32((const uint8_t *)p + 4) << 32;
}
static inline void put_le16(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}
static inline void put_le32(void *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16((uint8_t *)p + 2, (uint16_t)(v >> 16));
}
static inline void put_le64(void *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* Routing tables (ports, MSRs, ...) are arrays of structs that begin with a
 * `struct range`; range_find returns the first entry whose [first, last]
 * holds key, or NULL. */
struct range {
	uint32_t first, last;
};
static inline const void *range_find(const void *table, size_t n, size_t stride, uint32_t key)
{
	const char *p = table;
	for (size_t i = 0; i < n; i++, p += stride) {
		const struct range *r = (const struct range *)(const void *)p;
		if (key >= r->first && key <= r->last)
			return p;
	}
	return NULL;
}
#define RANGE_FIND(table, key) \
	((__typeof__(&(table)[0]))range_find((table), ARRAY_SIZE(table), sizeof((table)[0]), (key)))

/* Copy at most size-1 bytes and always terminate (size > 0). Returns
 * strlen(src) (BSD semantics); writes nothing when size is 0. */
size_t lib_strlcpy(char *dst, const char *src, size_t size);

#endif
