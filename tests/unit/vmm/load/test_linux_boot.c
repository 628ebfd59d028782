/* vmm/loader_linux.c: fake bzImages built in memory (a setup header with
 * chosen fields and a payload) for placement, boot_params fields at their
 * documented offsets (Documentation/arch/x86/zero-page.rst), the E820 map,
 * command line limits, initrd placement and malformed files; identity page
 * tables and GDT; and, when one is cached, a real Debian kernel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include "vmm/load/loader_linux.h"
#include "tests/unit/check.h"

static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void w16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void w32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void w64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* What a fake image's header says. */
struct fake {
	uint8_t setup_sects;            /* raw byte: 0 reads as 4 */
	uint16_t version;
	uint8_t hdr_len;                /* byte at 0x201 */
	uint8_t loadflags;
	uint16_t xlf;
	uint8_t reloc;
	uint32_t align, init_size, cmdline_size, initrd_max;
	uint64_t pref;
	uint32_t payload;               /* bytes of protected-mode kernel */
	int32_t syssize_adj;            /* added to payload/16 */
	uint32_t trailer;               /* bytes after the payload (signature) */
};

static struct fake good(void)
{
	return (struct fake){
		.setup_sects = 4, .version = 0x020f, .hdr_len = 0x6a,
		.loadflags = LINUX_LF_LOADED_HIGH, .xlf = 0x7f, .reloc = 1,
		.align = 0x200000, .init_size = 0x2000000, .cmdline_size = 2047,
		.initrd_max = 0x7fffffff, .pref = 0x1000000, .payload = 0x10000,
	};
}

static size_t image_len(const struct fake *f)
{
	unsigned ss = f->setup_sects ? f->setup_sects : 4;

	return (size_t)(ss + 1) * 512 + f->payload + f->trailer;
}

/* Build the image into a malloc'd buffer of image_len(f) bytes. */
static uint8_t *make(const struct fake *f)
{
	size_t len = image_len(f), setup = len - f->payload - f->trailer;
	uint8_t *p = calloc(1, len < 0x1000 ? 0x1000 : len);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + 3);    /* recognisable filler */
	memset(p + 0x1f1, 0, 0x290 - 0x1f1);
	p[0x1f1] = f->setup_sects;
	w32(p + 0x1f4, (uint32_t)((int32_t)(f->payload / 16) + f->syssize_adj));
	w16(p + 0x1fa, 0xffff);
	w16(p + 0x1fe, 0xaa55);
	p[0x200] = 0xeb;
	p[0x201] = f->hdr_len;
	memcpy(p + 0x202, "HdrS", 4);
	w16(p + 0x206, f->version);
	p[0x211] = f->loadflags;
	w32(p + 0x214, 0x100000);
	w32(p + 0x22c, f->initrd_max);
	w32(p + 0x230, f->align);
	p[0x234] = f->reloc;
	p[0x235] = 21;
	w16(p + 0x236, f->xlf);
	w32(p + 0x238, f->cmdline_size);
	w64(p + 0x258, f->pref);
	w32(p + 0x260, f->init_size);
	(void)setup;
	return p;
}

static struct linux_image img;
static char err[256];

static int load(const struct fake *f, const struct linux_load_args *a)
{
	uint8_t *p = make(f);
	int r;

	err[0] = 0;
	r = linux_load(p, image_len(f), a, &img, err, sizeof(err));
	free(p);
	return r;
}

static struct linux_load_args args(uint64_t ram)
{
	return (struct linux_load_args){ .ram_size = ram, .cmdline = "console=ttyS0" };
}

static bool has(const char *needle)
{
	if (strstr(err, needle))
		return true;
	fprintf(stderr, "  error was: \"%s\" (wanted \"%s\")\n", err, needle);
	return false;
}

