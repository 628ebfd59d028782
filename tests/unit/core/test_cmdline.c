/* Command-line tokenizer, number/size/bool parsers and cmdline_apply, with
 * the malformed input a user can type. */
#include <string.h>
#include "core/cmdline.h"
#include "tests/unit/check.h"

/* Warnings collected from cmdline_apply. */
struct warns { int n; char last[256]; char all[1024]; };

static void collect(void *ctx, const char *msg)
{
	struct warns *w = ctx;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
	strncat(w->all, msg, sizeof(w->all) - strlen(w->all) - 2);
	strcat(w->all, "\n");
}

static bool has(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

static bool tok_is(const struct cmdline_tok *t, const char *key, const char *val)
{
	if (t->keylen != strlen(key) || memcmp(t->key, key, t->keylen))
		return false;
	if (!val)
		return t->val == NULL;
	return t->val && t->vallen == strlen(val) && memcmp(t->val, val, t->vallen) == 0;
}

static void test_next(void)
{
	const char *pos = "  a=1\tflag  name=\"two words\" =x k= \"\"  -- guest  tail -- x";
	const char *tail = (const char *)1;
	struct cmdline_tok t;

	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "a", "1"));
	CHECK(tail == NULL);
	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "flag", NULL));
	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "name", "two words"));
	CHECK(cmdline_next(&pos, &t, &tail) && t.keylen == 0 && t.vallen == 1 && t.val[0] == 'x');
	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "k", ""));
	/* A lone "" is a token with an empty key made of the quotes. */
	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "\"\"", NULL));
	CHECK(!cmdline_next(&pos, &t, &tail));
	CHECK(tail && strcmp(tail, "guest  tail -- x") == 0);

	pos = "   ";
	tail = (const char *)1;
	CHECK(!cmdline_next(&pos, &t, &tail));
	CHECK(tail == NULL);
	pos = "";
	CHECK(!cmdline_next(&pos, &t, &tail));
	/* "--x" is an ordinary key, "--" at the very end gives an empty tail. */
	pos = "--x --";
	CHECK(cmdline_next(&pos, &t, &tail) && tok_is(&t, "--x", NULL));
	CHECK(!cmdline_next(&pos, &t, &tail));
	CHECK(tail && *tail == '\0');
}

static void test_u64(void)
{
	uint64_t v = 7;

	CHECK(cmdline_parse_u64("0", 1, &v) && v == 0);
	CHECK(cmdline_parse_u64("123", 3, &v) && v == 123);
	CHECK(cmdline_parse_u64("0x1F", 4, &v) && v == 31);
	CHECK(cmdline_parse_u64("0XfF", 4, &v) && v == 255);
	CHECK(cmdline_parse_u64("0123", 4, &v) && v == 123);   /* not octal */
	CHECK(cmdline_parse_u64("18446744073709551615", 20, &v) && v == UINT64_MAX);
	CHECK(cmdline_parse_u64("0xffffffffffffffff", 18, &v) && v == UINT64_MAX);
	/* Length limits the parse: "12" of "123". */
	CHECK(cmdline_parse_u64("123", 2, &v) && v == 12);
	v = 7;
	CHECK(!cmdline_parse_u64("18446744073709551616", 20, &v));
	CHECK(!cmdline_parse_u64("0x10000000000000000", 19, &v));
	CHECK(!cmdline_parse_u64("99999999999999999999999", 23, &v));
	CHECK(!cmdline_parse_u64("", 0, &v));
	CHECK(!cmdline_parse_u64("0x", 2, &v));
	CHECK(!cmdline_parse_u64("abc", 3, &v));
	CHECK(!cmdline_parse_u64("12a", 3, &v));
	CHECK(!cmdline_parse_u64("-1", 2, &v));
	CHECK(!cmdline_parse_u64("+1", 2, &v));
	CHECK(!cmdline_parse_u64(" 1", 2, &v));
	CHECK(!cmdline_parse_u64("0x1g", 4, &v));
	CHECK_EQ(v, 7);   /* failures leave *out alone */
}

