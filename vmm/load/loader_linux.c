/* Linux x86 boot protocol loader, pure part; see loader_linux.h. Facts from
 * the Linux boot protocol documentation (boot.rst, zero-page.rst) only.
 * Every number the file supplies is checked in 64-bit arithmetic before it
 * is used, so nothing wraps and nothing is read outside the file. */
#include "vmm/load/loader_linux.h"
#include "core/fmt.h"

/* Bytes a signed kernel may carry after syssize*16 (an Authenticode
 * signature appended to the PE/COFF image, as Debian's are); more than this
 * means syssize does not describe the file. */
#define LINUX_TRAILER_MAX   MiB(1)


static bool is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* ---- setup header ---- */

int linux_parse(const void *file, size_t len, struct linux_image *img,
		char *err, size_t errlen)
{
	const uint8_t *p = file;
	uint64_t setup_len, pm_len, sys_bytes;
	uint32_t hdr_end;

	memset(img, 0, sizeof(*img));
	if (!p || len < LINUX_OFF_HEADER + 4)
		return fmt_error(err, errlen, "not a bzImage: %zu bytes, too short for a setup header", len);
	if (get_le16(p + LINUX_OFF_BOOT_FLAG) != LINUX_BOOT_FLAG)
		return fmt_error(err, errlen, "not a bzImage: boot flag 0x%04x at 0x1fe (expected 0xaa55)",
			    get_le16(p + LINUX_OFF_BOOT_FLAG));
	if (get_le32(p + LINUX_OFF_HEADER) != LINUX_HDRS_MAGIC)
		return fmt_error(err, errlen, "not a bzImage: no \"HdrS\" at 0x202 (boot protocol < 2.00)");
	/* The jump at 0x200 skips the header: its end is 0x202 plus the
	 * jump's 8-bit displacement (boot.rst, "the end of the setup header"). */
	hdr_end = LINUX_OFF_HEADER + p[LINUX_OFF_JUMP + 1];
	if (len < LINUX_OFF_VERSION + 2)
		return fmt_error(err, errlen, "truncated setup header (%zu bytes)", len);
	img->version = get_le16(p + LINUX_OFF_VERSION);
	if (img->version < LINUX_MIN_VERSION)
		return fmt_error(err, errlen, "boot protocol %u.%02u too old (2.12 or later needed)",
			    img->version >> 8, img->version & 0xff);
	if (hdr_end < LINUX_HDR_MIN_END)
		return fmt_error(err, errlen, "setup header ends at 0x%x, before init_size (0x%x) "
			    "which protocol %u.%02u has", hdr_end, LINUX_HDR_MIN_END,
			    img->version >> 8, img->version & 0xff);
	if (len < hdr_end)
		return fmt_error(err, errlen, "truncated setup header: file has %zu bytes, header ends at 0x%x",
			    len, hdr_end);
	/* Later protocols may extend the header; boot_params has room up to
	 * 0x290, and we read nothing beyond init_size. */
	img->hdr_end = MIN(hdr_end, (uint32_t)LINUX_HDR_MAX_END);

	img->setup_sects = p[LINUX_OFF_SETUP_SECTS] ? p[LINUX_OFF_SETUP_SECTS] : 4;
	img->syssize = get_le32(p + LINUX_OFF_SYSSIZE);
	img->loadflags = p[LINUX_OFF_LOADFLAGS];
	img->xloadflags = get_le16(p + LINUX_OFF_XLOADFLAGS);
	img->relocatable = p[LINUX_OFF_RELOCATABLE] != 0;
	img->kernel_alignment = get_le32(p + LINUX_OFF_KERNEL_ALIGNMENT);
	img->init_size = get_le32(p + LINUX_OFF_INIT_SIZE);
	img->cmdline_size = get_le32(p + LINUX_OFF_CMDLINE_SIZE);
	img->initrd_addr_max = get_le32(p + LINUX_OFF_INITRD_ADDR_MAX);
	img->pref_address = get_le64(p + LINUX_OFF_PREF_ADDRESS);
	img->has_entry64 = img->xloadflags & LINUX_XLF_KERNEL_64;

	if (!(img->loadflags & LINUX_LF_LOADED_HIGH))
		return fmt_error(err, errlen, "zImage (loadflags LOADED_HIGH clear): only bzImages are supported");

	/* The real-mode code is the boot sector plus setup_sects sectors; the
	 * protected-mode kernel follows it (boot.rst, "Loading the rest of
	 * the kernel"). */
	setup_len = (uint64_t)(img->setup_sects + 1) * 512;
	if (setup_len < hdr_end)
		return fmt_error(err, errlen, "setup_sects %u: setup code (%llu bytes) ends inside the header",
			    img->setup_sects, (unsigned long long)setup_len);
	if (setup_len >= len)
		return fmt_error(err, errlen, "setup_sects %u: setup code (%llu bytes) runs past the file (%zu bytes)",
			    img->setup_sects, (unsigned long long)setup_len, len);
	pm_len = len - setup_len;
	/* syssize counts the protected-mode kernel in 16-byte paragraphs. A
	 * file shorter than that is truncated; one much longer is not the
	 * kernel the header describes (a signature may follow, no more). */
	sys_bytes = (uint64_t)img->syssize * 16;
	if (img->syssize == 0)
		return fmt_error(err, errlen, "syssize is 0");
	if (sys_bytes > ALIGN_UP(pm_len, 16))
		return fmt_error(err, errlen, "truncated kernel: syssize says %llu bytes, file has %llu after the setup code",
			    (unsigned long long)sys_bytes, (unsigned long long)pm_len);
	if (pm_len - MIN(pm_len, sys_bytes) > LINUX_TRAILER_MAX)
		return fmt_error(err, errlen, "syssize (%llu bytes) inconsistent with the file (%llu bytes after the setup code)",
			    (unsigned long long)sys_bytes, (unsigned long long)pm_len);
	img->kernel_offset = setup_len;
	img->kernel_len = MIN(sys_bytes, pm_len);

	if (img->init_size < img->kernel_len)
		return fmt_error(err, errlen, "init_size 0x%x smaller than the kernel (0x%llx bytes)",
			    img->init_size, (unsigned long long)img->kernel_len);
	if (img->relocatable && (!is_pow2(img->kernel_alignment) || img->kernel_alignment < PAGE_SIZE))
		return fmt_error(err, errlen, "kernel_alignment 0x%x is not a power of two >= 4 KiB",
			    img->kernel_alignment);
	return 0;
}