static void test_good(void)
{
	struct fake f = good();
	uint8_t *p = make(&f), *bp = malloc(LINUX_BP_SIZE);
	size_t len = image_len(&f);
	struct linux_load_args a = args(MiB(256));
	bool same = true;
	const uint8_t *e;

	a.initrd_size = MiB(5) + 123;
	a.acpi_rsdp = 0xe0000;
	CHECK(linux_load(p, len, &a, &img, err, sizeof(err)) == 0);
	CHECK_EQ(img.version, 0x020f);
	CHECK_EQ(img.setup_sects, 4);
	CHECK_EQ(img.kernel_offset, 5 * 512);
	CHECK_EQ(img.kernel_len, 0x10000);
	CHECK_EQ(img.kernel_gpa, 0x1000000);        /* pref_address */
	CHECK_EQ(img.kernel_end, 0x3000000);
	CHECK(img.has_entry64);
	CHECK_EQ(img.entry64, 0x1000200);
	CHECK_EQ(img.entry32, 0x1000000);
	CHECK_EQ(img.boot_params_gpa, LINUX_BOOT_PARAMS_GPA);
	CHECK_EQ(img.cmdline_gpa, LINUX_CMDLINE_GPA);
	CHECK_EQ(img.cmdline_len, 14);
	/* initrd: as high as possible, page aligned, below RAM's end. */
	CHECK_EQ(img.initrd_size, MiB(5) + 123);
	CHECK_EQ(img.initrd_gpa, (MiB(256) - MiB(5) - 123) & ~0xfffull);
	CHECK(img.initrd_gpa >= img.kernel_end);
	CHECK(img.initrd_gpa + img.initrd_size <= MiB(256));

	memset(bp, 0xcc, LINUX_BP_SIZE);
	CHECK(linux_build_boot_params(bp, LINUX_BP_SIZE, p, len, &img, &a, err, sizeof(err)) == 0);
	/* Setup header copied from the file. */
	CHECK_EQ(bp[0x1f1], 4);
	CHECK_EQ(rd32(bp + 0x1f4), 0x10000 / 16);
	CHECK_EQ(rd16(bp + 0x1fe), 0xaa55);
	CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0);
	CHECK_EQ(rd16(bp + 0x206), 0x020f);
	CHECK_EQ(rd32(bp + 0x230), 0x200000);
	CHECK_EQ(rd32(bp + 0x260), 0x2000000);
	CHECK_EQ(rd64(bp + 0x258), 0x1000000);
	CHECK_EQ(rd32(bp + 0x238), 2047);
	/* Loader-written fields. */
	CHECK_EQ(bp[0x210], 0xff);                  /* type_of_loader */
	CHECK_EQ(bp[0x211], 0x81);                  /* LOADED_HIGH | CAN_USE_HEAP */
	CHECK_EQ(rd16(bp + 0x224), 0xde00);         /* heap_end_ptr */
	CHECK_EQ(rd32(bp + 0x214), 0x1000000);      /* code32_start */
	CHECK_EQ(rd32(bp + 0x228), 0x60000);        /* cmd_line_ptr */
	CHECK_EQ(rd32(bp + 0x0c8), 0);              /* ext_cmd_line_ptr */
	CHECK_EQ(rd32(bp + 0x218), img.initrd_gpa); /* ramdisk_image */
	CHECK_EQ(rd32(bp + 0x21c), MiB(5) + 123);   /* ramdisk_size */
	CHECK_EQ(rd32(bp + 0x0c0), 0);
	CHECK_EQ(rd32(bp + 0x0c4), 0);
	CHECK_EQ(rd64(bp + 0x070), 0xe0000);        /* acpi_rsdp_addr */
	CHECK_EQ(rd64(bp + 0x250), 0);              /* setup_data */
	CHECK_EQ(bp[0x1ef], 0);                     /* sentinel */
	CHECK_EQ(rd32(bp + 0x1e0), (MiB(256) - MiB(1)) >> 10);  /* alt_mem_k */
	/* Nothing else below the header, nothing after the E820 table. */
	for (unsigned i = 0; i < 0x1e8; i++)
		if (i != 0x070 && !(i >= 0x070 && i < 0x078) && !(i >= 0x1e0 && i < 0x1e4) && bp[i])
			same = false;
	for (unsigned i = 0x2d0 + 4 * 20; i < LINUX_BP_SIZE; i++)
		if (bp[i])
			same = false;
	CHECK(same);
	/* E820 (count at 0x1e8, 20-byte entries from 0x2d0). */
	CHECK_EQ(bp[0x1e8], 4);
	e = bp + 0x2d0;
	CHECK_EQ(rd64(e), 0);            CHECK_EQ(rd64(e + 8), 0x9fc00);          CHECK_EQ(rd32(e + 16), 1);
	e += 20;
	CHECK_EQ(rd64(e), 0x9fc00);      CHECK_EQ(rd64(e + 8), 0x400);            CHECK_EQ(rd32(e + 16), 2);
	e += 20;
	CHECK_EQ(rd64(e), 0xe0000);      CHECK_EQ(rd64(e + 8), 0x20000);          CHECK_EQ(rd32(e + 16), 2);
	e += 20;
	CHECK_EQ(rd64(e), 0x100000);     CHECK_EQ(rd64(e + 8), MiB(255));         CHECK_EQ(rd32(e + 16), 1);

	/* Buffer too small; boot_params for a 2.12 kernel has no RSDP. */
	CHECK(linux_build_boot_params(bp, 100, p, len, &img, &a, err, sizeof(err)) == -1);
	free(p);
	f.version = 0x020c;
	f.hdr_len = 0x66;
	p = make(&f);
	CHECK(linux_load(p, len, &a, &img, err, sizeof(err)) == 0);
	CHECK(linux_build_boot_params(bp, LINUX_BP_SIZE, p, len, &img, &a, err, sizeof(err)) == 0);
	CHECK_EQ(rd64(bp + 0x070), 0);
	CHECK_EQ(img.hdr_end, 0x268);
	/* Header byte 0x268.. not copied for a 0x268-long header. */
	CHECK_EQ(rd32(bp + 0x268), 0);
	free(p);
	free(bp);
}

