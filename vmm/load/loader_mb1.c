/* Multiboot v1 loader, pure part; see loader_mb1.h. Facts from the
 * Multiboot Specification 0.6.96 and the System V ABI (ELF32) only. Every
 * file-supplied number is checked in 64-bit arithmetic so nothing wraps. */
#include "vmm/load/loader_mb1.h"
#include "vmm/load/loader_pvh.h"
#include "core/fmt.h"

#define ELF_HDR_SIZE    52
#define ELF_PHDR_SIZE   32
#define ELF_PT_LOAD     1
#define ELF_ET_EXEC     2
#define ELF_EM_386      3


/* Offset of the first valid header (magic and checksum), or -1. *bad_sum
 * tells whether a magic with a wrong checksum was seen. */
static long mb1_find_header(const uint8_t *p, size_t len, bool *bad_sum)
{
	size_t lim = len < MB1_SEARCH_LEN ? len : MB1_SEARCH_LEN;

	*bad_sum = false;
	for (size_t off = 0; off + 12 <= lim; off += 4) {
		if (get_le32(p + off) != MB1_HEADER_MAGIC)
			continue;
		if ((uint32_t)(get_le32(p + off) + get_le32(p + off + 4) + get_le32(p + off + 8)) == 0)
			return (long)off;
		*bad_sum = true;
	}
	return -1;
}

enum guest_image_kind guest_image_kind(const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	bool bad;

	if (!p)
		return GUEST_IMAGE_UNKNOWN;
	if (len >= 0x206 && p[0x1fe] == 0x55 && p[0x1ff] == 0xaa &&
	    memcmp(p + 0x202, "HdrS", 4) == 0)
		return GUEST_IMAGE_LINUX_BZIMAGE;
	if (mb1_find_header(p, len, &bad) >= 0)
		return GUEST_IMAGE_MB1;
	if (pvh_elf_is_elf64(p, len))
		return GUEST_IMAGE_PVH;
	return GUEST_IMAGE_UNKNOWN;
}

const char *guest_image_kind_name(enum guest_image_kind k)
{
	switch (k) {
	case GUEST_IMAGE_MB1: return "Multiboot kernel";
	case GUEST_IMAGE_LINUX_BZIMAGE: return "Linux bzImage";
	case GUEST_IMAGE_PVH: return "ELF64 kernel (PVH entry)";
	default: return "not a kernel";
	}
}

struct mb1_ctx {
	const uint8_t *p;
	size_t len;
	uint64_t ram;
	const struct mb1_range *res;
	size_t nres;
	struct mb1_image *img;
	char *err;
	size_t errlen;
};

static bool ranges_overlap(uint64_t a, uint64_t aend, uint64_t b, uint64_t bend)
{
	return a < bend && b < aend;
}

/* Record one segment after checking where it goes. */
static int mb1_add_segment(struct mb1_ctx *c, uint64_t off, uint64_t gpa,
			   uint64_t filesz, uint64_t memsz)
{
	struct mb1_image *img = c->img;
	uint64_t end = gpa + memsz;     /* all inputs < 2^32: no wrap */

	if (filesz > memsz)
		return fmt_error(c->err, c->errlen, "segment at 0x%llx: file size 0x%llx > memory size 0x%llx",
			    (unsigned long long)gpa, (unsigned long long)filesz,
			    (unsigned long long)memsz);
	if (off + filesz > c->len)
		return fmt_error(c->err, c->errlen, "segment at 0x%llx: bytes 0x%llx-0x%llx beyond end of file (0x%zx)",
			    (unsigned long long)gpa, (unsigned long long)off,
			    (unsigned long long)(off + filesz), c->len);
	if (end > c->ram)
		return fmt_error(c->err, c->errlen, "segment 0x%llx-0x%llx outside guest RAM (0x%llx bytes)",
			    (unsigned long long)gpa, (unsigned long long)end,
			    (unsigned long long)c->ram);
	/* Multiboot kernels run with 32-bit physical addresses (spec 3.2). */
	if (end > (1ull << 32))
		return fmt_error(c->err, c->errlen, "segment 0x%llx-0x%llx ends above 4 GiB",
			    (unsigned long long)gpa, (unsigned long long)end);
	if (ranges_overlap(gpa, end, MB1_LOW_RAM_END, MB1_HIGH_RAM_START))
		return fmt_error(c->err, c->errlen, "segment 0x%llx-0x%llx overlaps the legacy hole 0xa0000-0x100000",
			    (unsigned long long)gpa, (unsigned long long)end);
	for (size_t i = 0; i < c->nres; i++)
		if (ranges_overlap(gpa, end, c->res[i].start, c->res[i].end))
			return fmt_error(c->err, c->errlen, "segment 0x%llx-0x%llx overlaps reserved area 0x%llx-0x%llx",
				    (unsigned long long)gpa, (unsigned long long)end,
				    (unsigned long long)c->res[i].start,
				    (unsigned long long)c->res[i].end);
	for (unsigned i = 0; i < img->nseg; i++)
		if (ranges_overlap(gpa, end, img->seg[i].gpa, img->seg[i].gpa + img->seg[i].memsz))
			return fmt_error(c->err, c->errlen, "segments at 0x%llx and 0x%llx overlap",
				    (unsigned long long)img->seg[i].gpa, (unsigned long long)gpa);
	if (img->nseg == MB1_MAX_SEGMENTS)
		return fmt_error(c->err, c->errlen, "more than %d loadable segments", MB1_MAX_SEGMENTS);
	img->seg[img->nseg++] = (struct mb1_segment){ off, gpa, filesz, memsz };
	if (end > img->load_end)
		img->load_end = end;
	return 0;
}

