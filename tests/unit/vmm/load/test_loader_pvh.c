/* vmm/load/loader_pvh.c: small ELF64 kernels built in memory (program
 * headers, PT_LOAD segments, a PT_NOTE segment with Xen notes) for the
 * entry, segments, placement and memory map; malformed files (every
 * truncation, corrupted headers and notes, random damage) must give an
 * error, never a crash; the start info is read back with lhv's own PVH
 * parser (boot/pvh.c); and, when build/cache/linux/vmlinux-generic exists
 * (guest/linux/fetch-kernels.sh), Debian's real kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vmm/load/loader_pvh.h"
#include "boot/pvh.h"
#include "tests/unit/check.h"

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The fake kernel: ELF header, program headers at 64, notes at 0x200,
 * text (R+X) at file 0x1000 for 16 MiB, data at file 0x2000 for
 * 0x1200000 with 0x800 bytes in the file and 0x3000 in memory. The file
 * ends with the data's last byte, so every truncation cuts something. */
#define F_LEN        0x2800
#define PH(i)        (64 + 56 * (i))
#define NOTES        0x800
#define TEXT_GPA     0x1000000ull
#define DATA_GPA     0x1200000ull
#define ENTRY        0x1000100ull
static uint8_t f[F_LEN];
static size_t notes_len;

static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off, uint64_t gpa,
		 uint64_t filesz, uint64_t memsz, uint64_t align)
{
	uint8_t *p = f + PH(i);

	w32(p, type);
	w32(p + 4, flags);
	w64(p + 8, off);
	w64(p + 16, 0xffffffff80000000ull + gpa);      /* vaddr: unused */
	w64(p + 24, gpa);
	w64(p + 32, filesz);
	w64(p + 40, memsz);
	w64(p + 48, align);
}

/* Append a note (4-byte padding) at NOTES + notes_len. */
static void note(const char *name, uint32_t type, const void *desc, uint32_t descsz)
{
	uint8_t *p = f + NOTES + notes_len;
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	w32(p, namesz);
	w32(p + 4, descsz);
	w32(p + 8, type);
	memcpy(p + 12, name, namesz);
	memcpy(p + 12 + ALIGN_UP(namesz, 4), desc, descsz);
	notes_len += 12 + ALIGN_UP(namesz, 4) + ALIGN_UP(descsz, 4);
}

static void build(void)
{
	uint64_t entry = ENTRY;
	uint8_t id[20];

	memset(f, 0, sizeof(f));
	memcpy(f, "\177ELF", 4);
	f[4] = 2;                       /* ELFCLASS64 */
	f[5] = 1;                       /* little-endian */
	f[6] = 1;
	w16(f + 16, 2);                 /* ET_EXEC */
	w16(f + 18, 62);                /* x86-64 */
	w32(f + 20, 1);
	w64(f + 24, 0xffffffff81000000ull);
	w64(f + 32, 64);                /* phoff */
	w16(f + 52, 64);
	w16(f + 54, 56);
	w16(f + 56, 3);                 /* phnum */
	notes_len = 0;
	note("Xen", 6, "linux", 6);
	memset(id, 0xab, sizeof(id));
	note("GNU", 3, id, sizeof(id));
	note("Xen", PVH_NOTE_PHYS32_ENTRY, &entry, 8);
	phdr(0, 1, 5, 0x1000, TEXT_GPA, 0x1000, 0x1000, 0x200000);
	phdr(1, 1, 6, 0x2000, DATA_GPA, 0x800, 0x3000, 0x200000);
	phdr(2, 4, 4, NOTES, 0, notes_len, notes_len, 4);
	for (unsigned i = 0x1000; i < F_LEN; i++)
		f[i] = (uint8_t)(i * 7 + 1);
}

static struct pvh_image img;
static char err[256];

static int parse(void) { return pvh_elf_parse(f, F_LEN, &img, err, sizeof(err)); }

/* parse fails with a message containing msg. */
static void parse_fails(const char *msg, int line)
{
	int r = parse();

	if (r != -1 || !strstr(err, msg))
		fprintf(stderr, "line %d: want error '%s', got %d '%s'\n", line, msg, r, err);
	CHECK_EQ(r, -1);
	CHECK(strstr(err, msg) != NULL);
}
#define PARSE_FAILS(msg) parse_fails(msg, __LINE__)