static void test_placement(void)
{
	struct fake f = good();
	struct linux_load_args a = args(MiB(64));

	/* setup_sects 0 means 4. */
	f.setup_sects = 0;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.setup_sects, 4);
	CHECK_EQ(img.kernel_offset, 5 * 512);
	f = good();
	a.ram_size = MiB(32);

	/* pref_address (16 MiB) + init_size (24 MiB) is past 32 MiB of RAM:
	 * a relocatable kernel goes to the lowest 2 MiB-aligned address. */
	f.init_size = MiB(24);
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.kernel_gpa, MiB(2));
	CHECK_EQ(img.entry64, MiB(2) + 0x200);
	/* Alignment 16 MiB: only 16 MiB itself would do, and it does not fit. */
	f.align = MiB(16);
	CHECK(load(&f, &a) == -1);
	CHECK(has("not enough RAM for the kernel"));
	f.align = MiB(2);
	/* RAM too small for init_size at all. */
	f.init_size = MiB(31);
	CHECK(load(&f, &a) == -1);
	CHECK(has("not enough RAM"));
	/* Non-relocatable: at pref_address or nowhere. */
	f = good();
	f.reloc = 0;
	CHECK(load(&f, &a) == -1);
	CHECK(has("non-relocatable kernel does not fit"));
	a.ram_size = MiB(64);
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.kernel_gpa, MiB(16));
	f.pref = 0;                     /* no preference: 1 MiB */
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.kernel_gpa, MiB(1));
	/* A relocatable kernel with no pref_address. */
	f = good();
	f.pref = 0;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.kernel_gpa, MiB(2));
	/* No 64-bit entry without XLF_KERNEL_64. */
	f.xlf = 0;
	CHECK(load(&f, &a) == 0);
	CHECK(!img.has_entry64);
	CHECK_EQ(img.entry64, 0);
	CHECK_EQ(img.entry32, MiB(2));
	/* RAM limits. */
	f = good();
	a.ram_size = MiB(1);
	CHECK(load(&f, &a) == -1);
	CHECK(has("nothing above 1 MiB"));
	a.ram_size = GiB(4);
	CHECK(load(&f, &a) == -1);
	CHECK(has("APICs"));
	a.ram_size = 0xfec00000ull;
	CHECK(load(&f, &a) == 0);
}

static void test_cmdline(void)
{
	struct fake f = good();
	struct linux_load_args a = args(MiB(64));
	static char big[LINUX_CMDLINE_MAX + 10];

	f.cmdline_size = 16;
	a.cmdline = "0123456789abcdef";         /* 16: fits */
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.cmdline_len, 17);
	a.cmdline = "0123456789abcdefg";        /* 17 */
	CHECK(load(&f, &a) == -1);
	CHECK(strcmp(err, "kernel command line too long for the protocol (17 > 16)") == 0);
	a.cmdline = NULL;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.cmdline_len, 1);
	/* A protocol limit above our buffer. */
	f.cmdline_size = 0x100000;
	memset(big, 'x', sizeof(big) - 1);
	a.cmdline = big;
	CHECK(load(&f, &a) == -1);
	CHECK(has("kernel command line too long"));
}

