/* Host tests for vmm/loader_mb1.c: kernel images are built in memory. */
#include "tests/unit/check.h"
#include "vmm/load/loader_mb1.h"
#include <stdlib.h>

#define RAM MiB(64)

static uint8_t img[0x8000];
static size_t img_len;
static struct mb1_image out;
static char err[256];

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }  /* host is LE */
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void mb_header(size_t off, uint32_t flags)
{
	put32(img + off, MB1_HEADER_MAGIC);
	put32(img + off + 4, flags);
	put32(img + off + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
}

struct seg { uint32_t type, off, vaddr, paddr, filesz, memsz; };

/* ELF32 i386 executable: header, phdrs at 52, MB header at 0x1000. */
static void make_elf(const struct seg *s, unsigned n, uint32_t entry)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF\1\1\1", 7);
	put16(img + 16, 2);
	put16(img + 18, 3);
	put32(img + 20, 1);
	put32(img + 24, entry);
	put32(img + 28, 52);
	put16(img + 40, 52);
	put16(img + 42, 32);
	put16(img + 44, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *ph = img + 52 + 32 * i;
		put32(ph, s[i].type);
		put32(ph + 4, s[i].off);
		put32(ph + 8, s[i].vaddr);
		put32(ph + 12, s[i].paddr);
		put32(ph + 16, s[i].filesz);
		put32(ph + 20, s[i].memsz);
	}
	mb_header(0x1000, MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO);
	img_len = 0x4000;
}

static const struct seg two[] = {
	{ 1, 0x1000, 0x100000, 0x100000, 0x2000, 0x3000 },
	{ 1, 0x3000, 0x104000, 0x104000, 0x1000, 0x1000 },
	{ 4, 0x0, 0, 0, 0x10, 0x10 },           /* PT_NOTE: ignored */
};

static int load(void)
{
	err[0] = '\0';
	return mb1_load(img, img_len, RAM, NULL, 0, &out, err, sizeof(err));
}

static void expect_fail(const char *what, const char *needle)
{
	int rc = load();

	CHECK_EQ(rc, -1);
	CHECK(strstr(err, needle) != NULL);
	if (rc != -1 || !strstr(err, needle))
		fprintf(stderr, "  %s: got \"%s\", want \"%s\"\n", what, err, needle);
}

static void test_valid_elf(void)
{
	make_elf(two, 3, 0x100010);
	CHECK_EQ(guest_image_kind(img, img_len), GUEST_IMAGE_MB1);
	CHECK_EQ(load(), 0);
	CHECK_EQ(out.nseg, 2);
	CHECK_EQ(out.seg[0].offset, 0x1000);
	CHECK_EQ(out.seg[0].gpa, 0x100000);
	CHECK_EQ(out.seg[0].filesz, 0x2000);
	CHECK_EQ(out.seg[0].memsz, 0x3000);
	CHECK_EQ(out.seg[1].gpa, 0x104000);
	CHECK_EQ(out.entry, 0x100010);
	CHECK_EQ(out.load_end, 0x105000);
	CHECK_EQ(out.header_offset, 0x1000);
	CHECK(!out.aout_kludge);

	/* Higher-half kernel: the entry is translated to its load address. */
	struct seg hh[] = { { 1, 0x1000, 0xc0100000, 0x100000, 0x2000, 0x2000 } };
	make_elf(hh, 1, 0xc0100020);
	CHECK_EQ(load(), 0);
	CHECK_EQ(out.entry, 0x100020);

	/* Header at the last possible place (ends at byte 8192). */
	make_elf(two, 2, 0x100010);
	memset(img + 0x1000, 0, 12);
	mb_header(8180, 0);
	CHECK_EQ(load(), 0);
	/* Optional unknown flags (16-31 without 16) are fine. */
	make_elf(two, 2, 0x100010);
	mb_header(0x1000, 1u << 20);
	CHECK_EQ(load(), 0);
	/* Segments in low memory below 640 KiB are allowed. */
	struct seg low[] = { { 1, 0x1000, 0x8000, 0x8000, 0x1000, 0x1000 } };
	make_elf(low, 1, 0x8000);
	CHECK_EQ(load(), 0);
}

