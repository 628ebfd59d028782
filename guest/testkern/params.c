/* Command-line parameters: space-separated `key=value` words. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tk.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool param_str(const char *key, char *out, unsigned size)
{
	const char *p = bootinfo.cmdline;
	size_t klen = strlen(key);
	bool found = false;
	while (*p) {
		while (is_space(*p))
			p++;
		const char *w = p;
		while (*p && !is_space(*p))
			p++;
		/* the last occurrence wins, as usual for command lines */
		if ((size_t)(p - w) > klen && !memcmp(w, key, klen) && w[klen] == '=') {
			const char *v = w + klen + 1;
			unsigned n = 0;
			while (v + n < p && n + 1 < size) {
				out[n] = v[n];
				n++;
			}
			out[n] = '\0';
			found = true;
		}
	}
	return found;
}

static bool parse_digits(const char *s, unsigned base, uint32_t *v)
{
	uint32_t x = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d >= base || x > (0xffffffffu - d) / base)
			return false;
		x = x * base + d;
	}
	*v = x;
	return true;
}

static bool has_0x(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

bool param_u32(const char *key, uint32_t *v)
{
	char buf[24];
	if (!param_str(key, buf, sizeof(buf)))
		return false;
	return has_0x(buf) ? parse_digits(buf + 2, 16, v) : parse_digits(buf, 10, v);
}

bool param_hex(const char *key, uint32_t *v)
{
	char buf[24];
	if (!param_str(key, buf, sizeof(buf)))
		return false;
	return parse_digits(has_0x(buf) ? buf + 2 : buf, 16, v);
}