static void test_initrd(void)
{
	struct fake f = good();
	struct linux_load_args a = args(GiB(2));

	/* Below initrd_addr_max (the last byte it may use). */
	f.initrd_max = 0x3fffffff;
	a.initrd_size = MiB(100);
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.initrd_gpa, GiB(1) - MiB(100));
	CHECK(img.initrd_gpa + img.initrd_size - 1 <= 0x3fffffff);
	/* Unaligned size: start rounded down to a page. */
	a.initrd_size = 5000;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.initrd_gpa, GiB(1) - 8192);
	/* RAM below initrd_addr_max. */
	f.initrd_max = 0x7fffffff;
	a.ram_size = MiB(512);
	a.initrd_size = MiB(1);
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.initrd_gpa, MiB(511));
	/* Too big for the room above the kernel. */
	a.initrd_size = MiB(512) - img.kernel_end + 1;
	CHECK(load(&f, &a) == -1);
	CHECK(has("initrd of"));
	a.initrd_size = MiB(512) - MiB(48);     /* exactly the room */
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.initrd_gpa, MiB(48));
	CHECK_EQ(img.initrd_gpa, img.kernel_end);
	/* initrd_addr_max below the kernel's end. */
	f.initrd_max = MiB(40) - 1;
	a.initrd_size = MiB(1);
	CHECK(load(&f, &a) == -1);
	CHECK(has("initrd_addr_max (0x27fffff)"));
	/* No initrd: zero fields. */
	a.initrd_size = 0;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.initrd_gpa, 0);
	CHECK_EQ(img.initrd_size, 0);
}

static void test_reserved(void)
{
	struct fake f = good();
	struct linux_load_args a = args(MiB(256));
	struct linux_range r[3] = {
		{ 0xe0000, 0xe2000, E820_ACPI },        /* ACPI tables in the BIOS area */
		{ MiB(16), MiB(17), E820_RESERVED },    /* over pref_address */
		{ MiB(250), MiB(256), E820_NVS },       /* RAM's top */
	};
	uint8_t *p = make(&f), *bp = malloc(LINUX_BP_SIZE);
	const uint8_t *e;

	a.reserved = r;
	a.nreserved = 3;
	a.initrd_size = MiB(4);
	CHECK(linux_load(p, image_len(&f), &a, &img, err, sizeof(err)) == 0);
	CHECK_EQ(img.kernel_gpa, MiB(18));      /* first 2 MiB-aligned past the hole */
	CHECK_EQ(img.initrd_gpa, MiB(246));     /* below the NVS range */
	CHECK(linux_build_boot_params(bp, LINUX_BP_SIZE, p, image_len(&f), &img, &a, err, sizeof(err)) == 0);
	/* 0-9fc00 RAM, 9fc00 res, e0000 ACPI, e2000 res, 1M-16M RAM,
	 * 16M-17M res, 17M-250M RAM, 250M-256M NVS. */
	CHECK_EQ(bp[0x1e8], 8);
	e = bp + 0x2d0 + 2 * 20;
	CHECK_EQ(rd64(e), 0xe0000);     CHECK_EQ(rd64(e + 8), 0x2000);    CHECK_EQ(rd32(e + 16), 3);
	e += 20;
	CHECK_EQ(rd64(e), 0xe2000);     CHECK_EQ(rd64(e + 8), 0x1e000);   CHECK_EQ(rd32(e + 16), 2);
	e += 20;
	CHECK_EQ(rd64(e), MiB(1));      CHECK_EQ(rd64(e + 8), MiB(15));   CHECK_EQ(rd32(e + 16), 1);
	e += 20;
	CHECK_EQ(rd64(e), MiB(16));     CHECK_EQ(rd64(e + 8), MiB(1));    CHECK_EQ(rd32(e + 16), 2);
	e += 20;
	CHECK_EQ(rd64(e), MiB(17));     CHECK_EQ(rd64(e + 8), MiB(233));  CHECK_EQ(rd32(e + 16), 1);
	e += 20;
	CHECK_EQ(rd64(e), MiB(250));    CHECK_EQ(rd64(e + 8), MiB(6));    CHECK_EQ(rd32(e + 16), 4);
	free(p);
	free(bp);

	/* Adjacent reserved pieces merge; a range over the whole 1 MiB+ RAM
	 * leaves no room for the kernel. */
	{
		struct linux_range r2[2] = {
			{ MiB(100), MiB(101), E820_RESERVED }, { MiB(101), MiB(102), E820_RESERVED },
		};
		a.reserved = r2;
		a.nreserved = 2;
		CHECK(load(&f, &a) == 0);
		CHECK_EQ(img.ne820, 6);
		CHECK_EQ(img.e820[4].addr, MiB(100));
		CHECK_EQ(img.e820[4].size, MiB(2));
		r2[0] = (struct linux_range){ MiB(1), MiB(256), E820_RESERVED };
		a.nreserved = 1;
		CHECK(load(&f, &a) == -1);
		CHECK(has("not enough RAM"));
	}
	/* Bad ranges. */
	{
		struct linux_range bad = { 0x8000, 0x9000, E820_RESERVED };
		a.reserved = &bad;
		a.nreserved = 1;
		CHECK(load(&f, &a) == -1);
		CHECK(has("overlaps the boot area"));
		bad = (struct linux_range){ MiB(2), MiB(2), E820_RESERVED };
		CHECK(load(&f, &a) == -1);
		CHECK(has("is empty"));
		bad = (struct linux_range){ MiB(2), MiB(3), E820_RAM };
		CHECK(load(&f, &a) == -1);
		CHECK(has("E820 type 1"));
	}
	/* Too many pieces for the zero page's table. */
	{
		static struct linux_range many[130];
		for (unsigned i = 0; i < 130; i++)
			many[i] = (struct linux_range){ MiB(100) + i * 8192, MiB(100) + i * 8192 + 4096,
							E820_RESERVED };
		a.reserved = many;
		a.nreserved = 130;
		CHECK(load(&f, &a) == -1);
		CHECK(has("E820 entries"));
	}
}