/* ---- E820 map ---- */

static void e820_sort(struct linux_image *img)
{
	for (unsigned i = 1; i < img->ne820; i++) {
		struct linux_e820 e = img->e820[i];
		unsigned j = i;

		while (j > 0 && img->e820[j - 1].addr > e.addr) {
			img->e820[j] = img->e820[j - 1];
			j--;
		}
		img->e820[j] = e;
	}
}

static int e820_add(struct linux_image *img, uint64_t start, uint64_t end, uint32_t type,
		    char *err, size_t errlen)
{
	if (end <= start)
		return 0;
	if (img->ne820 >= LINUX_E820_MAX)
		return fmt_error(err, errlen, "more than %u E820 entries", LINUX_E820_MAX);
	img->e820[img->ne820++] = (struct linux_e820){ start, end - start, type };
	return 0;
}

/* Take [start, end) out of every entry (splitting one that contains it),
 * then add it with the given type. */
static int e820_carve(struct linux_image *img, uint64_t start, uint64_t end, uint32_t type,
		      char *err, size_t errlen)
{
	unsigned n = img->ne820;

	for (unsigned i = 0; i < n; i++) {
		struct linux_e820 *e = &img->e820[i];
		uint64_t es = e->addr, ee = e->addr + e->size;

		if (ee <= start || es >= end)
			continue;
		if (es < start && ee > end) {
			/* Split: keep the low part here, add the high part. */
			e->size = start - es;
			if (e820_add(img, end, ee, e->type, err, errlen))
				return -1;
		} else if (es < start) {
			e->size = start - es;
		} else if (ee > end) {
			e->addr = end;
			e->size = ee - end;
		} else {
			e->size = 0;    /* swallowed; removed below */
		}
	}
	/* Drop emptied entries. */
	n = 0;
	for (unsigned i = 0; i < img->ne820; i++)
		if (img->e820[i].size)
			img->e820[n++] = img->e820[i];
	img->ne820 = n;
	if (e820_add(img, start, end, type, err, errlen))
		return -1;
	e820_sort(img);
	return 0;
}

