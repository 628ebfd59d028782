/* Command-line parsing (see core/cmdline.h). Tokens are never copied: they
 * point into the line, so the caller's line must outlive their use. */
#include "core/cmdline.h"
#include "core/fmt.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/* A value starting with '"' runs to the closing quote (which the token
 * excludes). Without a closing quote the value runs to the end of the line
 * and val[vallen] is '\0'; cmdline_apply reports that. Characters between the
 * closing quote and the next space belong to the token (and are junk). */
static const char *scan_value(const char *p, struct cmdline_tok *tok)
{
	if (*p == '"') {
		const char *q = ++p;
		while (*q && *q != '"')
			q++;
		tok->val = p;
		tok->vallen = (size_t)(q - p);
		if (*q == '"')
			q++;
		while (*q && !is_space(*q))
			q++;
		return q;
	}
	tok->val = p;
	while (*p && !is_space(*p))
		p++;
	tok->vallen = (size_t)(p - tok->val);
	return p;
}

bool cmdline_next(const char **pos, struct cmdline_tok *tok, const char **tail)
{
	const char *p = skip_space(*pos);

	*tail = NULL;
	*tok = (struct cmdline_tok){ 0 };
	if (!*p) {
		*pos = p;
		return false;
	}
	if (p[0] == '-' && p[1] == '-' && (p[2] == '\0' || is_space(p[2]))) {
		*tail = skip_space(p + 2);
		*pos = *tail + strlen(*tail);
		return false;
	}
	tok->key = p;
	while (*p && *p != '=' && !is_space(*p))
		p++;
	tok->keylen = (size_t)(p - tok->key);
	if (*p == '=')
		p = scan_value(p + 1, tok);
	*pos = p;
	return true;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Longest number at the start of s[0..len): decimal or 0x hex. Returns the
 * characters used, 0 when there is no digit or the value overflows. */
static size_t parse_number(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t v = 0;
	int d;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	start = i;
	for (; i < len && (d = digit_value(s[i])) >= 0 && (unsigned)d < base; i++) {
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return 0;
		v = v * base + (unsigned)d;
	}
	if (i == start)
		return 0;
	*out = v;
	return i;
}

bool cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v;
	size_t n = parse_number(s, len, &v);

	if (n == 0 || n != len)
		return false;
	*out = v;
	return true;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of s[0..len) with the lower-case word w. */
static bool word_is(const char *s, size_t len, const char *w)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!w[i] || lower(s[i]) != w[i])
			return false;
	return w[i] == '\0';
}

bool cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t v;
	size_t n = parse_number(s, len, &v);
	unsigned shift = 0;

	if (n == 0)
		return false;
	if (n < len) {
		switch (lower(s[n])) {
		case 'k': shift = 10; n++; break;
		case 'm': shift = 20; n++; break;
		case 'g': shift = 30; n++; break;
		case 't': shift = 40; n++; break;
		}
	}
	/* "iB" only after a unit letter ("4KiB"); a bare "B" after anything. */
	if (!(n == len || word_is(s + n, len - n, "b") ||
	      (shift && word_is(s + n, len - n, "ib"))))
		return false;
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

bool cmdline_parse_bool(const char *s, size_t len, bool *out)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (word_is(s, len, yes[i])) { *out = true; return true; }
		if (word_is(s, len, no[i])) { *out = false; return true; }
	}
	return false;
}

/* ---- applying a table of options ---- */

/* Messages quote user text; long tokens are cut so the message stays short. */
#define QUOTE_MAX 48
#define QLEN(n) ((int)MIN((n), (size_t)QUOTE_MAX))

struct apply_ctx {
	cmdline_warn_fn warn;
	void *ctx;
	int problems;
};

static void PRINTF_LIKE(2, 3) report(struct apply_ctx *a, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->problems++;
	if (a->warn)
		a->warn(a->ctx, msg);
}

/* The whole token as written, for messages ("key=value", quotes included). */
static size_t tok_span(const struct cmdline_tok *t)
{
	const char *end;

	if (!t->val)
		return t->keylen;
	end = t->val + t->vallen;
	while (*end && !is_space(*end))
		end++;
	return (size_t)(end - t->key);
}

static const char *expected(enum opt_type type)
{
	switch (type) {
	case OPT_U64:  return "a number";
	case OPT_SIZE: return "a size such as 512M";
	case OPT_BOOL: return "on/off, yes/no, true/false or 1/0";
	default:       return "a value";
	}
}

static bool in_range(const struct opt_desc *o, uint64_t v)
{
	return v >= o->min && (o->max == 0 || v <= o->max);
}

