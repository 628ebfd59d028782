/* Multiboot2 parser: a well-formed info like GRUB's, then one corruption at
 * a time. Infos are built in an 8-byte aligned buffer with a small builder. */
#include <string.h>
#include "boot/mb2.h"
#include "tests/unit/check.h"

static union { uint8_t b[8192]; uint64_t align; } buf;
static size_t used;

static void put32(size_t off, uint32_t v) { memcpy(buf.b + off, &v, 4); }

static void begin(void)
{
	memset(buf.b, 0xcc, sizeof(buf.b));   /* junk in padding and past the end */
	used = 8;
}

/* Append a tag with the given payload; returns its offset. */
static size_t tag(uint32_t type, const void *payload, uint32_t len)
{
	size_t off = used;

	put32(off, type);
	put32(off + 4, 8 + len);
	if (len)
		memcpy(buf.b + off + 8, payload, len);
	used = (off + 8 + len + 7) & ~(size_t)7;
	return off;
}

static size_t tag_str(uint32_t type, const char *s) { return tag(type, s, (uint32_t)strlen(s) + 1); }

static size_t tag_module(uint32_t start, uint32_t end, const char *s)
{
	uint8_t p[64];

	memcpy(p, &start, 4);
	memcpy(p + 4, &end, 4);
	strcpy((char *)p + 8, s);
	return tag(3, p, 8 + (uint32_t)strlen(s) + 1);
}

struct ent { uint64_t base, len; uint32_t type, reserved; };

static size_t tag_mmap(const struct ent *e, unsigned n, uint32_t esize)
{
	uint8_t p[4096];

	memset(p, 0, sizeof(p));
	memcpy(p, &esize, 4);
	for (unsigned i = 0; i < n; i++)
		memcpy(p + 8 + i * esize, &e[i], sizeof(*e));
	return tag(6, p, 8 + n * esize);
}

static void end(void)
{
	tag(0, NULL, 0);
	put32(0, (uint32_t)used);
	put32(4, 0);
}

static struct boot_info bi;
static char err[128];

static int parse(void) { return mb2_parse(buf.b, sizeof(buf.b), 0x10000, &bi, err, sizeof(err)); }

/* Expect failure with msg in the error. */
static void fails(const char *msg)
{
	int r = parse();

	CHECK_EQ(r, -1);
	CHECK(strstr(err, msg) != NULL);
	if (r != -1 || !strstr(err, msg))
		fprintf(stderr, "  wanted '%s', got r=%d '%s'\n", msg, r, err);
}

static const struct ent mm[] = {
	{ 0, 0x9fc00, 1, 0 }, { 0x9fc00, 0x400, 2, 0 }, { 0x100000, 0x7ee0000, 1, 0 },
	{ 0x7fe0000, 0x20000, 3, 0 }, { 0x5000, 0, 1, 0 } /* empty: skipped */,
};

static uint8_t rsdp_old[20] = "RSD PTR old-rsdp....";
static uint8_t rsdp_new[36] = "RSD PTR new-rsdp....................";

static void build_good(void)
{
	begin();
	tag_str(1, "hv vcpus=2");
	tag_str(2, "GRUB 2.06");
	tag(21, "\x01\x02\x03", 3);               /* unknown tag, odd size */
	tag_module(0x200000, 0x300000, "guest1 mem=64M");
	tag_mmap(mm, 5, 24);
	tag(14, rsdp_old, 20);
	tag_module(0x400000, 0x400000, "");       /* empty module is fine */
	tag(15, rsdp_new, 36);
	end();
}

static void test_good(void)
{
	build_good();
	CHECK_EQ(parse(), 0);
	CHECK(strcmp(bi.cmdline, "hv vcpus=2") == 0);
	CHECK(strcmp(bi.loader, "GRUB 2.06") == 0);
	CHECK_EQ(bi.nmods, 2);
	CHECK_EQ(bi.mods[0].start, 0x200000);
	CHECK_EQ(bi.mods[0].end, 0x300000);
	CHECK(strcmp(bi.mods[0].cmdline, "guest1 mem=64M") == 0);
	CHECK(strcmp(bi.mods[1].cmdline, "") == 0);
	CHECK_EQ(bi.nmmap, 4);
	CHECK_EQ(bi.mmap[2].base, 0x100000);
	CHECK_EQ(bi.mmap[2].len, 0x7ee0000);
	CHECK_EQ(bi.mmap[2].type, 1);
	CHECK_EQ(bi.mmap[3].type, 3);
	/* The new RSDP wins even though the old one came first. */
	CHECK(bi.rsdp != NULL && memcmp(bi.rsdp, rsdp_new, 36) == 0);
	CHECK_EQ(bi.rsdp_len, 36);
	CHECK_EQ(bi.rsdp_phys, 0);
	CHECK_EQ(bi.info_start, 0x10000);
	CHECK_EQ(bi.info_end, 0x10000 + used);
	CHECK_EQ(bi.dropped_mods + bi.dropped_mmap, 0);

	/* New before old: still the new one. Old alone: the old one. */
	begin(); tag(15, rsdp_new, 36); tag(14, rsdp_old, 20); end();
	CHECK_EQ(parse(), 0);
	CHECK(bi.rsdp && memcmp(bi.rsdp, rsdp_new, 36) == 0);
	begin(); tag(14, rsdp_old, 20); end();
	CHECK_EQ(parse(), 0);
	CHECK(bi.rsdp && memcmp(bi.rsdp, rsdp_old, 20) == 0 && bi.rsdp_len == 20);

	/* Minimal info: defaults for everything. */
	begin(); end();
	CHECK_EQ(parse(), 0);
	CHECK(strcmp(bi.cmdline, "") == 0);
	CHECK(bi.loader && bi.loader[0]);
	CHECK_EQ(bi.nmods + bi.nmmap, 0);
	CHECK(bi.rsdp == NULL);
	/* A larger entry_size (future fields) is stepped over correctly. */
	begin(); tag_mmap(mm, 3, 32); end();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmmap, 3);
	CHECK_EQ(bi.mmap[2].base, 0x100000);
}

