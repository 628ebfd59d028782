/* printf-style formatting into a buffer (pure: host-tested).
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' ' ' '+' '#',
 * field width and precision (also '*'), length modifiers hh h l ll z t j.
 * %s with NULL prints "(null)". Output is always NUL-terminated when size>0;
 * the return value is the length the full output would have had.
 * %p prints 0x and lower-case hex ("0x0" for NULL). An unknown conversion is
 * printed as written ("%q") and consumes no argument. Widths and precisions
 * above 4096 are clamped to 4096. */
#ifndef CORE_FMT_H
#define CORE_FMT_H
#include "core/lib.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* For pure code's error paths: format into err (if errlen > 0), return -1. */
int fmt_error(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