static int mb1_check_elf_header(struct mb1_ctx *c)
{
	const uint8_t *p = c->p;

	if (c->len < ELF_HDR_SIZE || memcmp(p, "\177ELF", 4) != 0)
		return fmt_error(c->err, c->errlen, "not an ELF file and no a.out-kludge addresses (header flag 16)");
	if (p[4] != 1)
		return fmt_error(c->err, c->errlen, "ELF class %u, expected 32-bit (1)", p[4]);
	if (p[5] != 1)
		return fmt_error(c->err, c->errlen, "ELF data encoding %u, expected little-endian (1)", p[5]);
	if (p[6] != 1 || get_le32(p + 20) != 1)
		return fmt_error(c->err, c->errlen, "unknown ELF version");
	if (get_le16(p + 16) != ELF_ET_EXEC)
		return fmt_error(c->err, c->errlen, "ELF type %u, expected an executable (2)", get_le16(p + 16));
	if (get_le16(p + 18) != ELF_EM_386)
		return fmt_error(c->err, c->errlen, "ELF machine %u, expected i386 (3)", get_le16(p + 18));
	return 0;
}

/* Entry points are virtual addresses; translate through the segment that
 * holds them, as loaders do for kernels linked above their load address. */
static int mb1_elf_entry(struct mb1_ctx *c, uint32_t entry, uint64_t phoff,
			 unsigned phentsize, unsigned phnum)
{
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = c->p + phoff + (uint64_t)i * phentsize;
		uint64_t vaddr = get_le32(ph + 8), paddr = get_le32(ph + 12), memsz = get_le32(ph + 20);

		if (get_le32(ph) != ELF_PT_LOAD || memsz == 0)
			continue;
		if (entry >= vaddr && entry < vaddr + memsz) {
			c->img->entry = (uint32_t)(entry - vaddr + paddr);
			return 0;
		}
	}
	return fmt_error(c->err, c->errlen, "entry point 0x%x outside the loadable segments", entry);
}

static int mb1_load_elf(struct mb1_ctx *c)
{
	const uint8_t *p = c->p;
	uint64_t phoff;
	unsigned phentsize, phnum;
	int rc = mb1_check_elf_header(c);

	if (rc)
		return rc;
	phoff = get_le32(p + 28);
	phentsize = get_le16(p + 42);
	phnum = get_le16(p + 44);
	if (phnum == 0)
		return fmt_error(c->err, c->errlen, "ELF file has no program headers");
	if (phentsize < ELF_PHDR_SIZE)
		return fmt_error(c->err, c->errlen, "ELF program header size %u, expected at least %u",
			    phentsize, ELF_PHDR_SIZE);
	if (phoff + (uint64_t)phnum * phentsize > c->len)
		return fmt_error(c->err, c->errlen, "ELF program headers (%u at 0x%llx) beyond end of file",
			    phnum, (unsigned long long)phoff);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = p + phoff + (uint64_t)i * phentsize;

		if (get_le32(ph) != ELF_PT_LOAD || get_le32(ph + 20) == 0)
			continue;
		rc = mb1_add_segment(c, get_le32(ph + 4), get_le32(ph + 12), get_le32(ph + 16), get_le32(ph + 20));
		if (rc)
			return rc;
	}
	if (c->img->nseg == 0)
		return fmt_error(c->err, c->errlen, "ELF file has no loadable segments");
	return mb1_elf_entry(c, get_le32(p + 24), phoff, phentsize, phnum);
}

/* Header flag 16: the header's address fields say where the file goes
 * (spec 3.1.3): the header at file offset hoff is loaded at header_addr. */