static void test_good(void)
{
	build();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(err[0], 0);
	CHECK_EQ(img.entry, ENTRY);
	CHECK_EQ(img.nseg, 2);
	CHECK_EQ(img.seg[0].offset, 0x1000);
	CHECK_EQ(img.seg[0].gpa, TEXT_GPA);
	CHECK_EQ(img.seg[0].filesz, 0x1000);
	CHECK_EQ(img.seg[1].gpa, DATA_GPA);
	CHECK_EQ(img.seg[1].filesz, 0x800);
	CHECK_EQ(img.seg[1].memsz, 0x3000);
	CHECK_EQ(img.load_start, TEXT_GPA);
	CHECK_EQ(img.load_end, DATA_GPA + 0x3000);
	CHECK(pvh_elf_is_elf64(f, F_LEN));

	/* A 4-byte entry note, as a 32-bit build would write. */
	{
		uint32_t e32 = (uint32_t)ENTRY + 4;

		build();
		notes_len -= 12 + 4 + 8;
		note("Xen", PVH_NOTE_PHYS32_ENTRY, &e32, 4);
		phdr(2, 4, 4, NOTES, 0, notes_len, notes_len, 4);
		CHECK_EQ(parse(), 0);
		CHECK_EQ(img.entry, ENTRY + 4);
	}
	/* Notes padded to 8 in a segment aligned to 8: namesz 4 ("Xen")
	 * pads to 8 there, so the desc moves. */
	{
		uint8_t *p = f + NOTES;
		uint64_t e = ENTRY + 8;

		build();
		memset(p, 0, 64);
		w32(p, 4);
		w32(p + 4, 8);
		w32(p + 8, PVH_NOTE_PHYS32_ENTRY);
		memcpy(p + 12, "Xen", 4);
		memcpy(p + 20, &e, 8);          /* 12 + ALIGN_UP(4, 8) */
		phdr(2, 4, 4, NOTES, 0, 28, 28, 8);
		CHECK_EQ(parse(), 0);
		CHECK_EQ(img.entry, ENTRY + 8);
	}
	/* Segments that only touch do not overlap; memsz 0 is ignored. */
	build();
	phdr(1, 1, 6, 0x2000, TEXT_GPA + 0x1000, 0x800, 0x3000, 0x200000);
	CHECK_EQ(parse(), 0);
	w16(f + 56, 4);
	phdr(3, 1, 6, 0x2000, TEXT_GPA, 0, 0, 0x200000);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(img.nseg, 2);
}

