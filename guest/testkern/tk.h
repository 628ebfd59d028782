/* Shared declarations of the test kernel: small library, console, test
 * verdicts. Everything here is freestanding 32-bit code without libgcc, so
 * no 64-bit division or modulo anywhere (shifts and multiplies are fine). */
#ifndef TK_H
#define TK_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))

/* string.c: what gcc may emit calls to, plus what we use ourselves. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* fmt.c: printf subset: %s %c %d %u %x %X with '0' flag and width, and
 * %llx (64-bit hex, the only 64-bit conversion: decimal would need libgcc). */
int tk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int tk_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* serial.c: COM1 output, one whole line per call under a spinlock so that
 * lines of different CPUs never interleave. Lines end with "\n" only. */
void tk_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void serial_drain(void);

/* main.c */
NORETURN void tk_exit(uint32_t code);

/* Verdicts: a test returns one of these; the reason (for FAIL and SKIP) is
 * set through tk_fail()/tk_skip(), which return the matching value. */
enum verdict { V_PASS, V_FAIL, V_SKIP };
enum verdict tk_fail(const char *fmt, ...) PRINTF_LIKE(1, 2);
enum verdict tk_skip(const char *fmt, ...) PRINTF_LIKE(1, 2);
extern const char *tk_current_test;

/* hv.c: is the KVM-compatible hypervisor ABI there? See docs/testkern.md. */
struct hv_info {
	bool bit;           /* CPUID.1:ECX[31] */
	bool leaves;        /* 0x40000000 answers with a max leaf in 0x4000xxxx */
	uint32_t max_leaf;  /* EAX of leaf 0x40000000 */
	char sig[13];       /* EBX ECX EDX of leaf 0x40000000, NUL-terminated */
	bool kvm;           /* bit && max_leaf >= 0x40000001 && sig == KVMKVMKVM */
};
const struct hv_info *hv_info(void);
/* For hypervisor-only tests: V_PASS when the ABI is there (go on), else a
 * SKIP (bare) or a FAIL (hv=1 given but the ABI is missing). */
enum verdict hv_require(void);

#endif