static void test_header_errors(void)
{
	make_elf(two, 2, 0x100010);
	put32(img + 0x1008, get32(img + 0x1008) + 1);
	expect_fail("bad checksum", "checksum mismatch");
	CHECK_EQ(guest_image_kind(img, img_len), GUEST_IMAGE_UNKNOWN);

	make_elf(two, 2, 0x100010);
	memset(img + 0x1000, 0, 12);
	mb_header(8192, 0);
	expect_fail("header at 8 KiB", "no Multiboot header in the first 8192 bytes");
	make_elf(two, 2, 0x100010);
	memset(img + 0x1000, 0, 12);
	mb_header(8188, 0);                     /* straddles the limit */
	expect_fail("header straddling 8 KiB", "no Multiboot header");
	make_elf(two, 2, 0x100010);
	memset(img + 0x1000, 0, 12);
	mb_header(0x1002, 0);                   /* not 4-byte aligned */
	expect_fail("unaligned header", "no Multiboot header");

	make_elf(two, 2, 0x100010);
	mb_header(0x1000, MB1_HF_VIDEO);
	expect_fail("video", "video mode");
	mb_header(0x1000, 1u << 5);
	expect_fail("unknown required", "unknown Multiboot features 0x20");
}

static void test_elf_errors(void)
{
	struct seg big[] = { { 1, 0x1000, 0x100000, 0x100000, 0x1000, (uint32_t)RAM } };
	make_elf(big, 1, 0x100000);
	expect_fail("outside RAM", "outside guest RAM");

	struct seg top[] = { { 1, 0x1000, 0xfffff000, 0xfffff000, 0x1000, 0xffffffff } };
	make_elf(top, 1, 0xfffff000);
	expect_fail("wrapping segment", "outside guest RAM");

	/* Found by tests/fuzz/mb1.c: with more than 4 GiB of guest RAM a
	 * segment crossing 4 GiB was accepted and the entry translated
	 * through it was truncated to 32 bits (0x1000ff007 -> 0xff007). */
	struct seg cross[] = { { 1, 0x1000, 0x1000, 0xfffff000, 0x1000, 0x2000 } };
	make_elf(cross, 1, 0x1800);
	err[0] = '\0';
	CHECK_EQ(mb1_load(img, img_len, GiB(8), NULL, 0, &out, err, sizeof(err)), -1);
	CHECK(strstr(err, "4 GiB") != NULL);

	struct seg vga[] = { { 1, 0x1000, 0xb8000, 0xb8000, 0x1000, 0x1000 } };
	make_elf(vga, 1, 0xb8000);
	expect_fail("legacy hole", "legacy hole");
	struct seg edge[] = { { 1, 0x1000, 0x9f000, 0x9f000, 0x1000, 0x1001 } };
	make_elf(edge, 1, 0x9f000);
	expect_fail("into the hole", "legacy hole");

	struct seg ov[] = { { 1, 0x1000, 0x100000, 0x100000, 0x2000, 0x3000 },
			    { 1, 0x3000, 0x102000, 0x102000, 0x1000, 0x1000 } };
	make_elf(ov, 2, 0x100010);
	expect_fail("overlap", "overlap");

	make_elf(two, 2, 0x100010);
	struct mb1_range res[] = { { 0x9000, 0xa000 }, { 0x104800, 0x105000 } };
	CHECK_EQ(mb1_load(img, img_len, RAM, res, 2, &out, err, sizeof(err)), -1);
	CHECK(strstr(err, "reserved area 0x104800-0x105000") != NULL);
	CHECK_EQ(mb1_load(img, img_len, RAM, res, 1, &out, err, sizeof(err)), 0);

	make_elf(two, 2, 0x100010);
	put16(img + 44, 600);
	expect_fail("truncated phdrs", "program headers (600 at 0x34) beyond end of file");
	make_elf(two, 2, 0x100010);
	put32(img + 28, 0xffffffe0);
	expect_fail("phoff overflow", "beyond end of file");
	make_elf(two, 2, 0x100010);
	put16(img + 42, 16);
	expect_fail("phentsize", "program header size 16");
	make_elf(two, 0, 0x100010);
	expect_fail("no phdrs", "no program headers");
	struct seg note[] = { { 4, 0, 0, 0, 0x10, 0x10 } };
	make_elf(note, 1, 0x100010);
	expect_fail("no PT_LOAD", "no loadable segments");

	struct seg fm[] = { { 1, 0x1000, 0x100000, 0x100000, 0x2000, 0x1000 } };
	make_elf(fm, 1, 0x100000);
	expect_fail("filesz > memsz", "file size 0x2000 > memory size 0x1000");
	struct seg past[] = { { 1, 0x3000, 0x100000, 0x100000, 0x2000, 0x2000 } };
	make_elf(past, 1, 0x100000);
	expect_fail("data past EOF", "beyond end of file");
	struct seg offw[] = { { 1, 0xffffffff, 0x100000, 0x100000, 0xffffffff, 0xffffffff } };
	make_elf(offw, 1, 0x100000);
	expect_fail("offset overflow", "beyond end of file");

	make_elf(two, 2, 0x200000);
	expect_fail("entry", "entry point 0x200000 outside");

	struct seg many[17];
	for (unsigned i = 0; i < 17; i++)
		many[i] = (struct seg){ 1, 0x1000, 0x100000 + 0x1000 * i, 0x100000 + 0x1000 * i, 0x10, 0x1000 };
	make_elf(many, 17, 0x100000);
	expect_fail("too many", "more than 16 loadable segments");

	make_elf(two, 2, 0x100010);
	img[4] = 2;
	expect_fail("ELF64", "ELF class 2");
	make_elf(two, 2, 0x100010);
	img[5] = 2;
	expect_fail("big endian", "little-endian");
	make_elf(two, 2, 0x100010);
	put16(img + 18, 62);
	expect_fail("x86-64", "ELF machine 62");
	make_elf(two, 2, 0x100010);
	put16(img + 16, 3);
	expect_fail("ET_DYN", "ELF type 3");
	make_elf(two, 2, 0x100010);
	img[0] = 'X';
	expect_fail("not ELF", "not an ELF file");
}

