/* Fuzz target: the Linux bzImage loader (vmm/load/loader_linux.c): setup
 * header checks and placement (linux_load), the boot_params builder and the
 * identity page tables and GDT of the 64-bit entry.
 * Input (little-endian): flags u8 (bits 0-1 reserved ranges, 2 no command
 * line, 3 a 64-bit page-table address, 4-7 page-table buffer shortfall),
 * guest RAM in 4 KiB pages u32, the command line's length u16, the initrd
 * size u32, the ACPI RSDP address u64, three reserved ranges (start u32,
 * length u32, E820 type u8), the page tables' address u32 (or u64) and the
 * bytes they map in 2 MiB units u16; then the bzImage (an exact-size heap
 * copy).
 * Checks after linux_load: the kernel's file bytes lie in the file; its
 * load address is at or above 1 MiB, below 4 GiB with init_size, aligned
 * when relocated, inside one RAM entry and off every reserved range; the
 * initrd is page aligned, inside one RAM entry, above the kernel's
 * init_size area and below initrd_addr_max; the E820 map is sorted,
 * non-empty, non-overlapping, with neighbours of one type merged, and keeps
 * the reserved ranges' types. boot_params: sentinel 0, loader type, E820
 * table as decided. Page tables: inside their buffer and below 4 GiB, every
 * 2 MiB page mapped to itself, nothing else present. */
#include "tests/fuzz/fuzz.h"
#include "vmm/load/loader_linux.h"