/* Join neighbours of one type (reserved ranges the caller gave in pieces). */
static void e820_merge(struct linux_image *img)
{
	unsigned n = 0;

	for (unsigned i = 0; i < img->ne820; i++) {
		struct linux_e820 *prev = n ? &img->e820[n - 1] : NULL;

		if (prev && prev->type == img->e820[i].type &&
		    prev->addr + prev->size == img->e820[i].addr)
			prev->size += img->e820[i].size;
		else
			img->e820[n++] = img->e820[i];
	}
	img->ne820 = n;
}

static int build_e820(struct linux_image *img, const struct linux_load_args *a,
		      char *err, size_t errlen)
{
	img->ne820 = 0;
	if (e820_add(img, 0, LINUX_EBDA_START, E820_RAM, err, errlen) ||
	    e820_add(img, LINUX_EBDA_START, LINUX_LOW_RAM_END, E820_RESERVED, err, errlen) ||
	    e820_add(img, LINUX_BIOS_START, LINUX_HIGH_RAM_START, E820_RESERVED, err, errlen) ||
	    e820_add(img, LINUX_HIGH_RAM_START, a->ram_size, E820_RAM, err, errlen))
		return -1;
	for (size_t i = 0; i < a->nreserved; i++) {
		const struct linux_range *r = &a->reserved[i];

		if (r->type != E820_RESERVED && r->type != E820_ACPI && r->type != E820_NVS)
			return fmt_error(err, errlen, "reserved range %zu: E820 type %u (expected 2, 3 or 4)",
				    i, r->type);
		if (r->end <= r->start)
			return fmt_error(err, errlen, "reserved range %zu: [0x%llx, 0x%llx) is empty",
				    i, (unsigned long long)r->start, (unsigned long long)r->end);
		if (r->start < LINUX_BOOT_AREA_END && r->end > LINUX_BOOT_AREA_START)
			return fmt_error(err, errlen, "reserved range %zu: [0x%llx, 0x%llx) overlaps the boot "
				    "area [0x%llx, 0x%llx)", i, (unsigned long long)r->start,
				    (unsigned long long)r->end, LINUX_BOOT_AREA_START, LINUX_BOOT_AREA_END);
		if (e820_carve(img, r->start, r->end, r->type, err, errlen))
			return -1;
	}
	e820_merge(img);
	return 0;
}

/* Whether [start, end) lies in one RAM entry at or above 1 MiB. */
static bool in_high_ram(const struct linux_image *img, uint64_t start, uint64_t end)
{
	if (start < LINUX_HIGH_RAM_START || end < start)
		return false;
	for (unsigned i = 0; i < img->ne820; i++) {
		const struct linux_e820 *e = &img->e820[i];

		if (e->type == E820_RAM && start >= e->addr && end <= e->addr + e->size)
			return true;
	}
	return false;
}

/* ---- placement ---- */