static void test_malformed(void)
{
	struct fake f = good();
	struct linux_load_args a = args(MiB(256));
	uint8_t *p = make(&f);
	size_t len = image_len(&f);

	/* Truncated files. */
	CHECK(linux_parse(p, 0x100, &img, err, sizeof(err)) == -1);
	CHECK(has("too short"));
	CHECK(linux_parse(p, 0x207, &img, err, sizeof(err)) == -1);
	CHECK(has("truncated setup header"));
	CHECK(linux_parse(p, 0x250, &img, err, sizeof(err)) == -1);
	CHECK(has("truncated setup header"));
	CHECK(linux_parse(NULL, 0, &img, err, sizeof(err)) == -1);
	/* Kernel cut short: syssize says more than the file has. */
	CHECK(linux_parse(p, len - 32, &img, err, sizeof(err)) == -1);
	CHECK(has("truncated kernel"));
	/* ...but the last 16-byte paragraph may be partial. */
	CHECK(linux_parse(p, len - 8, &img, err, sizeof(err)) == 0);
	CHECK_EQ(img.kernel_len, 0x10000 - 8);
	/* Setup code past the end of the file. */
	CHECK(linux_parse(p, 0xa00, &img, err, sizeof(err)) == -1);
	CHECK(has("runs past the file"));
	free(p);

	f.version = 0x020b;
	CHECK(load(&f, &a) == -1);
	CHECK(has("boot protocol 2.11 too old"));
	f = good();
	f.hdr_len = 0x50;               /* header ends at 0x252 */
	CHECK(load(&f, &a) == -1);
	CHECK(has("before init_size"));
	f = good();
	f.loadflags = 0;
	CHECK(load(&f, &a) == -1);
	CHECK(has("zImage"));
	f = good();
	f.syssize_adj = -(int32_t)(f.payload / 16);
	CHECK(load(&f, &a) == -1);
	CHECK(has("syssize is 0"));
	f = good();
	f.syssize_adj = 1;
	CHECK(load(&f, &a) == -1);
	CHECK(has("truncated kernel"));
	/* A signature after the kernel is fine; megabytes of it are not. */
	f = good();
	f.trailer = 1500;
	CHECK(load(&f, &a) == 0);
	CHECK_EQ(img.kernel_len, f.payload);
	f.trailer = MiB(1) + 16;
	CHECK(load(&f, &a) == -1);
	CHECK(has("syssize (65536 bytes) inconsistent"));
	f = good();
	f.setup_sects = 1;              /* setup (1 KiB) ends inside the header? no: 0x400 > 0x26c */
	CHECK(load(&f, &a) == 0);
	f.init_size = 0x1000;           /* smaller than the kernel */
	CHECK(load(&f, &a) == -1);
	CHECK(has("init_size 0x1000 smaller"));
	f = good();
	f.align = 0x300000;
	CHECK(load(&f, &a) == -1);
	CHECK(has("kernel_alignment 0x300000"));
	f.align = 0;
	CHECK(load(&f, &a) == -1);
	f.reloc = 0;                    /* alignment unused when not relocatable */
	CHECK(load(&f, &a) == 0);
	/* Boot flag, magic. */
	f = good();
	p = make(&f);
	p[0x1fe] = 0;
	CHECK(linux_parse(p, image_len(&f), &img, err, sizeof(err)) == -1);
	CHECK(has("boot flag"));
	p[0x1fe] = 0x55;
	p[0x203] = 'x';
	CHECK(linux_parse(p, image_len(&f), &img, err, sizeof(err)) == -1);
	CHECK(has("HdrS"));
	free(p);
	/* Error buffer of size 0 and a tiny one. */
	f.version = 0x0200;
	p = make(&f);
	CHECK(linux_parse(p, image_len(&f), &img, NULL, 0) == -1);
	CHECK(linux_parse(p, image_len(&f), &img, err, 4) == -1);
	CHECK_EQ(strlen(err), 3);
	free(p);
}

