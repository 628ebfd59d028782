/* Fuzz target: the Multiboot v1 loader (vmm/load/loader_mb1.c): the kernel
 * image check and segment list (mb1_load), the image-kind probe, and the
 * information structure builder (mb1_build_info).
 * Input (little-endian): flags u8 (bits 0-1 reserved ranges, 2-3 modules,
 * 4 NULL module strings), guest RAM in 4 KiB pages u32, two reserved
 * ranges (start u32, length u32), the info area's address u32 and size u16,
 * three modules (start u32, length u32), the command line's length u16;
 * then the kernel image (an exact-size heap copy).
 * Checks: an accepted image has 1-16 segments, each inside the file, with
 * file size <= memory size, inside guest RAM, outside the legacy hole, the
 * reserved ranges and each other; load_end is the highest end; the entry
 * lies in a segment. Built information reads back: flags, memory sizes
 * (mem_upper saturating at 4 TiB, its 32-bit KiB limit),
 * the memory map, the modules and every string inside the area and equal
 * to what was given, the area below 4 GiB. */
#include "tests/fuzz/fuzz.h"
#include "vmm/load/loader_mb1.h"

#define PARAMS 53

static bool overlap(uint64_t a, uint64_t ae, uint64_t b, uint64_t be) { return a < be && b < ae; }

static void check_image(const struct mb1_image *img, const uint8_t *file, size_t len, uint64_t ram,
			const struct mb1_range *res, unsigned nres)
{
	bool entry_ok = false;
	uint64_t end = 0;
	volatile uint8_t sink = 0;

	FUZZ_CHECK(img->nseg >= 1 && img->nseg <= MB1_MAX_SEGMENTS, "%u segments", img->nseg);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct mb1_segment *s = &img->seg[i];
		FUZZ_CHECK(s->filesz <= s->memsz && s->offset <= len && s->filesz <= len - s->offset,
			   "segment %u: file 0x%llx+0x%llx of 0x%zx", i, (unsigned long long)s->offset,
			   (unsigned long long)s->filesz, len);
		FUZZ_CHECK(s->memsz && s->gpa + s->memsz <= ram && s->gpa + s->memsz > s->gpa,
			   "segment %u at 0x%llx+0x%llx outside RAM 0x%llx", i, (unsigned long long)s->gpa,
			   (unsigned long long)s->memsz, (unsigned long long)ram);
		FUZZ_CHECK(!overlap(s->gpa, s->gpa + s->memsz, MB1_LOW_RAM_END, MB1_HIGH_RAM_START),
			   "segment %u in the legacy hole", i);
		for (unsigned k = 0; k < nres; k++)
			FUZZ_CHECK(!overlap(s->gpa, s->gpa + s->memsz, res[k].start, res[k].end),
				   "segment %u over reserved range %u", i, k);
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(!overlap(s->gpa, s->gpa + s->memsz, img->seg[k].gpa,
					    img->seg[k].gpa + img->seg[k].memsz), "segments %u and %u overlap", k, i);
		if (img->entry >= s->gpa && img->entry < s->gpa + s->memsz)
			entry_ok = true;
		end = s->gpa + s->memsz > end ? s->gpa + s->memsz : end;
		/* What vm_load copies. */
		for (uint64_t b = 0; b < s->filesz; b += 64)
			sink ^= file[s->offset + b];
		if (s->filesz)
			sink ^= file[s->offset + s->filesz - 1];
	}
	FUZZ_CHECK(entry_ok, "entry 0x%x outside every segment", img->entry);
	FUZZ_CHECK(img->load_end == end, "load_end 0x%llx, segments end at 0x%llx",
		   (unsigned long long)img->load_end, (unsigned long long)end);
	FUZZ_CHECK(img->header_offset + 12 <= MB1_SEARCH_LEN && img->header_offset + 12 <= len,
		   "header at %u", img->header_offset);
	(void)sink;
}