/* Convert and store one value; false (after reporting) leaves dst as it was. */
static bool store(struct apply_ctx *a, const struct opt_desc *o, const struct cmdline_tok *t)
{
	uint64_t v = 0;
	bool b = false, ok = false;

	if (o->type == OPT_STR) {
		if (t->vallen + 1 > o->dstlen) {
			report(a, "value for '%s' too long: %zu characters (at most %zu)",
			       o->name, t->vallen, o->dstlen ? o->dstlen - 1 : 0);
			return false;
		}
		memcpy(o->dst, t->val, t->vallen);
		((char *)o->dst)[t->vallen] = '\0';
		return true;
	}
	if (t->vallen == 0) {
		report(a, "missing value for '%s' (expected %s)", o->name, expected(o->type));
		return false;
	}
	if (o->type == OPT_U64) ok = cmdline_parse_u64(t->val, t->vallen, &v);
	if (o->type == OPT_SIZE) ok = cmdline_parse_size(t->val, t->vallen, &v);
	if (o->type == OPT_BOOL) ok = cmdline_parse_bool(t->val, t->vallen, &b);
	if (!ok) {
		report(a, "bad value for '%s': '%.*s' (expected %s)", o->name,
		       QLEN(t->vallen), t->val, expected(o->type));
		return false;
	}
	if (o->type == OPT_BOOL) {
		*(bool *)o->dst = b;
		return true;
	}
	if (!in_range(o, v)) {
		if (o->max)
			report(a, "value for '%s' out of range: '%.*s' (expected %llu..%llu)",
			       o->name, QLEN(t->vallen), t->val,
			       (unsigned long long)o->min, (unsigned long long)o->max);
		else
			report(a, "value for '%s' out of range: '%.*s' (expected at least %llu)",
			       o->name, QLEN(t->vallen), t->val, (unsigned long long)o->min);
		return false;
	}
	*(uint64_t *)o->dst = v;
	return true;
}

/* Token shape problems that do not depend on the option's type. */
static bool tok_well_formed(struct apply_ctx *a, const struct cmdline_tok *t)
{
	size_t span = tok_span(t);

	if (t->keylen == 0) {
		report(a, "option '%.*s' has no name (expected key=value)",
		       QLEN(span), t->key);
		return false;
	}
	if (t->val && t->val[-1] == '"') {
		if (t->val[t->vallen] != '"') {
			report(a, "unterminated quote in '%.*s' (expected a closing '\"')",
			       QLEN(span), t->key);
			return false;
		}
		if (t->val[t->vallen + 1] && !is_space(t->val[t->vallen + 1])) {
			report(a, "junk after the closing quote in '%.*s' (expected a space)",
			       QLEN(span), t->key);
			return false;
		}
	}
	return true;
}

static const struct opt_desc *find_opt(const struct opt_desc *opts, size_t nopts,
				       const struct cmdline_tok *t)
{
	for (size_t i = 0; i < nopts; i++)
		if (strncmp(opts[i].name, t->key, t->keylen) == 0 &&
		    opts[i].name[t->keylen] == '\0')
			return &opts[i];
	return NULL;
}

static void apply_one(struct apply_ctx *a, const struct opt_desc *o,
		      const struct cmdline_tok *t)
{
	bool ok;

	if (o->type == OPT_FLAG) {
		if (t->val) {
			report(a, "option '%s' takes no value, got '%.*s'", o->name,
			       QLEN(tok_span(t)), t->key);
			return;
		}
		*(bool *)o->dst = true;
		ok = true;
	} else if (!t->val) {
		report(a, "missing value for '%s' (expected %s=%s)", o->name, o->name,
		       o->type == OPT_STR ? "text" : expected(o->type));
		return;
	} else {
		ok = store(a, o, t);
	}
	if (ok && o->seen)
		*o->seen = true;
}

int cmdline_apply(const char *line, const struct opt_desc *opts, size_t nopts,
		  cmdline_warn_fn warn, void *ctx, const char **tail)
{
	struct apply_ctx a = { warn, ctx, 0 };
	struct cmdline_tok t;
	const char *pos = line ? line : "", *rest = NULL;

	while (cmdline_next(&pos, &t, &rest)) {
		const struct opt_desc *o;

		if (!tok_well_formed(&a, &t))
			continue;
		o = find_opt(opts, nopts, &t);
		if (!o) {
			report(&a, "unknown option '%.*s'", QLEN(tok_span(&t)), t.key);
			continue;
		}
		apply_one(&a, o, &t);
	}
	if (tail)
		*tail = rest;
	return a.problems;
}