/* Walk the 4-level tables in buf (at gpa) for address va. */
static uint64_t walk(const uint8_t *buf, uint64_t gpa, uint64_t cr3, uint64_t va, bool *ok)
{
	uint64_t e;

	*ok = false;
	e = rd64(buf + (cr3 - gpa) + ((va >> 39) & 511) * 8);
	if (!(e & 1))
		return 0;
	e = rd64(buf + ((e & ~0xfffull) - gpa) + ((va >> 30) & 511) * 8);
	if (!(e & 1) || (e & 0x80))
		return 0;
	e = rd64(buf + ((e & ~0xfffull) - gpa) + ((va >> 21) & 511) * 8);
	if (!(e & 1) || !(e & 0x80) || !(e & 2))
		return 0;
	*ok = true;
	return (e & ~0x1fffffull & ((1ull << 52) - 1)) | (va & 0x1fffff);
}

static void test_pt(void)
{
	size_t need = linux_identity_pt_size(GiB(4));
	uint8_t *buf = malloc(LINUX_PT_MAX_BYTES);
	struct linux_pt pt;
	static const uint64_t vas[] = { 0, 0x1000200, 0x12345678, 0x7fffffff, 0xfee00000, 0xffffffff };
	bool ok, all = true;

	CHECK_EQ(need, 7 * 4096);
	CHECK(need <= LINUX_PT_MAX_BYTES);
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, LINUX_PT_GPA, GiB(4), &pt, err, sizeof(err)) == 0);
	CHECK_EQ(pt.cr3, LINUX_PT_GPA + 0x1000);
	CHECK_EQ(pt.gdt_base, LINUX_PT_GPA);
	CHECK_EQ(pt.gdt_limit, 31);
	CHECK_EQ(pt.used, need);
	CHECK_EQ(rd64(buf), 0);
	CHECK_EQ(rd64(buf + 0x08), 0);
	CHECK_EQ(rd64(buf + 0x10), 0x00af9b000000ffffull);   /* __BOOT_CS */
	CHECK_EQ(rd64(buf + 0x18), 0x00cf93000000ffffull);   /* __BOOT_DS */
	/* Access rights for the VMCS agree with the descriptors' bytes 5-6. */
	CHECK_EQ((rd64(buf + 0x10) >> 40) & 0xf0ff, LINUX_BOOT_CS_AR);
	CHECK_EQ((rd64(buf + 0x18) >> 40) & 0xf0ff, LINUX_BOOT_DS_AR);
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++)
		if (walk(buf, LINUX_PT_GPA, pt.cr3, vas[i], &ok) != vas[i] || !ok)
			all = false;
	CHECK(all);
	/* Every 2 MiB page, and nothing beyond 4 GiB. */
	all = true;
	for (uint64_t va = 0; va < GiB(4); va += MiB(2))
		if (walk(buf, LINUX_PT_GPA, pt.cr3, va + 5, &ok) != va + 5 || !ok)
			all = false;
	CHECK(all);
	walk(buf, LINUX_PT_GPA, pt.cr3, GiB(4), &ok);
	CHECK(!ok);
	/* 1 GiB + 2 MiB: two directories, the second with one entry. */
	CHECK_EQ(linux_identity_pt_size(GiB(1) + MiB(2)), 5 * 4096);
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0x20000, GiB(1) + MiB(2), &pt, err, sizeof(err)) == 0);
	CHECK_EQ(walk(buf, 0x20000, pt.cr3, GiB(1) + 0x1234, &ok), GiB(1) + 0x1234);
	CHECK(ok);
	walk(buf, 0x20000, pt.cr3, GiB(1) + MiB(2), &ok);
	CHECK(!ok);
	/* Errors. */
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0x10010, GiB(4), &pt, err, sizeof(err)) == -1);
	CHECK(has("not 4 KiB aligned"));
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0x10000, MiB(3), &pt, err, sizeof(err)) == -1);
	CHECK(has("multiple of 2 MiB"));
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0x10000, 0, &pt, err, sizeof(err)) == -1);
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0x10000, GiB(513), &pt, err, sizeof(err)) == -1);
	CHECK(linux_build_identity_pt(buf, need - 1, 0x10000, GiB(4), &pt, err, sizeof(err)) == -1);
	CHECK(has("need"));
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0xffffe000ull, GiB(4), &pt, err, sizeof(err)) == -1);
	CHECK(has("below 4 GiB"));
	/* An address whose end wraps past 2^64 passed the check and gave CR3
	 * 0 (the same defect tests/fuzz/acpi_build.c found in acpi_build). */
	err[0] = '\0';
	CHECK(linux_build_identity_pt(buf, LINUX_PT_MAX_BYTES, 0xfffffffffffff000ull, MiB(2), &pt, err,
				      sizeof(err)) == -1);
	CHECK(has("below 4 GiB"));
	free(buf);
}