static int place_kernel(struct linux_image *img, char *err, size_t errlen)
{
	uint64_t need = img->init_size, pref = img->pref_address;

	/* A non-relocatable kernel runs at pref_address (or, with none, at
	 * the traditional 1 MiB). */
	if (!img->relocatable) {
		if (!pref)
			pref = LINUX_HIGH_RAM_START;
		if (pref + need > LINUX_KERNEL_MAX || !in_high_ram(img, pref, pref + need))
			return fmt_error(err, errlen, "non-relocatable kernel does not fit: it needs RAM "
				    "[0x%llx, 0x%llx) (init_size 0x%llx)", (unsigned long long)pref,
				    (unsigned long long)(pref + need), (unsigned long long)need);
		img->kernel_gpa = pref;
		return 0;
	}
	if (pref && IS_ALIGNED(pref, PAGE_SIZE) && pref + need <= LINUX_KERNEL_MAX &&
	    in_high_ram(img, pref, pref + need)) {
		img->kernel_gpa = pref;
		return 0;
	}
	/* Lowest aligned address with init_size bytes of RAM. */
	for (unsigned i = 0; i < img->ne820; i++) {
		const struct linux_e820 *e = &img->e820[i];
		uint64_t a;

		if (e->type != E820_RAM)
			continue;
		a = ALIGN_UP(MAX(e->addr, LINUX_HIGH_RAM_START), (uint64_t)img->kernel_alignment);
		if (a + need <= e->addr + e->size && a + need <= LINUX_KERNEL_MAX) {
			img->kernel_gpa = a;
			return 0;
		}
	}
	return fmt_error(err, errlen, "not enough RAM for the kernel: init_size 0x%llx at a 0x%x-aligned "
		    "address above 1 MiB", (unsigned long long)need, img->kernel_alignment);
}

static int place_initrd(struct linux_image *img, uint64_t size, char *err, size_t errlen)
{
	/* initrd_addr_max is the highest address the initrd may occupy. */
	uint64_t limit = (uint64_t)img->initrd_addr_max + 1, best = 0;
	bool found = false;

	for (unsigned i = 0; i < img->ne820; i++) {
		const struct linux_e820 *e = &img->e820[i];
		uint64_t lo = MAX(e->addr, img->kernel_end), hi = MIN(e->addr + e->size, limit), a;

		if (e->type != E820_RAM || hi <= lo || hi - lo < size)
			continue;
		a = ALIGN_DOWN(hi - size, PAGE_SIZE);
		if (a >= lo && (!found || a > best)) {
			best = a;
			found = true;
		}
	}
	if (!found)
		return fmt_error(err, errlen, "initrd of %llu bytes does not fit in RAM between the kernel's end "
			    "(0x%llx) and initrd_addr_max (0x%x)", (unsigned long long)size,
			    (unsigned long long)img->kernel_end, img->initrd_addr_max);
	img->initrd_gpa = best;
	img->initrd_size = size;
	return 0;
}

int linux_load(const void *file, size_t len, const struct linux_load_args *a,
	       struct linux_image *img, char *err, size_t errlen)
{
	const char *cmdline = a->cmdline ? a->cmdline : "";
	size_t clen;

	if (linux_parse(file, len, img, err, errlen))
		return -1;
	if (a->ram_size > LINUX_RAM_MAX)
		return fmt_error(err, errlen, "guest RAM 0x%llx bytes: above 0x%llx (the APICs' addresses)",
			    (unsigned long long)a->ram_size, LINUX_RAM_MAX);
	if (a->ram_size <= LINUX_HIGH_RAM_START)
		return fmt_error(err, errlen, "guest RAM 0x%llx bytes: nothing above 1 MiB",
			    (unsigned long long)a->ram_size);
	/* cmdline_size is the longest command line without its NUL. */
	clen = strlen(cmdline);
	if (clen > img->cmdline_size)
		return fmt_error(err, errlen, "kernel command line too long for the protocol (%zu > %u)",
			    clen, img->cmdline_size);
	if (clen >= LINUX_CMDLINE_MAX)
		return fmt_error(err, errlen, "kernel command line too long (%zu >= %llu)",
			    clen, LINUX_CMDLINE_MAX);
	if (build_e820(img, a, err, errlen))
		return -1;
	if (place_kernel(img, err, errlen))
		return -1;
	img->kernel_end = img->kernel_gpa + img->init_size;
	img->entry32 = img->kernel_gpa;
	img->entry64 = img->has_entry64 ? img->kernel_gpa + LINUX_ENTRY64_OFFSET : 0;
	img->boot_params_gpa = LINUX_BOOT_PARAMS_GPA;
	img->cmdline_gpa = LINUX_CMDLINE_GPA;
	img->cmdline_len = clen + 1;
	if (a->initrd_size && place_initrd(img, a->initrd_size, err, errlen))
		return -1;
	return 0;
}