static bool overlap(uint64_t a, uint64_t ae, uint64_t b, uint64_t be) { return a < be && b < ae; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static bool in_ram(const struct linux_image *img, uint64_t s, uint64_t e)
{
	for (unsigned i = 0; i < img->ne820; i++)
		if (img->e820[i].type == E820_RAM && s >= img->e820[i].addr &&
		    e <= img->e820[i].addr + img->e820[i].size)
			return true;
	return false;
}

static void check_load(const struct linux_image *img, size_t len, const struct linux_load_args *a)
{
	FUZZ_CHECK(img->kernel_offset <= len && img->kernel_len <= len - img->kernel_offset,
		   "kernel bytes 0x%llx+0x%llx of 0x%zx", (unsigned long long)img->kernel_offset,
		   (unsigned long long)img->kernel_len, len);
	FUZZ_CHECK(img->kernel_gpa >= LINUX_HIGH_RAM_START && img->kernel_end <= LINUX_KERNEL_MAX &&
		   img->kernel_end == img->kernel_gpa + img->init_size && img->kernel_end >= img->kernel_gpa,
		   "kernel 0x%llx-0x%llx", (unsigned long long)img->kernel_gpa,
		   (unsigned long long)img->kernel_end);
	FUZZ_CHECK(in_ram(img, img->kernel_gpa, img->kernel_end), "kernel 0x%llx-0x%llx not in RAM",
		   (unsigned long long)img->kernel_gpa, (unsigned long long)img->kernel_end);
	if (img->relocatable && img->kernel_gpa != img->pref_address)
		FUZZ_CHECK(img->kernel_gpa % img->kernel_alignment == 0, "kernel at 0x%llx not 0x%x-aligned",
			   (unsigned long long)img->kernel_gpa, img->kernel_alignment);
	FUZZ_CHECK(img->kernel_len <= img->init_size, "init_size below the kernel");
	for (size_t i = 0; i < a->nreserved; i++) {
		const struct linux_range *r = &a->reserved[i];
		FUZZ_CHECK(!overlap(img->kernel_gpa, img->kernel_end, r->start, r->end),
			   "kernel over reserved range %zu", i);
		if (img->initrd_size)
			FUZZ_CHECK(!overlap(img->initrd_gpa, img->initrd_gpa + img->initrd_size, r->start, r->end),
				   "initrd over reserved range %zu", i);
	}
	FUZZ_CHECK(img->initrd_size == a->initrd_size, "initrd size %llu",
		   (unsigned long long)img->initrd_size);
	if (a->initrd_size) {
		uint64_t s = img->initrd_gpa, e = s + img->initrd_size;
		FUZZ_CHECK(s % PAGE_SIZE == 0 && s >= img->kernel_end && e > s &&
			   e - 1 <= img->initrd_addr_max && in_ram(img, s, e),
			   "initrd 0x%llx-0x%llx (kernel ends 0x%llx, max 0x%x)", (unsigned long long)s,
			   (unsigned long long)e, (unsigned long long)img->kernel_end, img->initrd_addr_max);
	}
	FUZZ_CHECK(img->ne820 >= 1 && img->ne820 <= LINUX_E820_MAX, "%u E820 entries", img->ne820);
	for (unsigned i = 0; i < img->ne820; i++) {
		const struct linux_e820 *e = &img->e820[i];
		FUZZ_CHECK(e->size && e->addr + e->size > e->addr, "E820 entry %u empty or wrapping", i);
		if (i) {
			const struct linux_e820 *p = &img->e820[i - 1];
			FUZZ_CHECK(p->addr + p->size <= e->addr, "E820 entries %u and %u overlap or unsorted", i - 1, i);
			FUZZ_CHECK(p->addr + p->size != e->addr || p->type != e->type, "E820 entries %u and %u unmerged",
				   i - 1, i);
		}
	}
	for (size_t i = 0; i < a->nreserved; i++) {
		const struct linux_range *r = &a->reserved[i];
		/* Later ranges win where they overlap earlier ones. */
		bool later = false;
		for (size_t k = i + 1; k < a->nreserved; k++)
			later |= overlap(r->start, r->end, a->reserved[k].start, a->reserved[k].end);
		if (!later)
			for (unsigned k = 0; k < img->ne820; k++)
				if (overlap(r->start, r->end, img->e820[k].addr, img->e820[k].addr + img->e820[k].size))
					FUZZ_CHECK(img->e820[k].type == r->type, "reserved range %zu shown as type %u",
						   i, img->e820[k].type);
	}
	FUZZ_CHECK(img->cmdline_len == strlen(a->cmdline ? a->cmdline : "") + 1 &&
		   img->cmdline_len <= LINUX_CMDLINE_MAX, "cmdline_len %llu", (unsigned long long)img->cmdline_len);
}

static void check_boot_params(const uint8_t *bp, const struct linux_image *img)
{
	FUZZ_CHECK(bp[LINUX_BP_SENTINEL] == 0 && bp[LINUX_OFF_TYPE_OF_LOADER] == LINUX_LOADER_TYPE,
		   "sentinel %u, loader type %u", bp[LINUX_BP_SENTINEL], bp[LINUX_OFF_TYPE_OF_LOADER]);
	FUZZ_CHECK(bp[LINUX_BP_E820_ENTRIES] == img->ne820, "e820_entries %u", bp[LINUX_BP_E820_ENTRIES]);
	for (unsigned i = 0; i < img->ne820; i++) {
		const uint8_t *e = bp + LINUX_BP_E820_TABLE + i * LINUX_E820_ENTRY_SIZE;
		FUZZ_CHECK(rd64(e) == img->e820[i].addr && rd64(e + 8) == img->e820[i].size &&
			   rd32(e + 16) == img->e820[i].type, "E820 entry %u in boot_params", i);
	}
	FUZZ_CHECK(rd32(bp + LINUX_OFF_CODE32_START) == (uint32_t)img->kernel_gpa, "code32_start");
	FUZZ_CHECK(rd32(bp + LINUX_OFF_CMD_LINE_PTR) == (uint32_t)img->cmdline_gpa, "cmd_line_ptr");
}

static void check_pt(const uint8_t *b, size_t buflen, uint64_t gpa, uint64_t map, const struct linux_pt *pt)
{
	uint64_t npd = DIV_ROUND_UP(map, GiB(1));

	FUZZ_CHECK(pt->used <= buflen && pt->used == linux_identity_pt_size(map), "used %zu of %zu",
		   pt->used, buflen);
	FUZZ_CHECK(gpa + pt->used <= GiB(4) && gpa + pt->used > gpa, "tables at 0x%llx+%zu beyond 4 GiB",
		   (unsigned long long)gpa, pt->used);
	FUZZ_CHECK(pt->gdt_base == gpa && pt->cr3 == gpa + PAGE_SIZE && pt->gdt_limit == 31,
		   "cr3 0x%llx gdt 0x%llx/%u", (unsigned long long)pt->cr3,
		   (unsigned long long)pt->gdt_base, pt->gdt_limit);
	FUZZ_CHECK(rd64(b + LINUX_BOOT_CS) == 0x00af9b000000ffffull && rd64(b + LINUX_BOOT_DS) == 0x00cf93000000ffffull,
		   "GDT descriptors");
	const uint8_t *pml4 = b + PAGE_SIZE, *pdpt = b + 2 * PAGE_SIZE;
	FUZZ_CHECK((rd64(pml4) & ~0xfffull) == pt->cr3 + PAGE_SIZE && (rd64(pml4) & 1), "PML4[0]");
	for (unsigned i = 1; i < 512; i++)
		FUZZ_CHECK(!rd64(pml4 + 8 * i), "PML4[%u] present", i);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t e = rd64(pdpt + 8 * i);
		if (i < npd)
			FUZZ_CHECK((e & ~0xfffull) == gpa + (3 + i) * PAGE_SIZE && (e & 1) && !(e & 0x80),
				   "PDPT[%u] = 0x%llx", i, (unsigned long long)e);
		else
			FUZZ_CHECK(!e, "PDPT[%u] present", i);
	}
	for (uint64_t i = 0; i < npd * 512; i++) {
		uint64_t e = rd64(b + 3 * PAGE_SIZE + 8 * i), addr = i << 21;
		if (addr < map)
			FUZZ_CHECK((e & ~0xfffull) == addr && (e & 0x81) == 0x81, "PDE %llu = 0x%llx",
				   (unsigned long long)i, (unsigned long long)e);
		else
			FUZZ_CHECK(!e, "PDE %llu beyond the map present", (unsigned long long)i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t flags = fz_u8(&f);
	struct linux_load_args a = { 0 };
	struct linux_range res[3];
	static struct linux_image img;
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
	uint64_t pt_gpa = (flags & 8) ? fz_u64(&f) : fz_u32(&f);
	uint64_t map = (uint64_t)(fz_u16(&f) % 2049) << 21;
	char *cmdline = malloc(cmdlen + 1);
	for (size_t i = 0; i < cmdlen; i++)
		cmdline[i] = (char)('a' + i % 26);
	cmdline[cmdlen] = '\0';
	a.cmdline = (flags & 4) ? NULL : cmdline;
	const uint8_t *body = fz_rest(&f, &len);
	uint8_t *file = fz_dup(body, len);

	int r = linux_load(file, len, &a, &img, err, sizeof(err));
	FZ_DEBUG("linux_load %d '%s'\n", r, r ? err : "");
	if (r == 0) {
		check_load(&img, len, &a);
		uint8_t *zp = malloc(LINUX_BP_SIZE);
		FUZZ_CHECK(linux_build_boot_params(zp, LINUX_BP_SIZE, file, len, &img, &a, err, sizeof(err)) == 0,
			   "boot_params refused: %s", err);
		check_boot_params(zp, &img);
		free(zp);
	} else {
		fz_check_err(err, sizeof(err), true);
	}

	size_t need = linux_identity_pt_size(map), short_by = (flags >> 4) * 512;
	size_t buflen = need > short_by ? need - short_by : 0;
	uint8_t *pt = malloc(buflen ? buflen : 1);
	struct linux_pt out;
	r = linux_build_identity_pt(pt, buflen, pt_gpa, map, &out, err, sizeof(err));
	FZ_DEBUG("linux_build_identity_pt %d '%s'\n", r, r ? err : "");
	if (r == 0)
		check_pt(pt, buflen, pt_gpa, map, &out);
	else
		fz_check_err(err, sizeof(err), true);
	free(pt);
	free(file);
	free(cmdline);
	return 0;
}
