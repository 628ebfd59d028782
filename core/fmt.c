/* printf-style formatting into a buffer (see core/fmt.h). Integer-only: the
 * hypervisor is built with -mgeneral-regs-only, so there is no %f.
 *
 * Output goes through struct out, which counts every character the full
 * result would have and stores only what fits, so truncation never changes
 * the return value. */
#include "core/fmt.h"

/* Widths and precisions beyond this are clamped: no caller needs them and it
 * keeps the counters far from int overflow. */
#define FMT_MAX_FIELD 4096

struct out {
	char *buf;
	size_t size;
	size_t len;     /* characters produced so far (stored or not) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, space, plus, alt;
	int width;
	int prec;       /* -1: none */
	int len;        /* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', 0 */
	char conv;
};

static int clamp_field(long v)
{
	return v > FMT_MAX_FIELD ? FMT_MAX_FIELD : (int)v;
}

/* Digits or '*' for a width or precision; *fmt is advanced past them. */
static int parse_field(const char **fmt, va_list *ap, bool *from_arg)
{
	const char *p = *fmt;
	long v = 0;

	*from_arg = false;
	if (*p == '*') {
		*fmt = p + 1;
		*from_arg = true;
		return va_arg(*ap, int);
	}
	while (*p >= '0' && *p <= '9') {
		if (v <= FMT_MAX_FIELD)
			v = v * 10 + (*p - '0');
		p++;
	}
	*fmt = p;
	return clamp_field(v);
}

static const char *parse_spec(const char *p, va_list *ap, struct spec *s)
{
	bool star;

	*s = (struct spec){ .prec = -1 };
	for (;; p++) {
		if (*p == '-') s->left = true;
		else if (*p == '0') s->zero = true;
		else if (*p == ' ') s->space = true;
		else if (*p == '+') s->plus = true;
		else if (*p == '#') s->alt = true;
		else break;
	}
	s->width = parse_field(&p, ap, &star);
	if (star && s->width < 0) {
		/* A negative '*' width means left-justify (C11 7.21.6.1). */
		s->left = true;
		s->width = s->width == -2147483647 - 1 ? FMT_MAX_FIELD : -s->width;
	}
	s->width = clamp_field(s->width);
	if (*p == '.') {
		p++;
		s->prec = parse_field(&p, ap, &star);
		if (s->prec < 0)
			s->prec = -1;   /* negative '*' precision: as if omitted */
		else
			s->prec = clamp_field(s->prec);
	}
	switch (*p) {
	case 'h': p++; s->len = 'h'; if (*p == 'h') { p++; s->len = 'H'; } break;
	case 'l': p++; s->len = 'l'; if (*p == 'l') { p++; s->len = 'L'; } break;
	case 'z': case 't': case 'j': s->len = *p++; break;
	}
	s->conv = *p;
	return p;
}

static uint64_t arg_unsigned(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned int);
	case 'h': return (unsigned short)va_arg(*ap, unsigned int);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct spec *s, va_list *ap)
{
	switch (s->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (int64_t)va_arg(*ap, size_t); /* signed size_t */
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

/* One integer: sign or prefix, zero padding from the precision or the '0'
 * flag, then the digits, all inside the field width. */
static void put_int(struct out *o, const struct spec *s, uint64_t v,
		    bool neg, unsigned base, bool upper)
{
	const char *digs = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];   /* 22 octal digits cover 64 bits */
	int n = 0, zeros, pad;
	const char *prefix = "";

	while (v) {
		tmp[n++] = digs[v % base];
		v /= base;
	}
	if (n == 0 && s->prec != 0)
		tmp[n++] = '0';     /* "%.0d" of 0 prints nothing, as in C */

	if (neg) prefix = "-";
	else if (s->plus) prefix = "+";
	else if (s->space) prefix = " ";
	if (s->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (s->conv == 'p')
		prefix = "0x";

	zeros = s->prec > n ? s->prec - n : 0;
	/* '#o' forces a leading zero, by raising the precision if needed. */
	if (s->alt && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
		zeros = 1;
	pad = s->width - (int)strlen(prefix) - zeros - n;
	if (pad > 0 && s->zero && !s->left && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!s->left)
		put_n(o, ' ', pad);
	for (; *prefix; prefix++)
		put(o, *prefix);
	put_n(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		put_n(o, ' ', pad);
}

static void put_str(struct out *o, const struct spec *s, const char *str)
{
	size_t n;
	int pad;

	if (!str)
		str = "(null)";
	/* With a precision the string need not be terminated: look no further. */
	n = s->prec >= 0 ? strnlen(str, (size_t)s->prec) : strlen(str);
	pad = (size_t)s->width > n ? s->width - (int)n : 0;
	if (!s->left)
		put_n(o, ' ', pad);
	for (size_t i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		put_n(o, ' ', pad);
}

static void convert(struct out *o, struct spec *s, va_list *ap, const char *start,
		    const char *end)
{
	int64_t sv;
	char c;

	switch (s->conv) {
	case 'd': case 'i':
		sv = arg_signed(s, ap);
		/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
		put_int(o, s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0, 10, false);
		break;
	case 'u': put_int(o, s, arg_unsigned(s, ap), false, 10, false); break;
	case 'x': put_int(o, s, arg_unsigned(s, ap), false, 16, false); break;
	case 'X': put_int(o, s, arg_unsigned(s, ap), false, 16, true); break;
	case 'o': put_int(o, s, arg_unsigned(s, ap), false, 8, false); break;
	case 'p':
		s->plus = s->space = false;
		put_int(o, s, (uintptr_t)va_arg(*ap, void *), false, 16, false);
		break;
	case 's': put_str(o, s, va_arg(*ap, const char *)); break;
	case 'c':
		c = (char)va_arg(*ap, int);
		s->prec = -1;
		if (!s->left) put_n(o, ' ', s->width - 1);
		put(o, c);
		if (s->left) put_n(o, ' ', s->width - 1);
		break;
	case '%': put(o, '%'); break;
	default:
		/* Unknown conversion: print the directive as written, so the
		 * mistake is visible in the output instead of eating arguments. */
		for (; start < end; start++)
			put(o, *start);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	/* va_copy lets helpers take a va_list * portably (va_list may be an
	 * array type that decays differently in a parameter). */
	va_copy(aq, ap);
	while (*fmt) {
		struct spec s;
		const char *start = fmt, *p;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		p = parse_spec(fmt + 1, &aq, &s);
		if (!*p) {
			/* Lone '%' (and flags) at the end: print as written. */
			for (; start < p; start++)
				put(&o, *start);
			break;
		}
		convert(&o, &s, &aq, start, p + 1);
		fmt = p + 1;
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int fmt_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