static void test_bad_files(void)
{
	uint64_t e;

	build(); memcpy(f, "\177ELG", 4);  PARSE_FAILS("not an ELF file");
	CHECK(!pvh_elf_is_elf64(f, F_LEN));
	build(); f[4] = 1;               PARSE_FAILS("ELF class 1, expected 64-bit");
	CHECK(!pvh_elf_is_elf64(f, F_LEN));
	build(); f[5] = 2;               PARSE_FAILS("little-endian");
	build(); f[6] = 0;               PARSE_FAILS("unknown ELF version");
	build(); w16(f + 16, 3);         PARSE_FAILS("ELF type 3");
	build(); w16(f + 18, 3);         PARSE_FAILS("ELF machine 3");
	build(); w16(f + 52, 52);        PARSE_FAILS("ELF header size 52");
	build(); w16(f + 56, 0);         PARSE_FAILS("no program headers");
	build(); w16(f + 56, 0xffff);    PARSE_FAILS("PN_XNUM");
	build(); w16(f + 54, 32);        PARSE_FAILS("program header size 32");
	build(); w64(f + 32, F_LEN - 100); PARSE_FAILS("program headers (3 at 0x279c) beyond");
	build(); w64(f + 32, ~0ull - 8); PARSE_FAILS("beyond the end of the file");
	build(); w16(f + 56, 200);       PARSE_FAILS("program headers (200 at 0x40) beyond");

	/* Segments. */
	build(); phdr(1, 1, 6, F_LEN - 0x100, DATA_GPA, 0x800, 0x3000, 0); PARSE_FAILS("segment 1: bytes 0x2700+0x800 beyond");
	build(); phdr(1, 1, 6, ~0ull - 0x10, DATA_GPA, 0x800, 0x3000, 0); PARSE_FAILS("beyond the end of the file");
	build(); phdr(1, 1, 6, 0x2000, DATA_GPA, ~0ull, ~0ull, 0); PARSE_FAILS("beyond the end of the file");
	build(); phdr(1, 1, 6, 0x2000, DATA_GPA, 0x800, 0x400, 0); PARSE_FAILS("file size 0x800 > memory size 0x400");
	build(); phdr(1, 1, 6, 0x2000, ~0ull - 0x1000, 0x800, 0x3000, 0); PARSE_FAILS("wraps");
	build(); phdr(1, 1, 6, 0x2000, TEXT_GPA + 0xfff, 0x800, 0x3000, 0); PARSE_FAILS("segments at 0x1000000 and 0x1000fff overlap");
	build(); phdr(1, 1, 6, 0x2000, TEXT_GPA - 0x10, 0x800, 0x3000, 0); PARSE_FAILS("overlap");
	build();
	w16(f + 56, 3 + PVH_MAX_SEGMENTS - 1);
	for (unsigned i = 3; i < 3 + PVH_MAX_SEGMENTS - 1; i++)
		phdr(i, 1, 6, 0x2000, DATA_GPA + 0x100000ull * i, 0x10, 0x10, 0);
	PARSE_FAILS("more than 16 loadable segments");
	build(); phdr(0, 6, 5, 0, 0, 0, 0, 0); phdr(1, 6, 5, 0, 0, 0, 0, 0); PARSE_FAILS("no loadable segments");

	/* Notes and the entry. */
	build(); phdr(2, 1, 4, NOTES, 0x5000000, notes_len, notes_len, 4); PARSE_FAILS("no PVH entry note");
	build(); phdr(2, 4, 4, NOTES, 0, notes_len - 24, notes_len - 24, 4); PARSE_FAILS("no PVH entry note");
	build(); phdr(2, 4, 4, F_LEN - 8, 0, 16, 16, 4); PARSE_FAILS("note segment 2: bytes 0x27f8+0x10 beyond");
	build(); phdr(2, 4, 4, NOTES, 0, ~0ull, ~0ull, 4); PARSE_FAILS("note segment 2");
	build(); w32(f + NOTES, 0xffffffff); PARSE_FAILS("note at +0x0 (name 4294967295, desc 6 bytes) runs past");
	build(); w32(f + NOTES + 4, 0xfffffff0); PARSE_FAILS("runs past the segment");
	build(); phdr(2, 4, 4, NOTES, 0, notes_len - 4, notes_len - 4, 4); PARSE_FAILS("runs past the segment");
	/* The last note's desc (8 bytes) is the file's last bytes: padding
	 * is not needed, its bytes are. */
	build(); phdr(2, 4, 4, NOTES, 0, notes_len - 1, notes_len - 1, 4); PARSE_FAILS("runs past the segment");
	build(); w32(f + NOTES + notes_len - 24 + 4, 2); PARSE_FAILS("2 bytes of address, expected 4 or 8");
	build(); e = GiB(4); memcpy(f + NOTES + notes_len - 8, &e, 8); PARSE_FAILS("above 4 GiB");
	build(); e = DATA_GPA; memcpy(f + NOTES + notes_len - 8, &e, 8); PARSE_FAILS("PVH entry 0x1200000 is not in an executable segment");
	build(); e = TEXT_GPA + 0x1000; memcpy(f + NOTES + notes_len - 8, &e, 8); PARSE_FAILS("not in an executable segment");
	build(); phdr(0, 1, 4, 0x1000, TEXT_GPA, 0x1000, 0x1000, 0); PARSE_FAILS("not in an executable segment");
	{
		uint64_t other = ENTRY + 16;

		build();
		note("Xen", PVH_NOTE_PHYS32_ENTRY, &other, 8);
		phdr(2, 4, 4, NOTES, 0, notes_len, notes_len, 4);
		PARSE_FAILS("two PVH entry notes disagree (0x1000100, 0x1000110)");
		build();
		other = ENTRY;
		note("Xen", PVH_NOTE_PHYS32_ENTRY, &other, 8);
		phdr(2, 4, 4, NOTES, 0, notes_len, notes_len, 4);
		CHECK_EQ(parse(), 0);
	}
	/* A "Xen" name of another length, or another owner, is not it. */
	build(); memcpy(f + NOTES + notes_len - 8 - 4, "Xem", 4); PARSE_FAILS("no PVH entry note");

	CHECK_EQ(pvh_elf_parse(NULL, 0, &img, err, sizeof(err)), -1);
	CHECK_EQ(pvh_elf_parse(f, 3, &img, err, sizeof(err)), -1);
	CHECK(strstr(err, "not an ELF file") != NULL);
	CHECK_EQ(pvh_elf_parse(f, 40, &img, NULL, 0), -1);    /* no room for a message */
}