/* a.out kludge: file of 0x3000 bytes, header at 0x40 loaded at 0x100040. */
static void make_aout(uint32_t header_addr, uint32_t load, uint32_t load_end,
		      uint32_t bss_end, uint32_t entry)
{
	uint32_t flags = MB1_HF_AOUT_KLUDGE | MB1_HF_PAGE_ALIGN;

	memset(img, 0x90, sizeof(img));
	mb_header(0x40, flags);
	put32(img + 0x40 + 12, header_addr);
	put32(img + 0x40 + 16, load);
	put32(img + 0x40 + 20, load_end);
	put32(img + 0x40 + 24, bss_end);
	put32(img + 0x40 + 28, entry);
	img_len = 0x3000;
}

static void test_aout(void)
{
	make_aout(0x100040, 0x100000, 0, 0x105000, 0x100080);
	CHECK_EQ(guest_image_kind(img, img_len), GUEST_IMAGE_MB1);
	CHECK_EQ(load(), 0);
	CHECK(out.aout_kludge);
	CHECK_EQ(out.nseg, 1);
	CHECK_EQ(out.seg[0].offset, 0);
	CHECK_EQ(out.seg[0].gpa, 0x100000);
	CHECK_EQ(out.seg[0].filesz, 0x3000);
	CHECK_EQ(out.seg[0].memsz, 0x5000);
	CHECK_EQ(out.entry, 0x100080);

	/* Header loaded 0x20 into the image: file offset 0x20. */
	make_aout(0x100020, 0x100000, 0x102000, 0, 0x100000);
	CHECK_EQ(load(), 0);
	CHECK_EQ(out.seg[0].offset, 0x20);
	CHECK_EQ(out.seg[0].filesz, 0x2000);
	CHECK_EQ(out.seg[0].memsz, 0x2000);

	make_aout(0x100040, 0x100080, 0, 0, 0x100080);
	expect_fail("load above header", "does not fit header_addr");
	make_aout(0x100040, 0x0f0000, 0, 0, 0x100080);
	expect_fail("load too low", "does not fit header_addr");
	make_aout(0x100040, 0x100000, 0x100000, 0, 0x100000);
	expect_fail("load_end", "load_end_addr 0x100000 not above");
	make_aout(0x100040, 0x100000, 0x102000, 0x101000, 0x100000);
	expect_fail("bss_end", "bss_end_addr 0x101000 below");
	make_aout(0x100040, 0x100000, 0x104000, 0, 0x100000);
	expect_fail("load_end past EOF", "beyond end of file");
	make_aout(0x100040, 0x100000, 0, 0, 0x200000);
	expect_fail("entry", "entry point 0x200000 outside");
	make_aout(0x100040, 0x100000, 0, 0x5000000, 0x100000);
	expect_fail("bss beyond RAM", "outside guest RAM");
	make_aout(0x100040, 0x100000, 0, 0, 0x100000);
	img_len = 0x40 + 20;
	expect_fail("truncated kludge header", "header truncated");
}