static void test_limits(void)
{
	struct ent many[BOOT_MAX_MMAP + 3];

	begin();
	for (unsigned i = 0; i < BOOT_MAX_MODULES + 5; i++)
		tag_module(i * 0x1000, i * 0x1000 + 0x1000, "m");
	end();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmods, BOOT_MAX_MODULES);
	CHECK_EQ(bi.dropped_mods, 5);
	CHECK_EQ(bi.mods[BOOT_MAX_MODULES - 1].start, (BOOT_MAX_MODULES - 1) * 0x1000);

	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct ent){ i * 0x10000ull, 0x1000, 1, 0 };
	begin(); tag_mmap(many, ARRAY_SIZE(many), 24); end();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmmap, BOOT_MAX_MMAP);
	CHECK_EQ(bi.dropped_mmap, 3);
}

static void test_structure(void)
{
	size_t off;

	/* Too small to hold a header, or a total_size past what is readable. */
	build_good();
	CHECK_EQ(mb2_parse(buf.b, 7, 0x10000, &bi, err, sizeof(err)), -1);
	CHECK_EQ(mb2_parse(buf.b, used - 1, 0x10000, &bi, err, sizeof(err)), -1);
	CHECK(strstr(err, "total_size") != NULL);
	CHECK_EQ(mb2_parse(buf.b, used, 0x10000, &bi, err, sizeof(err)), 0);
	CHECK_EQ(mb2_parse(NULL, 100, 0, &bi, err, sizeof(err)), -1);
	put32(0, 8);
	fails("total_size 8 too small");
	put32(0, 0xfffffff0);
	fails("exceeds");
	/* Misaligned info (hence misaligned tags). */
	build_good();
	CHECK_EQ(mb2_parse(buf.b, sizeof(buf.b), 0x10004, &bi, err, sizeof(err)), -1);
	CHECK(strstr(err, "aligned") != NULL);

	/* Tag size < 8 (0 would loop forever). */
	begin(); off = tag_str(1, "x"); end();
	put32(off + 4, 0);
	fails("size 0 < 8");
	put32(off + 4, 7);
	fails("size 7 < 8");
	/* A tag running past total_size. */
	begin(); off = tag_str(1, "abc"); end();
	put32(off + 4, 100);
	fails("runs past total_size");
	/* total_size cut inside the tag list: no end tag. */
	build_good();
	put32(0, (uint32_t)used - 8);
	fails("no end tag");
	begin(); tag_str(1, "abc"); put32(0, (uint32_t)used);
	fails("no end tag");
	/* End tag with a bad size. */
	begin(); off = used; end(); put32(off + 4, 16); put32(0, (uint32_t)used + 8);
	fails("end tag");
	/* An end tag ends the walk: junk after it within total_size is ignored. */
	begin(); end(); put32(0, (uint32_t)used + 16);
	CHECK_EQ(parse(), 0);
}

static void test_tags(void)
{
	size_t off;
	uint8_t junk[8] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };

	/* Unterminated strings, even where the padding happens to be 0. */
	begin(); tag(1, junk, 8); end();
	fails("cmdline tag: string not NUL-terminated");
	begin(); off = tag(2, junk, 5); end();
	memset(buf.b + off + 13, 0, 3);            /* zero padding after the tag */
	fails("boot loader name tag");
	begin(); tag(1, NULL, 0); end();           /* no room for even a NUL */
	fails("cmdline");

	/* Modules: start > end, too short, unterminated string. */
	begin(); tag_module(0x300000, 0x200000, "m"); end();
	fails("start 0x300000 > end 0x200000");
	begin(); off = tag_module(0x1000, 0x2000, "m"); end();
	put32(off + 4, 16);
	fails("module tag: size 16 too small");
	begin(); off = tag_module(0x1000, 0x2000, "mod"); end();
	buf.b[off + 19] = 'x';                     /* overwrite the NUL */
	fails("not NUL-terminated");

	/* Memory map: entry_size 0, < 24, not dividing the tag, short tag,
	 * an entry that wraps around 2^64. */
	begin(); off = tag_mmap(mm, 2, 24); end();
	put32(off + 8, 0);
	fails("entry_size 0");
	put32(off + 8, 20);
	fails("entry_size 20");
	put32(off + 8, 32);
	fails("not 16 + a multiple");
	begin(); off = tag_mmap(mm, 1, 24); end();
	put32(off + 4, 12);
	fails("memory map tag: size 12 too small");
	{
		struct ent wrap = { 0xfffffffffffff000ull, 0x2000, 1, 0 };
		begin(); tag_mmap(&wrap, 1, 24); end();
		fails("overflows");
	}

	/* RSDP tags too short for their structure. */
	begin(); tag(14, rsdp_old, 19); end();
	fails("old RSDP tag: size 27 too small");
	begin(); tag(15, rsdp_new, 20); end();
	fails("new RSDP tag");

	/* The error buffer may be tiny or absent. */
	begin(); tag(1, junk, 8); end();
	CHECK_EQ(mb2_parse(buf.b, sizeof(buf.b), 0, &bi, err, 4), -1);
	CHECK_EQ(strlen(err), 3);
	CHECK_EQ(mb2_parse(buf.b, sizeof(buf.b), 0, &bi, NULL, 0), -1);
}

int main(void)
{
	test_good();
	test_limits();
	test_structure();
	test_tags();
	return check_done("test_mb2");
}