static int mb1_load_aout(struct mb1_ctx *c, uint64_t hoff)
{
	const uint8_t *h = c->p + hoff;
	uint64_t header_addr = get_le32(h + 12), load_addr = get_le32(h + 16);
	uint64_t load_end = get_le32(h + 20), bss_end = get_le32(h + 24), entry = get_le32(h + 28);
	uint64_t off, filesz, memsz;
	int rc;

	if (load_addr > header_addr || header_addr - load_addr > hoff)
		return fmt_error(c->err, c->errlen, "a.out kludge: load_addr 0x%llx does not fit header_addr 0x%llx at offset 0x%llx",
			    (unsigned long long)load_addr, (unsigned long long)header_addr,
			    (unsigned long long)hoff);
	off = hoff - (header_addr - load_addr);
	if (load_end == 0)
		filesz = c->len - off;          /* load to the end of the file */
	else if (load_end <= load_addr)
		return fmt_error(c->err, c->errlen, "a.out kludge: load_end_addr 0x%llx not above load_addr 0x%llx",
			    (unsigned long long)load_end, (unsigned long long)load_addr);
	else
		filesz = load_end - load_addr;
	memsz = filesz;
	if (bss_end) {
		if (bss_end < load_addr + filesz)
			return fmt_error(c->err, c->errlen, "a.out kludge: bss_end_addr 0x%llx below the loaded image end 0x%llx",
				    (unsigned long long)bss_end,
				    (unsigned long long)(load_addr + filesz));
		memsz = bss_end - load_addr;
	}
	rc = mb1_add_segment(c, off, load_addr, filesz, memsz);
	if (rc)
		return rc;
	if (entry < load_addr || entry >= load_addr + memsz)
		return fmt_error(c->err, c->errlen, "entry point 0x%llx outside the loaded image",
			    (unsigned long long)entry);
	c->img->entry = (uint32_t)entry;
	c->img->aout_kludge = true;
	return 0;
}

int mb1_load(const void *file, size_t len, uint64_t ram_size,
	     const struct mb1_range *reserved, size_t nreserved,
	     struct mb1_image *img, char *err, size_t errlen)
{
	struct mb1_ctx c = { file, len, ram_size, reserved, nreserved, img, err, errlen };
	uint32_t flags, req;
	bool bad_sum;
	long hoff;

	memset(img, 0, sizeof(*img));
	if (errlen)
		err[0] = '\0';
	if (!file || len == 0)
		return fmt_error(err, errlen, "empty kernel image");
	hoff = mb1_find_header(c.p, len, &bad_sum);
	if (hoff < 0 && bad_sum)
		return fmt_error(err, errlen, "Multiboot header checksum mismatch");
	if (hoff < 0)
		return fmt_error(err, errlen, "no Multiboot header in the first %d bytes", MB1_SEARCH_LEN);
	flags = get_le32(c.p + hoff + 4);
	img->header_flags = flags;
	img->header_offset = (uint32_t)hoff;

	/* Requirements (bits 0-15) we cannot honour make loading fail. */
	if (flags & MB1_HF_VIDEO)
		return fmt_error(err, errlen, "kernel requires a video mode (Multiboot flag 2), unsupported");
	req = flags & 0xffff & ~(MB1_HF_PAGE_ALIGN | MB1_HF_MEMINFO);
	if (req)
		return fmt_error(err, errlen, "kernel requires unknown Multiboot features 0x%x", req);

	if (flags & MB1_HF_AOUT_KLUDGE) {
		if ((uint64_t)hoff + 32 > len || hoff + 32 > MB1_SEARCH_LEN)
			return fmt_error(err, errlen, "Multiboot header truncated (address fields missing)");
		return mb1_load_aout(&c, (uint64_t)hoff);
	}
	return mb1_load_elf(&c);
}

/* ---- information structure ---- */

struct mb1_out {
	uint8_t *buf;
	size_t len, used;
	uint64_t gpa;
};

/* Reserve n bytes (8-byte aligned start) and return their guest address. */
static bool mb1_alloc(struct mb1_out *o, size_t n, uint8_t **ptr, uint32_t *gpa)
{
	size_t start = ALIGN_UP(o->used, (size_t)8);

	if (start > o->len || n > o->len - start)
		return false;
	o->used = start + n;
	*ptr = o->buf + start;
	*gpa = (uint32_t)(o->gpa + start);
	return true;
}

static bool mb1_string(struct mb1_out *o, const char *s, uint32_t *gpa)
{
	size_t n = strlen(s ? s : "") + 1;
	uint8_t *p;

	if (!mb1_alloc(o, n, &p, gpa))
		return false;
	memcpy(p, s ? s : "", n);
	return true;
}