/* ---- boot_params ---- */

int linux_build_boot_params(void *zp, size_t zplen, const void *file, size_t len,
			    const struct linux_image *img,
			    const struct linux_load_args *a, char *err, size_t errlen)
{
	uint8_t *bp = zp;
	uint64_t ext_k;

	if (zplen < LINUX_BP_SIZE)
		return fmt_error(err, errlen, "boot_params buffer of %zu bytes (need %u)", zplen, LINUX_BP_SIZE);
	if (!file || len < img->hdr_end || img->hdr_end > LINUX_HDR_MAX_END ||
	    img->hdr_end < LINUX_HDR_MIN_END)
		return fmt_error(err, errlen, "file does not match the parsed image");
	/* Zero everything (the sentinel at 0x1ef included: a non-zero one
	 * tells the kernel the loader did not clear boot_params), then copy
	 * the setup header from the file (boot.rst, 64-bit protocol). */
	memset(bp, 0, LINUX_BP_SIZE);
	memcpy(bp + LINUX_HDR_START, (const uint8_t *)file + LINUX_HDR_START,
	       img->hdr_end - LINUX_HDR_START);

	bp[LINUX_OFF_TYPE_OF_LOADER] = LINUX_LOADER_TYPE;
	bp[LINUX_OFF_LOADFLAGS] = (uint8_t)((img->loadflags & LINUX_LF_LOADED_HIGH) | LINUX_LF_CAN_USE_HEAP);
	put_le16(bp + LINUX_OFF_HEAP_END_PTR, LINUX_HEAP_END);
	/* A loader placing a relocatable kernel elsewhere sets code32_start
	 * to the load address (boot.rst, field code32_start). */
	put_le32(bp + LINUX_OFF_CODE32_START, (uint32_t)img->kernel_gpa);
	put_le64(bp + LINUX_OFF_SETUP_DATA, 0);
	put_le32(bp + LINUX_OFF_HW_SUBARCH, 0);     /* default x86 PC */

	put_le32(bp + LINUX_OFF_CMD_LINE_PTR, (uint32_t)img->cmdline_gpa);
	put_le32(bp + LINUX_BP_EXT_CMD_LINE_PTR, (uint32_t)(img->cmdline_gpa >> 32));
	put_le32(bp + LINUX_OFF_RAMDISK_IMAGE, (uint32_t)img->initrd_gpa);
	put_le32(bp + LINUX_OFF_RAMDISK_SIZE, (uint32_t)img->initrd_size);
	put_le32(bp + LINUX_BP_EXT_RAMDISK_IMAGE, (uint32_t)(img->initrd_gpa >> 32));
	put_le32(bp + LINUX_BP_EXT_RAMDISK_SIZE, (uint32_t)(img->initrd_size >> 32));

	/* acpi_rsdp_addr exists from protocol 2.14; older kernels find the
	 * RSDP by scanning the BIOS area, where it is anyway. */
	if (a->acpi_rsdp && img->version >= LINUX_VERSION_RSDP)
		put_le64(bp + LINUX_BP_ACPI_RSDP_ADDR, a->acpi_rsdp);

	/* Extended memory above 1 MiB in KiB: a fallback for kernels that
	 * ignore the E820 map; the map is what Linux uses. */
	ext_k = (a->ram_size - LINUX_HIGH_RAM_START) >> 10;
	put_le32(bp + LINUX_BP_ALT_MEM_K, (uint32_t)MIN(ext_k, 0xffffffffull));

	if (img->ne820 > LINUX_E820_MAX)
		return fmt_error(err, errlen, "%u E820 entries (at most %u)", img->ne820, LINUX_E820_MAX);
	*(bp + LINUX_BP_E820_ENTRIES) = (uint8_t)((uint8_t)img->ne820);
	for (unsigned i = 0; i < img->ne820; i++) {
		uint8_t *e = bp + LINUX_BP_E820_TABLE + i * LINUX_E820_ENTRY_SIZE;

		put_le64(e, img->e820[i].addr);
		put_le64(e + 8, img->e820[i].size);
		put_le32(e + 16, img->e820[i].type);
	}
	return 0;
}