/* Every prefix of the file fails; random damage never crashes. */
static void test_truncation_and_damage(void)
{
	unsigned fails = 0, errors_with_text = 0, ok = 0;

	build();
	for (size_t n = 0; n < F_LEN; n++) {
		err[0] = 0;
		if (pvh_elf_parse(f, n, &img, err, sizeof(err)) == -1)
			fails++;
		if (err[0])
			errors_with_text++;
	}
	CHECK_EQ(fails, F_LEN);
	CHECK_EQ(errors_with_text, F_LEN);

	srand(12345);
	for (unsigned round = 0; round < 20000; round++) {
		struct pvh_load_args a = { .ram_size = MiB(64), .initrd_size = 0x1000 };
		int r;

		build();
		for (unsigned k = 0; k < 1 + (unsigned)rand() % 4; k++) {
			/* Mostly the headers and notes, where the numbers are. */
			unsigned at = (unsigned)rand() % (rand() % 4 ? NOTES + 0x80 : F_LEN);
			f[at] = (uint8_t)rand();
		}
		err[0] = 0;
		r = pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err));
		if (r == 0)
			ok++;
		else
			CHECK(r == -1 && err[0] != 0);
	}
	CHECK(ok > 0);  /* some damage is harmless (vaddr, filler) */
}

static const struct pvh_range acpi = { 0xe0000, 0xe2000, PVH_MEM_ACPI };

static void test_load(void)
{
	struct pvh_load_args a = {
		.ram_size = MiB(64), .cmdline = "console=ttyS0 quiet", .initrd_size = 0x12345,
		.acpi_rsdp = 0xe0000, .reserved = &acpi, .nreserved = 1,
	};
	struct pvh_range res[2];

	build();
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.start_info_gpa, PVH_INFO_GPA);
	CHECK_EQ(img.initrd_gpa, ALIGN_DOWN(MiB(64) - 0x12345, PAGE_SIZE));
	CHECK_EQ(img.initrd_size, 0x12345);
	/* RAM, EBDA, ACPI + BIOS area (split), RAM from 1 MiB. */
	CHECK_EQ(img.nmap, 5);
	CHECK_EQ(img.map[0].addr, 0); CHECK_EQ(img.map[0].size, 0x9fc00); CHECK_EQ(img.map[0].type, 1);
	CHECK_EQ(img.map[1].addr, 0x9fc00); CHECK_EQ(img.map[1].size, 0x400); CHECK_EQ(img.map[1].type, 2);
	CHECK_EQ(img.map[2].addr, 0xe0000); CHECK_EQ(img.map[2].size, 0x2000); CHECK_EQ(img.map[2].type, 3);
	CHECK_EQ(img.map[3].addr, 0xe2000); CHECK_EQ(img.map[3].size, 0x1e000); CHECK_EQ(img.map[3].type, 2);
	CHECK_EQ(img.map[4].addr, 0x100000); CHECK_EQ(img.map[4].size, MiB(63)); CHECK_EQ(img.map[4].type, 1);

	/* A reserved range at RAM's top (given in two touching pieces,
	 * which become one entry): the initrd goes below it. */
	res[0] = (struct pvh_range){ MiB(63), MiB(63) + KiB(512), PVH_MEM_RESERVED };
	res[1] = (struct pvh_range){ MiB(63) + KiB(512), MiB(64), PVH_MEM_RESERVED };
	a.reserved = res;
	a.nreserved = 2;
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.initrd_gpa, ALIGN_DOWN(MiB(63) - 0x12345, PAGE_SIZE));
	CHECK_EQ(img.nmap, 5);
	CHECK_EQ(img.map[2].addr, 0xe0000); CHECK_EQ(img.map[2].size, 0x20000); CHECK_EQ(img.map[2].type, 2);
	CHECK_EQ(img.map[3].addr, 0x100000); CHECK_EQ(img.map[3].size, MiB(62)); CHECK_EQ(img.map[3].type, 1);
	CHECK_EQ(img.map[4].addr, MiB(63)); CHECK_EQ(img.map[4].size, MiB(1)); CHECK_EQ(img.map[4].type, 2);
	/* One in the middle splits the RAM entry in two. */
	a.nreserved = 1;
	res[0] = (struct pvh_range){ MiB(32), MiB(32) + 0x1000, PVH_MEM_NVS };
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.initrd_gpa, ALIGN_DOWN(MiB(64) - 0x12345, PAGE_SIZE));
	CHECK_EQ(img.nmap, 6);
	CHECK_EQ(img.map[3].addr, 0x100000); CHECK_EQ(img.map[3].size, MiB(31)); CHECK_EQ(img.map[3].type, 1);
	CHECK_EQ(img.map[4].addr, MiB(32)); CHECK_EQ(img.map[4].size, 0x1000); CHECK_EQ(img.map[4].type, 4);
	CHECK_EQ(img.map[5].addr, MiB(32) + 0x1000); CHECK_EQ(img.map[5].size, MiB(32) - 0x1000);
	CHECK_EQ(img.map[5].type, 1);
	/* One that covers a whole entry (the EBDA) replaces it. */
	res[0] = (struct pvh_range){ 0x9f000, 0xa0000, PVH_MEM_ACPI };
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.nmap, 4);
	CHECK_EQ(img.map[0].size, 0x9f000);
	CHECK_EQ(img.map[1].addr, 0x9f000); CHECK_EQ(img.map[1].size, 0x1000); CHECK_EQ(img.map[1].type, 3);
	a.nreserved = 0;

	/* No initrd. */
	a.initrd_size = 0;
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.initrd_gpa, 0);
	a.initrd_size = 0x12345;
}