static void mb1_mmap_entry(uint8_t *e, uint64_t base, uint64_t len, uint32_t type)
{
	put_le32(e, 20);            /* size excludes the size field itself */
	put_le64(e + 4, base);
	put_le64(e + 12, len);
	put_le32(e + 20, type);
}

/* Usable [0, 640K), reserved BIOS area, usable [1M, ram). */
static bool mb1_mmap(struct mb1_out *o, uint64_t ram, uint32_t *addr, uint32_t *len)
{
	uint8_t *e;
	unsigned n = ram > MB1_HIGH_RAM_START ? 3 : 2;

	if (!mb1_alloc(o, 24u * n, &e, addr))
		return false;
	mb1_mmap_entry(e, 0, MIN(ram, MB1_LOW_RAM_END), 1);
	mb1_mmap_entry(e + 24, MB1_BIOS_START, MB1_HIGH_RAM_START - MB1_BIOS_START, 2);
	if (n == 3)
		mb1_mmap_entry(e + 48, MB1_HIGH_RAM_START, ram - MB1_HIGH_RAM_START, 1);
	*len = 24u * n;
	return true;
}

static bool mb1_mods(struct mb1_out *o, const struct mb1_info_args *a, uint32_t *addr)
{
	uint8_t *m;

	if (!mb1_alloc(o, 16 * a->nmods, &m, addr))
		return false;
	for (size_t i = 0; i < a->nmods; i++) {
		uint32_t str;
		uint8_t *e = m + 16 * i;
		if (!mb1_string(o, a->mods[i].cmdline, &str))
			return false;
		put_le32(e, (uint32_t)a->mods[i].start);
		put_le32(e + 4, (uint32_t)a->mods[i].end);
		put_le32(e + 8, str);
		put_le32(e + 12, 0);
	}
	return true;
}

int mb1_build_info(void *buf, size_t buflen, uint64_t gpa,
		   const struct mb1_info_args *a, char *err, size_t errlen)
{
	struct mb1_out o = { buf, buflen, 0, gpa };
	uint8_t *mbi;
	uint32_t mbi_gpa, cmd, name, mmap_addr, mmap_len, mods_addr = 0;
	uint32_t flags = MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MMAP | MB1_INFO_LOADER;

	if (!IS_ALIGNED(gpa, 8))
		return fmt_error(err, errlen, "Multiboot info area 0x%llx not 8-byte aligned",
			    (unsigned long long)gpa);
	if (gpa >= (1ull << 32))
		return fmt_error(err, errlen, "Multiboot info area must lie below 4 GiB");
	for (size_t i = 0; i < a->nmods; i++)
		if (a->mods[i].end > (1ull << 32) || a->mods[i].start > a->mods[i].end)
			return fmt_error(err, errlen, "module %zu at 0x%llx-0x%llx not below 4 GiB", i,
				    (unsigned long long)a->mods[i].start,
				    (unsigned long long)a->mods[i].end);
	if (!mb1_alloc(&o, MB1_INFO_SIZE, &mbi, &mbi_gpa) ||
	    !mb1_mmap(&o, a->ram_size, &mmap_addr, &mmap_len) ||
	    (a->nmods && !mb1_mods(&o, a, &mods_addr)) ||
	    !mb1_string(&o, a->cmdline, &cmd) || !mb1_string(&o, "lhv", &name))
		return fmt_error(err, errlen, "Multiboot info area too small (%zu bytes)", buflen);

	if (gpa + o.used > (1ull << 32))
		return fmt_error(err, errlen, "Multiboot info area must lie below 4 GiB");
	memset(mbi, 0, MB1_INFO_SIZE);
	if (a->nmods)
		flags |= MB1_INFO_MODS;
	put_le32(mbi + 0, flags);
	put_le32(mbi + 4, (uint32_t)(MIN(a->ram_size, MB1_LOW_RAM_END) >> 10));    /* mem_lower, KiB */
	/* mem_upper, KiB: 32 bits hold up to 4 TiB; beyond that it saturates. */
	put_le32(mbi + 8, a->ram_size > MB1_HIGH_RAM_START ?
	     (uint32_t)MIN((a->ram_size - MB1_HIGH_RAM_START) >> 10, 0xffffffffull) : 0);
	put_le32(mbi + 16, cmd);
	put_le32(mbi + 20, (uint32_t)a->nmods);
	put_le32(mbi + 24, mods_addr);
	put_le32(mbi + 44, mmap_len);
	put_le32(mbi + 48, mmap_addr);
	put_le32(mbi + 64, name);
	return (int)o.used;
}
