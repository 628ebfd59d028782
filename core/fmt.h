/* printf-style formatting into a buffer (pure: host-tested).
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' ' ' '+' '#',
 * field width and precision (also '*'), length modifiers hh h l ll z t j.
 * %s with NULL prints "(null)". Output is always NUL-terminated when size>0;
 * the return value is the length the full output would have had. */
#ifndef CORE_FMT_H
#define CORE_FMT_H
#include "core/lib.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