#define LOAD_FAILS(a, msg) do { \
	int r_ = pvh_elf_load(f, F_LEN, (a), &img, err, sizeof(err)); \
	if (r_ != -1 || !strstr(err, (msg))) \
		fprintf(stderr, "line %d: want error '%s', got %d '%s'\n", __LINE__, (msg), r_, err); \
	CHECK_EQ(r_, -1); \
	CHECK(strstr(err, (msg)) != NULL); \
} while (0)

static void test_load_errors(void)
{
	static char longcmd[PVH_CMDLINE_MAX + 1];
	struct pvh_load_args a = { .ram_size = MiB(64), .initrd_size = 0x1000 };
	struct pvh_range r, many[PVH_MEMMAP_MAX];

	build();
	a.ram_size = MiB(1);        LOAD_FAILS(&a, "must be above 1 MiB");
	a.ram_size = GiB(4);        LOAD_FAILS(&a, "at most 0xfec00000");
	a.ram_size = MiB(18);       LOAD_FAILS(&a, "segment 0x1200000-0x1203000 outside guest RAM");
	a.ram_size = MiB(64);
	memset(longcmd, 'x', PVH_CMDLINE_MAX);
	a.cmdline = longcmd;        LOAD_FAILS(&a, "command line of 2048 bytes too long (Linux keeps 2047)");
	longcmd[PVH_CMDLINE_MAX - 1] = 0;
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	a.cmdline = NULL;

	a.reserved = &r;
	a.nreserved = 1;
	r = (struct pvh_range){ 0x1000000, 0x1000001, PVH_MEM_RESERVED };
	LOAD_FAILS(&a, "segment 0x1000000-0x1001000 overlaps reserved range 0x1000000-0x1000001");
	r = (struct pvh_range){ 0xe0000, 0xe1000, 1 };
	LOAD_FAILS(&a, "reserved range 0: type 1");
	r = (struct pvh_range){ 0xe1000, 0xe1000, 2 };
	LOAD_FAILS(&a, "is empty");
	r = (struct pvh_range){ 0x8000, 0x9000, 2 };
	LOAD_FAILS(&a, "overlaps the start info area");
	/* The initrd cannot go below a range that fills RAM above the kernel. */
	r = (struct pvh_range){ DATA_GPA + 0x3000 + 0x800, MiB(64), PVH_MEM_RESERVED };
	LOAD_FAILS(&a, "initrd of 4096 bytes does not fit");
	a.nreserved = 0;
	a.initrd_size = MiB(64); LOAD_FAILS(&a, "does not fit in guest RAM above the kernel");
	a.initrd_size = MiB(64) - DATA_GPA - 0x3000;
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.initrd_gpa, DATA_GPA + 0x3000);
	a.initrd_size = 0x1000;

	/* A segment below 1 MiB. */
	build();
	phdr(1, 1, 6, 0x2000, 0x80000, 0x800, 0x3000, 0);
	LOAD_FAILS(&a, "segment 0x80000-0x83000 below 1 MiB");

	/* Too many reserved ranges for the memory map. */
	build();
	for (unsigned i = 0; i < PVH_MEMMAP_MAX; i++)
		many[i] = (struct pvh_range){ MiB(40) + 0x2000ull * i, MiB(40) + 0x2000ull * i + 0x1000,
					      PVH_MEM_RESERVED };
	a.reserved = many;
	a.nreserved = PVH_MEMMAP_MAX;
	LOAD_FAILS(&a, "more than 64 memory-map entries");
}

