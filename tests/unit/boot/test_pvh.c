/* PVH start-info parser over a fake physical memory: 64 KiB at physical
 * 0x10000, reached only through map(), which refuses anything outside. */
#include <string.h>
#include "boot/pvh.h"
#include "tests/unit/check.h"

#define MEM_BASE 0x10000ull
#define MEM_SIZE 0x10000ull
static uint8_t mem[MEM_SIZE];
static int map_calls;

static const void *map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	map_calls++;
	if (phys < MEM_BASE || len > MEM_SIZE || phys - MEM_BASE > MEM_SIZE - len)
		return NULL;
	return mem + (phys - MEM_BASE);
}

static void w32(uint64_t phys, uint32_t v) { memcpy(mem + (phys - MEM_BASE), &v, 4); }
static void w64(uint64_t phys, uint64_t v) { memcpy(mem + (phys - MEM_BASE), &v, 8); }
static void wstr(uint64_t phys, const char *s) { strcpy((char *)mem + (phys - MEM_BASE), s); }

/* Layout: start info at SI, modules at MODS, memory map at MMAP, strings. */
#define SI    0x10000ull
#define MODS  0x11000ull
#define MMAP  0x12000ull
#define CMD   0x13000ull
#define MCMD  0x13100ull

static void module(unsigned i, uint64_t paddr, uint64_t size, uint64_t cmd)
{
	w64(MODS + i * 32, paddr);
	w64(MODS + i * 32 + 8, size);
	w64(MODS + i * 32 + 16, cmd);
	w64(MODS + i * 32 + 24, 0);
}

static void mmap_ent(unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
	w64(MMAP + i * 24, addr);
	w64(MMAP + i * 24 + 8, size);
	w32(MMAP + i * 24 + 16, type);
	w32(MMAP + i * 24 + 20, 0);
}

static void build(uint32_t version)
{
	memset(mem, 0xcc, sizeof(mem));
	w32(SI, PVH_START_MAGIC);
	w32(SI + 4, version);
	w32(SI + 8, 0);
	w32(SI + 12, 2);            /* nr_modules */
	w64(SI + 16, MODS);
	w64(SI + 24, CMD);
	w64(SI + 32, 0xf5a30);      /* rsdp_paddr */
	w64(SI + 40, MMAP);
	w32(SI + 48, 3);
	w32(SI + 52, 0);
	module(0, 0x200000, 0x100000, MCMD);
	module(1, 0x400000, 0x2000, 0);
	mmap_ent(0, 0, 0x9fc00, 1);
	mmap_ent(1, 0xf0000, 0x10000, 2);
	mmap_ent(2, 0x100000, 0x7f00000, 1);
	wstr(CMD, "vcpus=2 -- x");
	wstr(MCMD, "guest mem=32M");
}

static struct boot_info bi;
static char err[128];

static int parse(void) { return pvh_parse(mem, map, NULL, SI, &bi, err, sizeof(err)); }

static void fails(const char *msg)
{
	int r = parse();

	CHECK_EQ(r, -1);
	CHECK(strstr(err, msg) != NULL);
	if (r != -1 || !strstr(err, msg))
		fprintf(stderr, "  wanted '%s', got r=%d '%s'\n", msg, r, err);
}

static void test_good(void)
{
	build(1);
	CHECK_EQ(parse(), 0);
	CHECK(strcmp(bi.loader, "PVH") == 0);
	CHECK(strcmp(bi.cmdline, "vcpus=2 -- x") == 0);
	CHECK_EQ(bi.nmods, 2);
	CHECK_EQ(bi.mods[0].start, 0x200000);
	CHECK_EQ(bi.mods[0].end, 0x300000);
	CHECK(strcmp(bi.mods[0].cmdline, "guest mem=32M") == 0);
	CHECK_EQ(bi.mods[1].end, 0x402000);
	CHECK(strcmp(bi.mods[1].cmdline, "") == 0);
	CHECK_EQ(bi.nmmap, 3);
	CHECK_EQ(bi.mmap[2].base, 0x100000);
	CHECK_EQ(bi.mmap[2].len, 0x7f00000);
	CHECK_EQ(bi.mmap[1].type, 2);
	CHECK_EQ(bi.rsdp_phys, 0xf5a30);
	CHECK(bi.rsdp == NULL);
	/* The reserved span covers the start info, lists and strings. */
	CHECK_EQ(bi.info_start, SI);
	CHECK_EQ(bi.info_end, MCMD + strlen("guest mem=32M") + 1);

	/* No command line, no modules. */
	build(1);
	w64(SI + 24, 0);
	w32(SI + 12, 0);
	w64(SI + 16, 0);
	CHECK_EQ(parse(), 0);
	CHECK(strcmp(bi.cmdline, "") == 0);
	CHECK_EQ(bi.nmods, 0);
	CHECK_EQ(bi.info_end, MMAP + 3 * 24);

	/* A string ending right at the end of mappable memory. */
	build(1);
	wstr(MEM_BASE + MEM_SIZE - 4, "abc");
	w64(SI + 24, MEM_BASE + MEM_SIZE - 4);
	CHECK_EQ(parse(), 0);
	CHECK(strcmp(bi.cmdline, "abc") == 0);
	/* A 4095-character string is the longest accepted. */
	build(1);
	memset(mem + (CMD - MEM_BASE), 'a', 4095);
	mem[CMD - MEM_BASE + 4095] = 0;
	CHECK_EQ(parse(), 0);
	CHECK_EQ(strlen(bi.cmdline), 4095);
}