static void test_sniff(void)
{
	uint64_t s = 12345;

	for (size_t i = 0; i < sizeof(img); i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		img[i] = (uint8_t)(s >> 56);
	}
	img_len = sizeof(img);
	CHECK_EQ(guest_image_kind(img, img_len), GUEST_IMAGE_UNKNOWN);
	expect_fail("random", "no Multiboot header");
	CHECK_EQ(guest_image_kind(img, 0), GUEST_IMAGE_UNKNOWN);
	CHECK_EQ(guest_image_kind(NULL, 10), GUEST_IMAGE_UNKNOWN);
	img_len = 0;
	expect_fail("empty", "empty kernel image");
	CHECK_EQ(mb1_load(NULL, 0, RAM, NULL, 0, &out, NULL, 0), -1);

	memset(img, 0, sizeof(img));
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	CHECK_EQ(guest_image_kind(img, 0x206), GUEST_IMAGE_LINUX_BZIMAGE);
	CHECK_EQ(guest_image_kind(img, 0x205), GUEST_IMAGE_UNKNOWN);
	img[0x203] = 'x';
	CHECK_EQ(guest_image_kind(img, sizeof(img)), GUEST_IMAGE_UNKNOWN);
	CHECK(strcmp(guest_image_kind_name(GUEST_IMAGE_UNKNOWN), "not a kernel") == 0);
	CHECK(strcmp(guest_image_kind_name(GUEST_IMAGE_LINUX_BZIMAGE), "Linux bzImage") == 0);
}

