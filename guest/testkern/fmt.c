/* A printf subset, enough for verdict and diagnostic lines. Deliberately
 * 32-bit only (no libgcc for 64-bit division); 64-bit values are printed in
 * hex from their two halves. */
#include "guest/testkern/tk.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Digits of v in base 10 or 16, right-aligned to width with pad. */
static void put_num(struct out *o, uint32_t v, unsigned base, bool upper,
		    bool neg, unsigned width, char pad)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[12];
	unsigned n = 0;
	do {
		tmp[n++] = dig[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width > n) {
		put(o, pad);
		width--;
	}
	while (n)
		put(o, tmp[--n]);
}

int tk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		unsigned width = 0, longs = 0;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int32_t v = longs ? (int32_t)va_arg(ap, long) : va_arg(ap, int);
			uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
			put_num(&o, mag, 10, false, v < 0, width, pad);
			break;
		}
		case 'u':
			put_num(&o, longs ? (uint32_t)va_arg(ap, unsigned long)
					  : va_arg(ap, unsigned), 10, false, false, width, pad);
			break;
		case 'x':
		case 'X':
			if (longs >= 2) {
				uint64_t v = va_arg(ap, unsigned long long);
				uint32_t hi = (uint32_t)(v >> 32);
				if (hi) {
					put_num(&o, hi, 16, *fmt == 'X', false,
						width > 8 ? width - 8 : 0, pad);
					put_num(&o, (uint32_t)v, 16, *fmt == 'X', false, 8, '0');
				} else {
					put_num(&o, (uint32_t)v, 16, *fmt == 'X', false, width, pad);
				}
			} else {
				put_num(&o, longs ? (uint32_t)va_arg(ap, unsigned long)
						  : va_arg(ap, unsigned), 16, *fmt == 'X', false,
					width, pad);
			}
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = strlen(s ? s : "(null)");
			for (; width > n; width--)
				put(&o, ' ');
			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default: /* unknown conversion: show it, do not guess arguments */
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int tk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = tk_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