/* A string at guest address a inside the area [gpa, gpa + used): its bytes. */
static const char *area_str(const uint8_t *buf, uint64_t gpa, size_t used, uint32_t a)
{
	FUZZ_CHECK(a >= gpa && a - gpa < used, "string at 0x%x outside the area", a);
	const char *s = (const char *)buf + (a - gpa);
	FUZZ_CHECK(strnlen(s, used - (a - gpa)) < used - (a - gpa), "string at 0x%x unterminated", a);
	return s;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void check_info(const uint8_t *buf, size_t used, uint64_t gpa, const struct mb1_info_args *a)
{
	uint32_t flags = rd32(buf);
	uint32_t want = MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MMAP | MB1_INFO_LOADER |
			(a->nmods ? MB1_INFO_MODS : 0);

	FUZZ_CHECK(used >= MB1_INFO_SIZE && gpa + used <= (1ull << 32), "info of %zu bytes at 0x%llx",
		   used, (unsigned long long)gpa);
	FUZZ_CHECK(flags == want, "info flags 0x%x, expected 0x%x", flags, want);
	FUZZ_CHECK(!strcmp(area_str(buf, gpa, used, rd32(buf + 16)), a->cmdline ? a->cmdline : ""),
		   "command line differs");
	FUZZ_CHECK(!strcmp(area_str(buf, gpa, used, rd32(buf + 64)), "lhv"), "loader name");
	FUZZ_CHECK(rd32(buf + 4) == (a->ram_size < MB1_LOW_RAM_END ? a->ram_size : MB1_LOW_RAM_END) >> 10,
		   "mem_lower");
	uint64_t upper = a->ram_size > MB1_HIGH_RAM_START ? (a->ram_size - MB1_HIGH_RAM_START) >> 10 : 0;
	FUZZ_CHECK(rd32(buf + 8) == MIN(upper, 0xffffffffull), "mem_upper 0x%x for 0x%llx bytes of RAM",
		   rd32(buf + 8), (unsigned long long)a->ram_size);
	uint32_t ml = rd32(buf + 44), ma = rd32(buf + 48);
	FUZZ_CHECK(ml % 24 == 0 && ml && ma >= gpa && ma - gpa + ml <= used, "memory map 0x%x+%u", ma, ml);
	for (uint32_t o = 0; o < ml; o += 24) {
		const uint8_t *e = buf + (ma - gpa) + o;
		uint64_t b = rd64(e + 4), l = rd64(e + 12);
		/* Guests get at least VM_MEM_MIN (2 MiB); below that an
		 * entry may be empty. */
		FUZZ_CHECK(rd32(e) == 20 && (l || a->ram_size < MiB(2)) && b + l >= b,
			   "memory map entry at +%u", o);
		FUZZ_CHECK(rd32(e + 20) != 1 || b + l <= a->ram_size, "usable entry beyond RAM");
	}
	FUZZ_CHECK(rd32(buf + 20) == a->nmods, "mods_count %u", rd32(buf + 20));
	if (a->nmods) {
		uint32_t mods = rd32(buf + 24);
		FUZZ_CHECK(mods >= gpa && mods - gpa + 16ull * a->nmods <= used, "module list at 0x%x", mods);
		for (size_t i = 0; i < a->nmods; i++) {
			const uint8_t *e = buf + (mods - gpa) + 16 * i;
			FUZZ_CHECK(rd32(e) == (uint32_t)a->mods[i].start && rd32(e + 4) == (uint32_t)a->mods[i].end,
				   "module %zu range", i);
			FUZZ_CHECK(!strcmp(area_str(buf, gpa, used, rd32(e + 8)),
					   a->mods[i].cmdline ? a->mods[i].cmdline : ""), "module %zu string", i);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t flags = fz_u8(&f);
	uint64_t ram = (uint64_t)fz_u32(&f) << 12;
	struct mb1_range res[2];
	unsigned nres = (flags & 3) % 3;
	for (unsigned i = 0; i < 2; i++) {
		res[i].start = fz_u32(&f);
		res[i].end = res[i].start + fz_u32(&f);
	}
	uint64_t gpa = fz_u32(&f);
	size_t info_len = fz_u16(&f);
	struct mb1_module mods[3];
	static const char *const names[3] = { "initrd", "", "module two --opt=1" };
	size_t nmods = ((flags >> 2) & 3) % 4;
	for (unsigned i = 0; i < 3; i++) {
		mods[i].start = fz_u32(&f);
		mods[i].end = mods[i].start + fz_u32(&f);
		mods[i].cmdline = (flags & 16) && i == 1 ? NULL : names[i];
	}
	size_t cmdlen = fz_u16(&f) % 1024, len;
	char *cmdline = malloc(cmdlen + 1);
	for (size_t i = 0; i < cmdlen; i++)
		cmdline[i] = (char)('a' + i % 26);
	cmdline[cmdlen] = '\0';
	const uint8_t *body = fz_rest(&f, &len);
	uint8_t *file = fz_dup(body, len);
	static struct mb1_image img;
	char err[160];

	(void)guest_image_kind(file, len);
	int r = mb1_load(file, len, ram, res, nres, &img, err, sizeof(err));
	FZ_DEBUG("mb1_load %d '%s'\n", r, r ? err : "");
	if (r == 0) {
		FUZZ_CHECK(guest_image_kind(file, len) != GUEST_IMAGE_UNKNOWN, "loaded an unknown image");
		check_image(&img, file, len, ram, res, nres);
	} else {
		fz_check_err(err, sizeof(err), true);
	}

	uint8_t *buf = malloc(info_len ? info_len : 1);
	struct mb1_info_args a = { ram, (flags & 32) ? NULL : cmdline, nmods ? mods : NULL, nmods };
	int used = mb1_build_info(buf, info_len, gpa, &a, err, sizeof(err));
	FZ_DEBUG("mb1_build_info %d '%s'\n", used, used < 0 ? err : "");
	if (used >= 0) {
		FUZZ_CHECK((size_t)used <= info_len, "used %d of %zu bytes", used, info_len);
		check_info(buf, (size_t)used, gpa, &a);
	} else {
		fz_check_err(err, sizeof(err), true);
	}
	free(buf);
	free(file);
	free(cmdline);
	return 0;
}
