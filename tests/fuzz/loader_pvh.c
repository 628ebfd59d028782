/* Fuzz target: the PVH ELF loader (vmm/load/loader_pvh.c): ELF64 checks,
 * segments and the PVH entry note (pvh_elf_parse), placement and memory map
 * (pvh_elf_load), and the start info builder, read back with boot/pvh.c.
 * Input (little-endian): flags u8 (bits 0-1 reserved ranges, 2 no command
 * line), guest RAM in 4 KiB pages u32, the command line's length u16, the
 * initrd size u32, the RSDP address u64, three reserved ranges (start u32,
 * length u32, type u8); then the ELF file (an exact-size heap copy).
 * Checks: accepted segments lie in the file with file size <= memory size,
 * at or above 1 MiB, inside RAM, off the reserved ranges and each other;
 * the entry is inside an executable PT_LOAD's file bytes; load_start/
 * load_end bound every segment; the initrd is page aligned, above the
 * kernel, inside RAM and off the reserved ranges; the memory map is sorted,
 * non-overlapping, merged, at most PVH_MEMMAP_MAX entries. The start info
 * fits its area, and pvh_parse reads back the same command line, module and
 * memory map. */
#include "tests/fuzz/fuzz.h"
#include "vmm/load/loader_pvh.h"

static bool overlap(uint64_t a, uint64_t ae, uint64_t b, uint64_t be) { return a < be && b < ae; }

static void check_img(const struct pvh_image *img, const uint8_t *file, size_t len,
		      const struct pvh_load_args *a)
{
	bool entry_ok = false;
	uint16_t phnum = (uint16_t)(file[56] | file[57] << 8), phent = (uint16_t)(file[54] | file[55] << 8);
	uint64_t phoff;

	memcpy(&phoff, file + 32, 8);
	FUZZ_CHECK(img->nseg >= 1 && img->nseg <= PVH_MAX_SEGMENTS, "%u segments", img->nseg);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct pvh_segment *s = &img->seg[i];
		uint64_t e = s->gpa + s->memsz;
		FUZZ_CHECK(s->filesz <= s->memsz && s->offset <= len && s->filesz <= len - s->offset,
			   "segment %u file bytes", i);
		FUZZ_CHECK(s->gpa >= PVH_HIGH_RAM_START && e <= a->ram_size && e > s->gpa,
			   "segment %u at 0x%llx-0x%llx", i, (unsigned long long)s->gpa, (unsigned long long)e);
		FUZZ_CHECK(s->gpa >= img->load_start && e <= img->load_end, "segment %u outside load range", i);
		for (size_t k = 0; k < a->nreserved; k++)
			FUZZ_CHECK(!overlap(s->gpa, e, a->reserved[k].start, a->reserved[k].end),
				   "segment %u over reserved range %zu", i, k);
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(!overlap(s->gpa, e, img->seg[k].gpa, img->seg[k].gpa + img->seg[k].memsz),
				   "segments %u and %u overlap", k, i);
	}
	/* The entry, against the program headers themselves. */
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = file + phoff + (uint64_t)i * phent;
		uint32_t type, fl;
		uint64_t gpa, filesz;
		memcpy(&type, ph, 4);
		memcpy(&fl, ph + 4, 4);
		memcpy(&gpa, ph + 24, 8);
		memcpy(&filesz, ph + 32, 8);
		if (type == 1 && (fl & 1) && img->entry >= gpa && img->entry - gpa < filesz)
			entry_ok = true;
	}
	FUZZ_CHECK(entry_ok, "entry 0x%x not in an executable segment's file bytes", img->entry);
	FUZZ_CHECK(img->initrd_size == a->initrd_size, "initrd size");
	if (a->initrd_size) {
		uint64_t s = img->initrd_gpa, e = s + a->initrd_size;
		FUZZ_CHECK(s % PAGE_SIZE == 0 && s >= img->load_end && e <= a->ram_size && e > s,
			   "initrd 0x%llx-0x%llx", (unsigned long long)s, (unsigned long long)e);
		for (size_t k = 0; k < a->nreserved; k++)
			FUZZ_CHECK(!overlap(s, e, a->reserved[k].start, a->reserved[k].end),
				   "initrd over reserved range %zu", k);
	}
	FUZZ_CHECK(img->nmap >= 1 && img->nmap <= PVH_MEMMAP_MAX, "%u map entries", img->nmap);
	for (unsigned i = 0; i < img->nmap; i++) {
		const struct pvh_memmap_entry *e = &img->map[i];
		FUZZ_CHECK(e->size && e->addr + e->size > e->addr, "map entry %u", i);
		if (i) {
			const struct pvh_memmap_entry *p = &img->map[i - 1];
			FUZZ_CHECK(p->addr + p->size <= e->addr, "map entries %u and %u overlap or unsorted", i - 1, i);
			FUZZ_CHECK(p->addr + p->size != e->addr || p->type != e->type, "map entries %u and %u unmerged",
				   i - 1, i);
		}
	}
	FUZZ_CHECK(img->start_info_gpa == PVH_INFO_GPA, "start info at 0x%llx",
		   (unsigned long long)img->start_info_gpa);
}