/* A real kernel, when one is at hand (never in CI): Debian's cached by
 * guest/linux/fetch-kernels.sh, or the host's own. */
static void test_real(void)
{
	const char *b = getenv("BUILD");
	char pat[512];
	glob_t g;
	unsigned n = 0;

	/* The cache holds vmlinuz-generic and vmlinuz-cloud (and .package
	 * notes beside them, which are not kernels). */
	snprintf(pat, sizeof(pat), "%s/cache/linux/vmlinuz-{generic,cloud}", b && *b ? b : "build");
	if (glob(pat, GLOB_BRACE, NULL, &g) != 0 && glob("/boot/vmlinuz-*", 0, NULL, &g) != 0) {
		printf("test_linux_boot: no real kernel (%s, /boot): skipped\n", pat);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *fp = fopen(g.gl_pathv[i], "rb");
		uint8_t *p, *bp;
		long len;
		struct linux_load_args a = args(MiB(512));

		if (!fp)
			continue;
		if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET) != 0) {
			fclose(fp);
			continue;
		}
		p = malloc((size_t)len);
		bp = malloc(LINUX_BP_SIZE);
		if (fread(p, 1, (size_t)len, fp) != (size_t)len) {
			fclose(fp);
			free(p);
			free(bp);
			continue;
		}
		fclose(fp);
		a.initrd_size = MiB(8);
		a.acpi_rsdp = 0xe0000;
		if (linux_load(p, (size_t)len, &a, &img, err, sizeof(err)) != 0)
			fprintf(stderr, "%s: %s\n", g.gl_pathv[i], err);
		else
			printf("test_linux_boot: %s: protocol %u.%02u, kernel 0x%llx bytes at 0x%llx, "
			       "init_size 0x%x, initrd at 0x%llx\n", g.gl_pathv[i], img.version >> 8,
			       img.version & 0xff, (unsigned long long)img.kernel_len,
			       (unsigned long long)img.kernel_gpa, img.init_size,
			       (unsigned long long)img.initrd_gpa);
		CHECK(img.version >= 0x020c);
		CHECK(img.has_entry64);
		CHECK(img.relocatable);
		CHECK_EQ(img.kernel_gpa, img.pref_address);
		CHECK(img.initrd_gpa >= img.kernel_end);
		CHECK(linux_build_boot_params(bp, LINUX_BP_SIZE, p, (size_t)len, &img, &a, err, sizeof(err)) == 0);
		CHECK(memcmp(bp + 0x202, "HdrS", 4) == 0);
		free(p);
		free(bp);
		n++;
	}
	globfree(&g);
	if (!n)
		printf("test_linux_boot: no readable real kernel: skipped\n");
}

int main(void)
{
	test_good();
	test_placement();
	test_cmdline();
	test_initrd();
	test_reserved();
	test_malformed();
	test_pt();
	test_real();
	return check_done("test_linux_boot");
}