static bool size_is(const char *s, uint64_t want)
{
	uint64_t v = 0;
	return cmdline_parse_size(s, strlen(s), &v) && v == want;
}

static bool size_bad(const char *s)
{
	uint64_t v = 0x1234;
	return !cmdline_parse_size(s, strlen(s), &v) && v == 0x1234;
}

static void test_size(void)
{
	CHECK(size_is("4096", 4096));
	CHECK(size_is("4k", 4096));
	CHECK(size_is("4K", 4096));
	CHECK(size_is("512M", 512ull << 20));
	CHECK(size_is("512MB", 512ull << 20));
	CHECK(size_is("512mib", 512ull << 20));
	CHECK(size_is("2G", 2ull << 30));
	CHECK(size_is("2GiB", 2ull << 30));
	CHECK(size_is("1T", 1ull << 40));
	CHECK(size_is("100B", 100));
	CHECK(size_is("0x10M", 16ull << 20));
	CHECK(size_is("0x1B", 0x1b));          /* B is a hex digit here */
	CHECK(size_is("16777215T", 16777215ull << 40));
	CHECK(size_bad("16777216T"));          /* 2^64: overflow */
	CHECK(size_bad("18446744073709551615K"));
	CHECK(size_bad(""));
	CHECK(size_bad("M"));
	CHECK(size_bad("12X"));
	CHECK(size_bad("12MX"));
	CHECK(size_bad("12MBB"));
	CHECK(size_bad("12iB"));               /* iB needs a unit */
	CHECK(size_bad("12 M"));
	CHECK(size_bad("1.5G"));
}

static void test_bool(void)
{
	static const char *t[] = { "1", "on", "yes", "true", "ON", "True" };
	static const char *f[] = { "0", "off", "no", "false", "NO" };
	static const char *bad[] = { "", "2", "y", "tru", "truex", "onn", "of" };
	bool b;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		b = false;
		CHECK(cmdline_parse_bool(t[i], strlen(t[i]), &b) && b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		b = true;
		CHECK(cmdline_parse_bool(f[i], strlen(f[i]), &b) && !b);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		b = true;
		CHECK(!cmdline_parse_bool(bad[i], strlen(bad[i]), &b) && b);
	}
	/* The length bounds the word: "on" inside "onx". */
	CHECK(cmdline_parse_bool("onx", 2, &b) && b);
}

/* A typical option table, reset before each apply. */
static uint64_t vcpus, mem;
static bool verbose, debug, vcpus_seen, debug_seen;
static char name[8];
static const struct opt_desc opts[] = {
	{ "vcpus", OPT_U64, &vcpus, 0, 1, 64, &vcpus_seen },
	{ "mem", OPT_SIZE, &mem, 0, 1 << 20, 0, NULL },
	{ "verbose", OPT_BOOL, &verbose, 0, 0, 0, NULL },
	{ "debug", OPT_FLAG, &debug, 0, 0, 0, &debug_seen },
	{ "name", OPT_STR, name, sizeof(name), 0, 0, NULL },
};

static int apply(const char *line, struct warns *w, const char **tail)
{
	vcpus = 4; mem = 1; verbose = false; debug = false;
	vcpus_seen = debug_seen = false;
	strcpy(name, "old");
	memset(w, 0, sizeof(*w));
	return cmdline_apply(line, opts, ARRAY_SIZE(opts), collect, w, tail);
}

