/* Text form of trace records; see trace_fmt.h. Hand-rolled hex rather than
 * the console formatter: this runs at every scheduling point. */
#include "vmm/obs/trace_fmt.h"

static size_t put_hex(char *p, uint64_t v)
{
	char tmp[16];
	size_t n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t trace_fmt_rec(char *buf, unsigned pcpu, uint64_t seq, const struct trace_rec *r)
{
	const uint64_t f[] = { pcpu, seq, r->ns, r->vm, r->vcpu, r->flags, r->a, r->b, r->c };
	size_t n = 0;
	buf[n++] = (char)r->type;
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		buf[n++] = ' ';
		n += put_hex(buf + n, f[i]);
	}
	buf[n++] = '\n';
	/* At most 91 bytes: pcpu < 64 and vm, vcpu, flags < 256 take two
	 * digits, a eight, seq, ns, b and c sixteen. */
	return n;
}