static void check_start_info(const struct pvh_image *img, const struct pvh_load_args *a)
{
	size_t need = pvh_start_info_size(img, a);
	uint8_t *buf = malloc(need);
	char err[160];
	struct fz_phys m = { 0 };
	static struct boot_info bi;
	int n;

	FUZZ_CHECK(need <= PVH_INFO_END - PVH_INFO_GPA, "start info of %zu bytes", need);
	n = pvh_build_start_info(buf, need, img, a, err, sizeof(err));
	FUZZ_CHECK(n >= 0 && (size_t)n == need, "start info: %d (%s)", n, err);
	/* Read back over the whole area, as guest memory: pvh_parse probes
	 * strings up to the end of their page. */
	uint8_t *area = malloc(PVH_INFO_END - PVH_INFO_GPA);
	memset(area, 0xcc, PVH_INFO_END - PVH_INFO_GPA);
	memcpy(area, buf, need);
	m.mem = area;
	m.len = PVH_INFO_END - PVH_INFO_GPA;
	m.base = img->start_info_gpa;
	FUZZ_CHECK(pvh_parse(area, fz_phys_map, &m, img->start_info_gpa, &bi, err, sizeof(err)) == 0,
		   "start info does not parse back: %s", err);
	FUZZ_CHECK(!strcmp(bi.cmdline, a->cmdline ? a->cmdline : ""), "command line differs");
	FUZZ_CHECK(bi.nmods == (a->initrd_size ? 1u : 0u), "%u modules", bi.nmods);
	if (bi.nmods)
		FUZZ_CHECK(bi.mods[0].start == img->initrd_gpa && bi.mods[0].end == img->initrd_gpa + img->initrd_size,
			   "module range");
	FUZZ_CHECK(bi.nmmap == img->nmap, "%u map entries read back of %u", bi.nmmap, img->nmap);
	for (unsigned i = 0; i < bi.nmmap; i++)
		FUZZ_CHECK(bi.mmap[i].base == img->map[i].addr && bi.mmap[i].len == img->map[i].size &&
			   bi.mmap[i].type == img->map[i].type, "map entry %u read back", i);
	FUZZ_CHECK(bi.rsdp_phys == a->acpi_rsdp, "RSDP");
	FUZZ_CHECK(bi.info_start >= PVH_INFO_GPA && bi.info_end <= PVH_INFO_GPA + need, "info range");
	/* A buffer one byte short is refused, not overrun. */
	FUZZ_CHECK(pvh_build_start_info(buf, need - 1, img, a, err, sizeof(err)) == -1, "short buffer accepted");
	fz_arena_free(&m.arena);
	free(area);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t flags = fz_u8(&f);
	struct pvh_load_args a = { 0 };
	struct pvh_range res[3];
	static struct pvh_image img;
	char err[200];
	size_t cmdlen, len;

	a.ram_size = (uint64_t)fz_u32(&f) << 12;
	cmdlen = fz_u16(&f) % 4096;
	a.initrd_size = fz_u32(&f);
	a.acpi_rsdp = fz_u64(&f);
	for (unsigned i = 0; i < 3; i++) {
		res[i].start = fz_u32(&f);
		res[i].end = res[i].start + fz_u32(&f);
		res[i].type = fz_u8(&f) % 5;
	}
	a.reserved = res;
	a.nreserved = flags & 3;
	char *cmdline = malloc(cmdlen + 1);
	for (size_t i = 0; i < cmdlen; i++)
		cmdline[i] = (char)(' ' + i % 95);
	cmdline[cmdlen] = '\0';
	a.cmdline = (flags & 4) ? NULL : cmdline;
	const uint8_t *body = fz_rest(&f, &len);
	uint8_t *file = fz_dup(body, len);

	bool is64 = pvh_elf_is_elf64(file, len);
	int r = pvh_elf_parse(file, len, &img, err, sizeof(err));
	fz_check_err(err, sizeof(err), r != 0);
	FUZZ_CHECK(r != 0 || is64, "parsed a file that is not ELF64");
	int rl = pvh_elf_load(file, len, &a, &img, err, sizeof(err));
	FZ_DEBUG("pvh_elf_parse %d, pvh_elf_load %d '%s'\n", r, rl, rl ? err : "");
	if (rl == 0) {
		FUZZ_CHECK(r == 0, "loaded what does not parse");
		check_img(&img, file, len, &a);
		check_start_info(&img, &a);
	} else {
		fz_check_err(err, sizeof(err), true);
	}
	free(file);
	free(cmdline);
	return 0;
}