static void test_apply_good(void)
{
	struct warns w;
	const char *tail = (const char *)1;

	CHECK_EQ(apply("vcpus=8 mem=64M verbose=yes debug name=\"a b\" -- console=ttyS0 x", &w, &tail), 0);
	CHECK_EQ(w.n, 0);
	CHECK_EQ(vcpus, 8);
	CHECK_EQ(mem, 64ull << 20);
	CHECK(verbose && debug && vcpus_seen && debug_seen);
	CHECK(strcmp(name, "a b") == 0);
	CHECK(tail && strcmp(tail, "console=ttyS0 x") == 0);

	/* Last one wins; no "--" gives a NULL tail; a NULL warn is allowed. */
	CHECK_EQ(apply("vcpus=2 vcpus=0x10", &w, &tail), 0);
	CHECK_EQ(vcpus, 16);
	CHECK(tail == NULL);
	CHECK_EQ(cmdline_apply("vcpus=99 bogus", opts, ARRAY_SIZE(opts), NULL, NULL, NULL), 2);
	/* Empty string value is allowed for strings; exactly 7 chars fit. */
	CHECK_EQ(apply("name=", &w, NULL), 0);
	CHECK(strcmp(name, "") == 0);
	CHECK_EQ(apply("name=1234567", &w, NULL), 0);
	CHECK(strcmp(name, "1234567") == 0);
	CHECK_EQ(apply("name=\"\"", &w, NULL), 0);
	CHECK(strcmp(name, "") == 0);
	CHECK_EQ(apply(NULL, &w, &tail), 0);
	CHECK(tail == NULL);
	CHECK_EQ(apply("vcpus=1 vcpus=64", &w, NULL), 0);   /* range is inclusive */
	CHECK_EQ(vcpus, 64);
}

/* One bad line: exactly one warning containing every needle; vcpus, mem,
 * name untouched. */
static void bad(const char *line, const char *n1, const char *n2)
{
	struct warns w;
	int r = apply(line, &w, NULL);

	CHECK_EQ(r, 1);
	CHECK_EQ(w.n, 1);
	CHECK(has(w.last, n1));
	CHECK(!n2 || has(w.last, n2));
	if (w.n != 1 || !has(w.last, n1) || (n2 && !has(w.last, n2)))
		fprintf(stderr, "  line '%s' gave: %s", line, w.all);
	CHECK_EQ(vcpus, 4);
	CHECK_EQ(mem, 1);
	CHECK(!vcpus_seen && !debug && !verbose);
	CHECK(strcmp(name, "old") == 0);
}

static void test_apply_bad(void)
{
	struct warns w;

	bad("=x", "'=x'", "expected key=value");
	bad("vcpus=", "missing value for 'vcpus'", "expected a number");
	bad("vcpus", "missing value for 'vcpus'", "vcpus=");
	bad("vcpus=abc", "'abc'", "expected a number");
	bad("vcpus=18446744073709551616", "'vcpus'", "expected a number");
	bad("vcpus=0", "out of range", "1..64");
	bad("vcpus=65", "out of range", "1..64");
	bad("mem=1K", "out of range", "at least 1048576");
	bad("mem=12Q", "'12Q'", "expected a size");
	bad("verbose", "missing value for 'verbose'", NULL);
	bad("verbose=maybe", "'maybe'", "on/off");
	bad("debug=1", "'debug'", "takes no value");
	bad("name=12345678", "too long", "at most 7");
	bad("name=\"abc", "unterminated quote", "name=\"abc");
	bad("name=\"abc\"def", "junk after", "name=\"abc\"def");
	bad("foo=1", "unknown option 'foo=1'", NULL);
	bad("vcpusx=1", "unknown option 'vcpusx=1'", NULL);
	bad("vcpu=1", "unknown option 'vcpu=1'", NULL);   /* no prefix match */
	bad("VCPUS=1", "unknown option", NULL);           /* keys are exact */

	/* Problems are counted one by one and the good options still apply. */
	CHECK_EQ(apply("foo vcpus=x mem=2M bar=1 =", &w, NULL), 4);
	CHECK_EQ(w.n, 4);
	CHECK_EQ(mem, 2ull << 20);
	CHECK(has(w.all, "'foo'") && has(w.all, "'bar=1'"));
	/* Options after "--" are not applied. */
	CHECK_EQ(apply("-- vcpus=9", &w, NULL), 0);
	CHECK_EQ(vcpus, 4);
	/* Long junk is quoted but cut short. */
	char longline[300];
	memset(longline, 'z', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	CHECK_EQ(apply(longline, &w, NULL), 1);
	CHECK(strlen(w.last) < 120);
}

int main(void)
{
	test_next();
	test_u64();
	test_size();
	test_bool();
	test_apply_good();
	test_apply_bad();
	return check_done("test_cmdline");
}