/* ---- page tables and GDT for the 64-bit entry ---- */

#define PTE_P       (1ull << 0)
#define PTE_RW      (1ull << 1)
#define PTE_A       (1ull << 5)
#define PTE_D       (1ull << 6)
#define PTE_PS      (1ull << 7)     /* in a PDE: 2 MiB page */

size_t linux_identity_pt_size(uint64_t map_bytes)
{
	/* GDT page, PML4, PDPT, then one page directory per GiB. */
	return (size_t)((3 + DIV_ROUND_UP(map_bytes, GiB(1))) * PAGE_SIZE);
}

int linux_build_identity_pt(void *buf, size_t buflen, uint64_t gpa, uint64_t map_bytes,
			    struct linux_pt *out, char *err, size_t errlen)
{
	uint8_t *b = buf;
	uint64_t npd, need, pml4, pdpt, pd0;

	if (!IS_ALIGNED(gpa, PAGE_SIZE))
		return fmt_error(err, errlen, "page tables at 0x%llx: not 4 KiB aligned", (unsigned long long)gpa);
	if (map_bytes == 0 || !IS_ALIGNED(map_bytes, MiB(2)) || map_bytes > GiB(512))
		return fmt_error(err, errlen, "identity map of 0x%llx bytes: not a multiple of 2 MiB in (0, 512 GiB]",
			    (unsigned long long)map_bytes);
	npd = DIV_ROUND_UP(map_bytes, GiB(1));
	need = linux_identity_pt_size(map_bytes);
	if (buflen < need)
		return fmt_error(err, errlen, "page table buffer of %zu bytes (need %llu)", buflen,
			    (unsigned long long)need);
	if (gpa > GiB(4) || need > GiB(4) - gpa)        /* gpa + need could wrap */
		return fmt_error(err, errlen, "page tables at 0x%llx: CR3 must point below 4 GiB here",
			    (unsigned long long)gpa);
	memset(b, 0, need);

	/* GDT (boot.rst, 64-bit protocol): __BOOT_CS at 0x10 and __BOOT_DS at
	 * 0x18, flat. Descriptor layout: Intel SDM 3.4.5. Accessed bits are
	 * set so the CPU need not write the descriptors. */
	put_le64(b + LINUX_BOOT_CS, 0x00af9b000000ffffull);  /* G, L, P, S, code exec/read */
	put_le64(b + LINUX_BOOT_DS, 0x00cf93000000ffffull);  /* G, D/B, P, S, data read/write */

	pml4 = gpa + PAGE_SIZE;
	pdpt = pml4 + PAGE_SIZE;
	pd0 = pdpt + PAGE_SIZE;
	/* 4-level paging (Intel SDM 4.5): one PML4 entry covers 512 GiB. */
	put_le64(b + (pml4 - gpa), pdpt | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < npd; i++)
		put_le64(b + (pdpt - gpa) + i * 8, (pd0 + i * PAGE_SIZE) | PTE_P | PTE_RW);
	for (uint64_t addr = 0; addr < map_bytes; addr += MiB(2))
		put_le64(b + (pd0 - gpa) + (addr >> 21) * 8, addr | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS);

	out->cr3 = pml4;
	out->gdt_base = gpa;
	out->gdt_limit = LINUX_GDT_ENTRIES * 8 - 1;
	out->used = (size_t)need;
	return 0;
}