static void test_version0(void)
{
	/* Version 0: everything but the memory map is filled, and the error
	 * says why, so the boot code can fall back. */
	build(0);
	w64(SI + 40, 0xdeadbeef);   /* not a field in v0: must not be read */
	fails("version 0 has no memory map");
	CHECK(strcmp(bi.cmdline, "vcpus=2 -- x") == 0);
	CHECK_EQ(bi.nmods, 2);
	CHECK_EQ(bi.nmmap, 0);
	CHECK_EQ(bi.rsdp_phys, 0xf5a30);
	CHECK_EQ(bi.info_start, SI);
}

static void test_bad(void)
{
	build(1);
	w32(SI, 0x336ec579);
	fails("bad start info magic 0x336ec579");
	CHECK_EQ(pvh_parse(NULL, map, NULL, SI, &bi, err, sizeof(err)), -1);

	/* Strings: unmappable, unterminated within 4 KiB, running off memory. */
	build(1);
	w64(SI + 24, 0x900000);
	fails("command line at 0x900000: cannot map");
	build(1);
	memset(mem + (CMD - MEM_BASE), 'a', 4096);
	fails("no NUL within 4096");
	build(1);
	memset(mem + (MEM_SIZE - 8), 'a', 8);
	w64(SI + 24, MEM_BASE + MEM_SIZE - 8);
	fails("cannot map");
	build(1);
	w64(MODS + 16, 0x900000);
	fails("module command line");
	build(1);
	w64(MODS + 32 + 16, 0x900000);              /* second module */
	fails("module command line at 0x900000");

	/* Module list: missing, unmappable, size wrapping. */
	build(1);
	w64(SI + 16, 0);
	fails("2 modules but modlist_paddr is 0");
	build(1);
	w64(SI + 16, MEM_BASE + MEM_SIZE - 40);     /* second entry off the end */
	fails("cannot map the module list");
	build(1);
	module(1, 0xfffffffffffff000ull, 0x2000, 0);
	fails("module 1: paddr");

	/* Memory map: empty, missing, unmappable, wrapping entry. */
	build(1);
	w32(SI + 48, 0);
	fails("memory map is empty");
	build(1);
	w64(SI + 40, 0);
	fails("memmap_paddr is 0");
	build(1);
	w32(SI + 48, 100000);                       /* 128 entries do not fit */
	w64(SI + 40, MEM_BASE + MEM_SIZE - 100);
	fails("cannot map the memory map");
	build(1);
	mmap_ent(1, 0xfffffffffffff000ull, 0x1001, 1);
	fails("memory-map entry 1");
	/* Wrapping physical addresses in map() requests are refused before
	 * map() sees them. */
	build(1);
	w64(SI + 24, 0xffffffffffffff00ull);
	map_calls = 0;
	fails("cannot map");
	CHECK_EQ(map_calls, 0);
}

static void test_limits(void)
{
	/* Too many modules: the first 32 are kept, the rest counted. */
	build(1);
	w32(SI + 12, BOOT_MAX_MODULES + 7);
	for (unsigned i = 0; i < BOOT_MAX_MODULES; i++)
		module(i, 0x100000ull * (i + 1), 0x1000, 0);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmods, BOOT_MAX_MODULES);
	CHECK_EQ(bi.dropped_mods, 7);
	CHECK_EQ(bi.mods[31].start, 0x2000000);
	/* Too many memory-map entries (only BOOT_MAX_MMAP are mapped). */
	build(1);
	w32(SI + 48, BOOT_MAX_MMAP + 2);
	for (unsigned i = 0; i < BOOT_MAX_MMAP; i++)
		mmap_ent(i, 0x100000ull * i, 0x1000, 1);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmmap, BOOT_MAX_MMAP);
	CHECK_EQ(bi.dropped_mmap, 2);
	/* Zero-length entries are dropped silently. */
	build(1);
	mmap_ent(1, 0xf0000, 0, 2);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(bi.nmmap, 2);
	CHECK_EQ(bi.mmap[1].base, 0x100000);
}

int main(void)
{
	test_good();
	test_version0();
	test_bad();
	test_limits();
	return check_done("test_pvh");
}