/* pvh_parse over the start info area, at PVH_INFO_GPA. */
static uint8_t area[PVH_INFO_END - PVH_INFO_GPA];

static const void *map_area(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < PVH_INFO_GPA || len > sizeof(area) || phys - PVH_INFO_GPA > sizeof(area) - len)
		return NULL;
	return area + (phys - PVH_INFO_GPA);
}

static void test_start_info(void)
{
	struct pvh_load_args a = {
		.ram_size = MiB(64), .cmdline = "console=ttyS0 lhv.work=cpu", .initrd_size = 0x12345,
		.acpi_rsdp = 0xe0000, .reserved = &acpi, .nreserved = 1,
	};
	static struct boot_info bi;
	int n;

	build();
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	memset(area, 0xcc, sizeof(area));
	n = pvh_build_start_info(area, sizeof(area), &img, &a, err, sizeof(err));
	CHECK_EQ(n, (int)pvh_start_info_size(&img, &a));
	CHECK_EQ(n, 56 + 32 + 5 * 24 + (int)strlen(a.cmdline) + 1);
	/* The fields at their ABI offsets (start_info.h). */
	CHECK_EQ(rd32(area + 0), 0x336ec578u);
	CHECK_EQ(rd32(area + 4), 1);
	CHECK_EQ(rd32(area + 8), 0);
	CHECK_EQ(rd32(area + 12), 1);
	CHECK_EQ(rd64(area + 16), PVH_INFO_GPA + 56);
	CHECK_EQ(rd64(area + 24), PVH_INFO_GPA + 56 + 32 + 5 * 24);
	CHECK_EQ(rd64(area + 32), 0xe0000);
	CHECK_EQ(rd64(area + 40), PVH_INFO_GPA + 56 + 32);
	CHECK_EQ(rd32(area + 48), 5);
	CHECK_EQ(rd32(area + 52), 0);
	CHECK_EQ(rd64(area + 56), img.initrd_gpa);
	CHECK_EQ(rd64(area + 64), 0x12345);
	CHECK_EQ(rd64(area + 72), 0);
	CHECK_EQ(rd64(area + 88 + 2 * 24), 0xe0000);
	CHECK_EQ(rd32(area + 88 + 2 * 24 + 16), 3);
	CHECK_EQ(area[n], 0xcc);        /* nothing written past the end */

	/* lhv's own PVH boot parser reads the same thing back. */
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(pvh_parse(area, map_area, NULL, PVH_INFO_GPA, &bi, err, sizeof(err)), 0);
	CHECK(strcmp(bi.cmdline, "console=ttyS0 lhv.work=cpu") == 0);
	CHECK_EQ(bi.nmods, 1);
	CHECK_EQ(bi.mods[0].start, img.initrd_gpa);
	CHECK_EQ(bi.mods[0].end, img.initrd_gpa + 0x12345);
	CHECK_EQ(bi.nmmap, 5);
	CHECK_EQ(bi.mmap[4].base, 0x100000);
	CHECK_EQ(bi.mmap[4].len, MiB(63));
	CHECK_EQ(bi.mmap[4].type, 1);

	/* No initrd, no command line: no module list, an empty string. */
	a.initrd_size = 0;
	a.cmdline = NULL;
	CHECK_EQ(pvh_elf_load(f, F_LEN, &a, &img, err, sizeof(err)), 0);
	n = pvh_build_start_info(area, sizeof(area), &img, &a, err, sizeof(err));
	CHECK_EQ(n, 56 + 5 * 24 + 1);
	CHECK_EQ(rd32(area + 12), 0);
	CHECK_EQ(rd64(area + 16), 0);
	CHECK_EQ(rd64(area + 40), PVH_INFO_GPA + 56);
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(pvh_parse(area, map_area, NULL, PVH_INFO_GPA, &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.nmods, 0);
	CHECK(strcmp(bi.cmdline, "") == 0);

	/* Too small a buffer; a misplaced area; no map. */
	CHECK_EQ(pvh_build_start_info(area, (size_t)n - 1, &img, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "too small") != NULL);
	img.start_info_gpa = 0x7004;
	CHECK_EQ(pvh_build_start_info(area, sizeof(area), &img, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "8-byte aligned") != NULL);
	img.start_info_gpa = PVH_INFO_GPA;
	img.nmap = 0;
	CHECK_EQ(pvh_build_start_info(area, sizeof(area), &img, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "empty memory map") != NULL);
}

/* Debian's vmlinux, when guest/linux/fetch-kernels.sh has extracted it. */
static void test_real_kernel(void)
{
	const char *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char path[512];
	FILE *fp;
	uint8_t *buf;
	long len;
	struct pvh_load_args a = {
		.ram_size = MiB(256), .cmdline = "console=ttyS0 quiet", .initrd_size = MiB(2),
		.acpi_rsdp = 0xe0000, .reserved = &acpi, .nreserved = 1,
	};
	static struct boot_info bi;
	bool text_has_entry = false;
	int n;

	snprintf(path, sizeof(path), "%s/cache/linux/vmlinux-generic", build);
	fp = fopen(path, "rb");
	if (!fp) {
		printf("test_loader_pvh: %s not present, real-kernel checks skipped "
		       "(guest/linux/fetch-kernels.sh makes it)\n", path);
		return;
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len);
	CHECK(buf && fread(buf, 1, (size_t)len, fp) == (size_t)len);
	fclose(fp);

	CHECK(pvh_elf_is_elf64(buf, (size_t)len));
	CHECK_EQ(pvh_elf_parse(buf, (size_t)len, &img, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "%s: %s\n", path, err);
	/* Debian 6.1: text, data, per-CPU data, init+bss; loaded at 16 MiB. */
	CHECK_EQ(img.nseg, 4);
	CHECK_EQ(img.load_start, MiB(16));
	CHECK(img.load_end > MiB(32) && img.load_end < MiB(128));
	for (unsigned i = 0; i < img.nseg; i++)
		if (img.entry >= img.seg[i].gpa && img.entry < img.seg[i].gpa + img.seg[i].filesz && i == 0)
			text_has_entry = true;
	CHECK(text_has_entry);
	printf("test_loader_pvh: %s: %u segments 0x%llx-0x%llx, PVH entry 0x%x\n", path, img.nseg,
	       (unsigned long long)img.load_start, (unsigned long long)img.load_end, img.entry);

	CHECK_EQ(pvh_elf_load(buf, (size_t)len, &a, &img, err, sizeof(err)), 0);
	CHECK_EQ(img.initrd_gpa, MiB(254));
	n = pvh_build_start_info(area, sizeof(area), &img, &a, err, sizeof(err));
	CHECK(n > 0);
	memset(&bi, 0, sizeof(bi));
	CHECK_EQ(pvh_parse(area, map_area, NULL, PVH_INFO_GPA, &bi, err, sizeof(err)), 0);
	CHECK_EQ(bi.nmods, 1);

	/* Cut inside the program headers, the notes, the last segment. */
	CHECK_EQ(pvh_elf_parse(buf, 100, &img, err, sizeof(err)), -1);
	CHECK_EQ(pvh_elf_parse(buf, 0x16c1990 + 0x100, &img, err, sizeof(err)), -1);
	CHECK_EQ(pvh_elf_parse(buf, (size_t)len / 2, &img, err, sizeof(err)), -1);
	free(buf);
}

int main(void)
{
	test_good();
	test_bad_files();
	test_truncation_and_damage();
	test_load();
	test_load_errors();
	test_start_info();
	test_real_kernel();
	return check_done("test_loader_pvh");
}
