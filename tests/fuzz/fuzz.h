/* Shared helpers of the libFuzzer targets in tests/fuzz/ (docs/testing.md,
 * "Fuzzing"). Each target defines LLVMFuzzerTestOneInput, reads its
 * parameters from the front of the input with the fz_* readers (zeros once
 * the input runs out, so every input is valid), and checks what the code
 * under test promises with FUZZ_CHECK, which prints the broken invariant and
 * aborts: libFuzzer then saves the input as a crash.
 *
 * Buffers handed to the code under test are heap copies of exactly the size
 * it is told about (fz_dup, fz_arena), so AddressSanitizer reports a read or
 * write one byte past them. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FUZZ INVARIANT BROKEN %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

/* Built with -DFUZZ_DEBUG, a target says what the code under test made of
 * each input (for writing seeds: tests/fuzz/mkseeds.py). */
#ifdef FUZZ_DEBUG
#define FZ_DEBUG(...) fprintf(stderr, "fuzz: " __VA_ARGS__)
#else
#define FZ_DEBUG(...) do { } while (0)
#endif

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline size_t fz_left(const struct fz *f) { return f->n; }

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}
static inline uint16_t fz_u16(struct fz *f) { uint16_t v = fz_u8(f); return (uint16_t)(v | fz_u8(f) << 8); }
static inline uint32_t fz_u32(struct fz *f) { uint32_t v = fz_u16(f); return v | (uint32_t)fz_u16(f) << 16; }
static inline uint64_t fz_u64(struct fz *f) { uint64_t v = fz_u32(f); return v | (uint64_t)fz_u32(f) << 32; }
static inline bool fz_bool(struct fz *f) { return fz_u8(f) & 1; }

/* The rest of the input (the payload after the parameters). */
static inline const uint8_t *fz_rest(struct fz *f, size_t *len)
{
	const uint8_t *p = f->p;
	*len = f->n;
	f->p += f->n;
	f->n = 0;
	return p;
}

/* An exact-size heap copy (one byte even for n == 0, so the pointer is
 * valid); free() it. */
static inline uint8_t *fz_dup(const void *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	if (!q)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

/* A NUL-terminated heap copy of p[0..n) cut at its first NUL. */
static inline char *fz_strdup(const void *p, size_t n)
{
	size_t len = strnlen(p, n);
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* Every allocation of one run, freed together by fz_arena_free: for map()
 * callbacks that hand out exact-size copies of "physical memory". */
#define FZ_ARENA_MAX 4096
struct fz_arena {
	void *ptr[FZ_ARENA_MAX];
	size_t n;
};
static inline void *fz_arena_dup(struct fz_arena *a, const void *p, size_t n)
{
	if (a->n == FZ_ARENA_MAX)
		return NULL;
	return a->ptr[a->n++] = fz_dup(p, n);
}
static inline void fz_arena_free(struct fz_arena *a)
{
	while (a->n)
		free(a->ptr[--a->n]);
}

/* A physical address space made of the input: [base, base + len) maps to
 * mem[0..len); map() gives an exact-size copy of the requested range or NULL
 * when any of it lies outside. */
struct fz_phys {
	const uint8_t *mem;
	size_t len;
	uint64_t base;
	struct fz_arena arena;
};
static inline const void *fz_phys_map(void *ctx, uint64_t phys, size_t len)
{
	struct fz_phys *m = ctx;
	if (phys < m->base || phys - m->base > m->len || len > m->len - (phys - m->base))
		return NULL;
	return fz_arena_dup(&m->arena, m->mem + (phys - m->base), len);
}

/* An error message the code under test wrote into err[0..errlen): it must
 * be NUL-terminated inside the buffer, and non-empty when want_text. */
static inline void fz_check_err(const char *err, size_t errlen, bool want_text)
{
	if (!errlen)
		return;
	size_t n = strnlen(err, errlen);
	FUZZ_CHECK(n < errlen, "error message not NUL-terminated in its %zu bytes", errlen);
	if (want_text)
		FUZZ_CHECK(n > 0 || errlen == 1, "failure without a message");
}

/* A string the code under test returned: readable up to its NUL. */
static inline size_t fz_touch_str(const char *s)
{
	FUZZ_CHECK(s != NULL, "NULL string");
	return strlen(s);
}

#endif
