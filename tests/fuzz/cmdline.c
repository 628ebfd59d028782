/* Fuzz target: command-line parsing (core/cmdline.c), with an option table
 * shaped like the hypervisor's (boot/main.c: loglevel, maxcpus, tsc_khz,
 * sched, debug_fault) plus a size and a flag.
 * Input: one flags byte, then the line (cut at its first NUL; an exact-size
 * heap copy).
 * Checks: tokens lie inside the line, each call moves forward, keys hold
 * no blank or '='; cmdline_apply reports exactly as many problems as it
 * returns, each message NUL-terminated and shorter than its buffer; string
 * options stay NUL-terminated in their buffers, numbers within their
 * ranges, options not applied keep their old values; the tail points into
 * the line; and the number, size and boolean parsers agree with a
 * reference implementation of their documented grammar on every token. */
#include "tests/fuzz/fuzz.h"
#include "core/cmdline.h"

struct opts {
	char loglevel[8];
	uint64_t maxcpus, tsc_khz, mem;
	char sched[16];
	bool debug_fault, flag;
	bool seen[7];
};

static unsigned warnings;

static void warn(void *ctx, const char *msg)
{
	FUZZ_CHECK(ctx == &warnings, "warn context");
	FUZZ_CHECK(strlen(msg) < 192, "message of %zu characters", strlen(msg));
	warnings++;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int digit(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Reference: the longest number at the start of s[0..len) ("0x" + hex when
 * len > 2, else decimal); characters used, 0 if none or on overflow. */
static size_t ref_number(const char *s, size_t len, uint64_t *out)
{
	unsigned base = (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
	size_t i = base == 16 ? 2 : 0, start = i;
	unsigned __int128 v = 0;

	while (i < len && digit(s[i]) >= 0 && (unsigned)digit(s[i]) < base) {
		v = v * base + (unsigned)digit(s[i++]);
		if (v > UINT64_MAX)
			return 0;
	}
	if (i == start)
		return 0;
	*out = (uint64_t)v;
	return i;
}

static bool ieq(const char *s, size_t len, const char *w)
{
	if (strlen(w) != len)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (c != w[i])
			return false;
	}
	return true;
}

static void check_parsers(const char *s, size_t len)
{
	char *c = (char *)fz_dup(s, len);       /* exact size: no NUL after it */
	uint64_t v = 0xdead, rv = 0;
	size_t n = ref_number(c, len, &rv);
	bool ok = cmdline_parse_u64(c, len, &v), b = false, rb;

	FUZZ_CHECK(ok == (n && n == len) && (!ok || v == rv), "parse_u64('%.*s') = %d %llu",
		   (int)len, c, ok, (unsigned long long)v);
	if (!ok)
		FUZZ_CHECK(v == 0xdead, "parse_u64 wrote on failure");

	/* Sizes: number, optional K/M/G/T, then nothing, "B", or "iB" after a unit. */
	unsigned shift = 0;
	bool rok = n > 0;
	size_t k = n;
	if (rok && k < len) {
		char u = c[k] >= 'A' && c[k] <= 'Z' ? (char)(c[k] - 'A' + 'a') : c[k];
		shift = u == 'k' ? 10 : u == 'm' ? 20 : u == 'g' ? 30 : u == 't' ? 40 : 0;
		if (shift)
			k++;
	}
	if (rok)
		rok = k == len || ieq(c + k, len - k, "b") || (shift && ieq(c + k, len - k, "ib"));
	if (rok)
		rok = rv <= (UINT64_MAX >> shift);
	v = 0;
	ok = cmdline_parse_size(c, len, &v);
	FUZZ_CHECK(ok == rok && (!ok || v == rv << shift), "parse_size('%.*s') = %d %llu",
		   (int)len, c, ok, (unsigned long long)v);

	rb = ieq(c, len, "1") || ieq(c, len, "on") || ieq(c, len, "yes") || ieq(c, len, "true");
	rok = rb || ieq(c, len, "0") || ieq(c, len, "off") || ieq(c, len, "no") || ieq(c, len, "false");
	ok = cmdline_parse_bool(c, len, &b);
	FUZZ_CHECK(ok == rok && (!ok || b == rb), "parse_bool('%.*s') = %d %d", (int)len, c, ok, b);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t flags = fz_u8(&f);
	size_t n;
	const uint8_t *body = fz_rest(&f, &n);
	char *line = fz_strdup(body, n);
	size_t len = strlen(line);
	const char *pos = line, *tail = NULL;
	struct cmdline_tok t;
	unsigned ntok = 0;

	/* Tokens. */
	while (cmdline_next(&pos, &t, &tail)) {
		const char *before = pos;
		FUZZ_CHECK(++ntok <= len, "more tokens than characters");
		FUZZ_CHECK(t.key >= line && t.key + t.keylen <= line + len, "key outside the line");
		for (size_t i = 0; i < t.keylen; i++)
			FUZZ_CHECK(!is_blank(t.key[i]) && t.key[i] != '=', "key holds '%c'", t.key[i]);
		if (t.val) {
			FUZZ_CHECK(t.val > t.key && t.val + t.vallen <= line + len, "value outside the line");
			check_parsers(t.val, t.vallen);
		}
		check_parsers(t.key, t.keylen);
		FUZZ_CHECK(pos > t.key && pos <= line + len, "position did not move on");
		(void)before;
	}
	FUZZ_CHECK(!tail || (tail >= line && tail <= line + len), "tail outside the line");
	FUZZ_CHECK(pos >= line && pos <= line + len && !*pos, "stopped before the end of the line");

	/* The option table. */
	struct opts o = { "info", 64, 0, 0, "", false, false, { 0 } };
	struct opts before = o;
	const struct opt_desc table[] = {
		{ "loglevel", OPT_STR, o.loglevel, sizeof(o.loglevel), 0, 0, &o.seen[0] },
		{ "maxcpus", OPT_U64, &o.maxcpus, 0, 1, 64, &o.seen[1] },
		{ "tsc_khz", OPT_U64, &o.tsc_khz, 0, 1000, 100000000, &o.seen[2] },
		{ "sched", OPT_STR, o.sched, sizeof(o.sched), 0, 0, &o.seen[3] },
		{ "debug_fault", OPT_BOOL, &o.debug_fault, 0, 0, 0, &o.seen[4] },
		{ "mem", OPT_SIZE, &o.mem, 0, 1u << 20, 0, &o.seen[5] },
		{ "quiet", OPT_FLAG, &o.flag, 0, 0, 0, &o.seen[6] },
	};
	warnings = 0;
	int problems = cmdline_apply(line, table, ARRAY_SIZE(table), (flags & 1) ? warn : NULL,
				     &warnings, (flags & 2) ? &tail : NULL);
	FUZZ_CHECK(problems >= 0 && (!(flags & 1) || (unsigned)problems == warnings),
		   "%d problems, %u warnings", problems, warnings);
	FUZZ_CHECK((unsigned)problems <= ntok, "%d problems from %u tokens", problems, ntok);
	if (flags & 2)
		FUZZ_CHECK(!tail || (tail >= line && tail <= line + len), "tail outside the line");
	FUZZ_CHECK(strnlen(o.loglevel, sizeof(o.loglevel)) < sizeof(o.loglevel) &&
		   strnlen(o.sched, sizeof(o.sched)) < sizeof(o.sched), "string option not terminated");
	FUZZ_CHECK(o.seen[1] ? o.maxcpus >= 1 && o.maxcpus <= 64 : o.maxcpus == before.maxcpus,
		   "maxcpus %llu", (unsigned long long)o.maxcpus);
	FUZZ_CHECK(o.seen[2] ? o.tsc_khz >= 1000 && o.tsc_khz <= 100000000 : o.tsc_khz == before.tsc_khz,
		   "tsc_khz %llu", (unsigned long long)o.tsc_khz);
	FUZZ_CHECK(o.seen[5] ? o.mem >= (1u << 20) : o.mem == 0, "mem %llu", (unsigned long long)o.mem);
	FUZZ_CHECK(o.seen[0] || !strcmp(o.loglevel, "info"), "loglevel changed without being applied");
	FUZZ_CHECK(o.seen[3] || !o.sched[0], "sched changed without being applied");
	FUZZ_CHECK(o.seen[4] || !o.debug_fault, "debug_fault changed without being applied");
	FUZZ_CHECK(o.seen[6] == o.flag, "flag %d seen %d", o.flag, o.seen[6]);
	free(line);
	return 0;
}