static void test_info(void)
{
	uint8_t buf[512];
	const uint64_t gpa = 0x9000;
	struct mb1_module mod = { 0x800000, 0x900000, "initrd" };
	struct mb1_info_args a = { RAM, "console=ttyS0", &mod, 1 };
	int used;

	memset(buf, 0xee, sizeof(buf));
	used = mb1_build_info(buf, sizeof(buf), gpa, &a, err, sizeof(err));
	CHECK(used > MB1_INFO_SIZE && used <= (int)sizeof(buf));
	CHECK_EQ(get32(buf), MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MODS |
		 MB1_INFO_MMAP | MB1_INFO_LOADER);
	CHECK_EQ(get32(buf + 4), 640);
	CHECK_EQ(get32(buf + 8), (RAM - MiB(1)) / 1024);
	CHECK_EQ(get32(buf + 12), 0);                   /* boot_device unset */
	uint32_t cmd = get32(buf + 16);
	CHECK(cmd >= gpa && cmd < gpa + (uint64_t)used);
	CHECK(strcmp((char *)buf + (cmd - gpa), "console=ttyS0") == 0);
	CHECK_EQ(get32(buf + 20), 1);
	uint32_t mods = get32(buf + 24);
	CHECK_EQ(mods % 4, 0);
	CHECK_EQ(get32(buf + mods - gpa), 0x800000);
	CHECK_EQ(get32(buf + mods - gpa + 4), 0x900000);
	CHECK(strcmp((char *)buf + (get32(buf + mods - gpa + 8) - gpa), "initrd") == 0);
	CHECK_EQ(get32(buf + 44), 72);
	uint32_t mm = get32(buf + 48);
	const uint8_t *e = buf + (mm - gpa);
	CHECK_EQ(get32(e), 20);
	CHECK_EQ(get64(e + 4), 0);
	CHECK_EQ(get64(e + 12), 0xa0000);
	CHECK_EQ(get32(e + 20), 1);
	CHECK_EQ(get32(e + 24), 20);
	CHECK_EQ(get64(e + 28), 0xf0000);
	CHECK_EQ(get64(e + 36), 0x10000);
	CHECK_EQ(get32(e + 44), 2);
	CHECK_EQ(get64(e + 52), 0x100000);
	CHECK_EQ(get64(e + 60), RAM - MiB(1));
	CHECK_EQ(get32(e + 68), 1);
	CHECK(strcmp((char *)buf + (get32(buf + 64) - gpa), "lhv") == 0);
	CHECK_EQ(get32(buf + 28), 0);                   /* no symbols */
	CHECK_EQ(buf[used], 0xee);                      /* nothing written past used */

	/* No modules, NULL command line, tiny RAM. */
	struct mb1_info_args b = { KiB(512), NULL, NULL, 0 };
	used = mb1_build_info(buf, sizeof(buf), gpa, &b, err, sizeof(err));
	CHECK(used > 0);
	CHECK_EQ(get32(buf) & MB1_INFO_MODS, 0);
	CHECK_EQ(get32(buf + 4), 512);
	CHECK_EQ(get32(buf + 8), 0);
	CHECK_EQ(get32(buf + 44), 48);
	CHECK_EQ(buf[get32(buf + 16) - gpa], 0);

	/* Found by tests/fuzz/mb1.c: mem_upper (KiB, 32 bits) was truncated
	 * above 4 TiB of RAM (4 TiB + 1 MiB gave 0); it saturates. */
	struct mb1_info_args huge = { GiB(4096) + MiB(1), NULL, NULL, 0 };
	CHECK(mb1_build_info(buf, sizeof(buf), gpa, &huge, err, sizeof(err)) > 0);
	CHECK_EQ(get32(buf + 8), 0xffffffffu);
	huge.ram_size = GiB(4096);
	CHECK(mb1_build_info(buf, sizeof(buf), gpa, &huge, err, sizeof(err)) > 0);
	CHECK_EQ(get32(buf + 8), (GiB(4096) - MiB(1)) >> 10);

	CHECK_EQ(mb1_build_info(buf, 100, gpa, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "too small") != NULL);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), gpa + 4, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "aligned") != NULL);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), GiB(4), &a, err, sizeof(err)), -1);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), GiB(4) - 128, &a, err, sizeof(err)), -1);
	CHECK(strstr(err, "below 4 GiB") != NULL);
	struct mb1_module high = { GiB(4), GiB(4) + 10, NULL };
	struct mb1_info_args c = { RAM, "", &high, 1 };
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), gpa, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "module 0") != NULL);
}

int main(void)
{
	test_valid_elf();
	test_header_errors();
	test_elf_errors();
	test_aout();
	test_sniff();
	test_info();
	return check_done("test_mb1");
}
