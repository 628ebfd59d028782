/* PVH guest loader, pure part; see loader_pvh.h. Facts from the ELF-64
 * format and Xen's public PVH interface only. Every number the file
 * supplies is checked in 64-bit arithmetic before it is used, so nothing
 * wraps and nothing is read outside the file. */
#include "vmm/load/loader_pvh.h"
#include "core/fmt.h"

#define ELF_MAGIC "\177ELF"

/* ELF-64 header fields */
#define EH_CLASS        4
#define EH_DATA         5
#define EH_IDVERSION    6
#define EH_TYPE         16
#define EH_MACHINE      18
#define EH_VERSION      20
#define EH_PHOFF        32
#define EH_EHSIZE       52
#define EH_PHENTSIZE    54
#define EH_PHNUM        56

/* ELF-64 program header fields */
#define PH_TYPE         0
#define PH_FLAGS        4
#define PH_OFFSET       8
#define PH_PADDR        24
#define PH_FILESZ       32
#define PH_MEMSZ        40
#define PH_ALIGN        48

/* Note header: namesz, descsz, type (u32 each), then name and desc. */
#define NOTE_HDR        12

struct ctx {
	const uint8_t *p;
	size_t len;
	struct pvh_image *img;
	char *err;
	size_t errlen;
};

#define fail(c, ...) fmt_error((c)->err, (c)->errlen, __VA_ARGS__)

static bool overlap(uint64_t a, uint64_t aend, uint64_t b, uint64_t bend)
{
	return a < bend && b < aend;
}

/* [off, off+n) inside the file, without wrapping. */
static bool in_file(const struct ctx *c, uint64_t off, uint64_t n)
{
	return off <= c->len && n <= c->len - off;
}

bool pvh_elf_is_elf64(const void *file, size_t len)
{
	const uint8_t *p = file;

	return p && len > EH_CLASS && memcmp(p, ELF_MAGIC, 4) == 0 &&
	       p[EH_CLASS] == PVH_ELF_CLASS64;
}

static int check_header(struct ctx *c)
{
	const uint8_t *p = c->p;

	if (!p || c->len < 4 || memcmp(p, ELF_MAGIC, 4) != 0)
		return fail(c, "not an ELF file");
	if (c->len < PVH_ELF_EHDR_SIZE)
		return fail(c, "truncated ELF header: %zu bytes, 64 needed", c->len);
	if (p[EH_CLASS] != PVH_ELF_CLASS64)
		return fail(c, "ELF class %u, expected 64-bit (2)", p[EH_CLASS]);
	if (p[EH_DATA] != PVH_ELF_DATA_LSB)
		return fail(c, "ELF data encoding %u, expected little-endian (1)", p[EH_DATA]);
	if (p[EH_IDVERSION] != 1 || get_le32(p + EH_VERSION) != 1)
		return fail(c, "unknown ELF version");
	if (get_le16(p + EH_TYPE) != PVH_ELF_ET_EXEC)
		return fail(c, "ELF type %u, expected an executable (2)", get_le16(p + EH_TYPE));
	if (get_le16(p + EH_MACHINE) != PVH_ELF_EM_X86_64)
		return fail(c, "ELF machine %u, expected x86-64 (62)", get_le16(p + EH_MACHINE));
	if (get_le16(p + EH_EHSIZE) < PVH_ELF_EHDR_SIZE)
		return fail(c, "ELF header size %u, expected at least 64", get_le16(p + EH_EHSIZE));
	return 0;
}

static int add_segment(struct ctx *c, unsigned i, const uint8_t *ph)
{
	struct pvh_image *img = c->img;
	uint64_t off = get_le64(ph + PH_OFFSET), gpa = get_le64(ph + PH_PADDR);
	uint64_t filesz = get_le64(ph + PH_FILESZ), memsz = get_le64(ph + PH_MEMSZ);

	if (memsz == 0)
		return 0;
	if (filesz > memsz)
		return fail(c, "segment %u: file size 0x%llx > memory size 0x%llx", i,
			    (unsigned long long)filesz, (unsigned long long)memsz);
	if (!in_file(c, off, filesz))
		return fail(c, "segment %u: bytes 0x%llx+0x%llx beyond the end of the file (0x%zx)", i,
			    (unsigned long long)off, (unsigned long long)filesz, c->len);
	if (memsz > UINT64_MAX - gpa)
		return fail(c, "segment %u: address 0x%llx + size 0x%llx wraps", i,
			    (unsigned long long)gpa, (unsigned long long)memsz);
	for (unsigned k = 0; k < img->nseg; k++)
		if (overlap(gpa, gpa + memsz, img->seg[k].gpa, img->seg[k].gpa + img->seg[k].memsz))
			return fail(c, "segments at 0x%llx and 0x%llx overlap",
				    (unsigned long long)img->seg[k].gpa, (unsigned long long)gpa);
	if (img->nseg == PVH_MAX_SEGMENTS)
		return fail(c, "more than %d loadable segments", PVH_MAX_SEGMENTS);
	img->seg[img->nseg++] = (struct pvh_segment){ off, gpa, filesz, memsz };
	if (img->nseg == 1 || gpa < img->load_start)
		img->load_start = gpa;
	if (gpa + memsz > img->load_end)
		img->load_end = gpa + memsz;
	return 0;
}

/* Walk the notes of one PT_NOTE segment; record the PVH entry. Notes are
 * padded to 4 bytes, or 8 in a segment aligned to 8 (gABI, "Note Section"). */
static int scan_notes(struct ctx *c, unsigned i, const uint8_t *ph, bool *found)
{
	uint64_t off = get_le64(ph + PH_OFFSET), size = get_le64(ph + PH_FILESZ);
	uint64_t pad = get_le64(ph + PH_ALIGN) == 8 ? 8 : 4, pos = 0;

	if (!in_file(c, off, size))
		return fail(c, "note segment %u: bytes 0x%llx+0x%llx beyond the end of the file (0x%zx)", i,
			    (unsigned long long)off, (unsigned long long)size, c->len);
	while (size - pos >= NOTE_HDR) {
		const uint8_t *n = c->p + off + pos;
		uint64_t namesz = get_le32(n), descsz = get_le32(n + 4), type = get_le32(n + 8);
		uint64_t name_len = ALIGN_UP(namesz, pad), desc_len = ALIGN_UP(descsz, pad);
		const uint8_t *name = n + NOTE_HDR, *desc = name + name_len;

		/* namesz, descsz < 2^32: these sums cannot wrap. The last
		 * note's desc padding may be missing; its bytes may not. */
		if (NOTE_HDR + name_len + descsz > size - pos)
			return fail(c, "note segment %u: note at +0x%llx (name %llu, desc %llu bytes) runs past the segment",
				    i, (unsigned long long)pos, (unsigned long long)namesz,
				    (unsigned long long)descsz);
		if (namesz == 4 && memcmp(name, "Xen", 4) == 0 && type == PVH_NOTE_PHYS32_ENTRY) {
			uint64_t entry;

			if (descsz != 4 && descsz != 8)
				return fail(c, "PVH entry note: %llu bytes of address, expected 4 or 8",
					    (unsigned long long)descsz);
			entry = descsz == 4 ? get_le32(desc) : get_le64(desc);
			if (entry >= GiB(4))
				return fail(c, "PVH entry 0x%llx above 4 GiB (it is entered in 32-bit mode)",
					    (unsigned long long)entry);
			if (*found && entry != c->img->entry)
				return fail(c, "two PVH entry notes disagree (0x%x, 0x%llx)",
					    c->img->entry, (unsigned long long)entry);
			c->img->entry = (uint32_t)entry;
			*found = true;
		}
		pos += MIN(NOTE_HDR + name_len + desc_len, size - pos);
	}
	return 0;
}

int pvh_elf_parse(const void *file, size_t len, struct pvh_image *img,
		  char *err, size_t errlen)
{
	struct ctx c = { file, len, img, err, errlen };
	uint64_t phoff;
	unsigned phentsize, phnum;
	bool found = false, entry_ok = false;
	int rc;

	memset(img, 0, sizeof(*img));
	if (errlen)
		err[0] = '\0';
	if ((rc = check_header(&c)))
		return rc;
	phoff = get_le64(c.p + EH_PHOFF);
	phentsize = get_le16(c.p + EH_PHENTSIZE);
	phnum = get_le16(c.p + EH_PHNUM);
	if (phnum == 0)
		return fail(&c, "ELF file has no program headers");
	if (phnum == PVH_ELF_PN_XNUM)
		return fail(&c, "ELF file has 65535 or more program headers (PN_XNUM): unsupported");
	if (phentsize < PVH_ELF_PHDR_SIZE)
		return fail(&c, "ELF program header size %u, expected at least %u", phentsize,
			    PVH_ELF_PHDR_SIZE);
	if (!in_file(&c, phoff, (uint64_t)phnum * phentsize))
		return fail(&c, "ELF program headers (%u at 0x%llx) beyond the end of the file",
			    phnum, (unsigned long long)phoff);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = c.p + phoff + (uint64_t)i * phentsize;
		uint32_t type = get_le32(ph + PH_TYPE);

		if (type == PVH_ELF_PT_LOAD)
			rc = add_segment(&c, i, ph);
		else if (type == PVH_ELF_PT_NOTE)
			rc = scan_notes(&c, i, ph, &found);
		if (rc)
			return rc;
	}
	if (img->nseg == 0)
		return fail(&c, "ELF file has no loadable segments");
	if (!found)
		return fail(&c, "no PVH entry note (Xen ELF note 18): a kernel built without CONFIG_PVH");

	/* The entry must be code the file provides. */
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = c.p + phoff + (uint64_t)i * phentsize;
		uint64_t gpa = get_le64(ph + PH_PADDR), filesz = get_le64(ph + PH_FILESZ);

		if (get_le32(ph + PH_TYPE) == PVH_ELF_PT_LOAD &&
		    (get_le32(ph + PH_FLAGS) & PVH_ELF_PF_X) &&
		    img->entry >= gpa && img->entry - gpa < filesz)
			entry_ok = true;
	}
	if (!entry_ok)
		return fail(&c, "PVH entry 0x%x is not in an executable segment's file bytes", img->entry);
	return 0;
}

/* ---- placement and memory map ---- */

static int map_add(struct pvh_image *img, uint64_t start, uint64_t end, uint32_t type,
		   char *err, size_t errlen)
{
	if (end <= start)
		return 0;
	if (img->nmap >= PVH_MEMMAP_MAX)
		return fmt_error(err, errlen, "more than %d memory-map entries", PVH_MEMMAP_MAX);
	img->map[img->nmap++] = (struct pvh_memmap_entry){ start, end - start, type };
	return 0;
}

/* Give [start, end) the type: cut it out of every entry, add it, sort,
 * and join touching entries of one type. */
static int map_set(struct pvh_image *img, uint64_t start, uint64_t end, uint32_t type,
		   char *err, size_t errlen)
{
	unsigned n = img->nmap, k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct pvh_memmap_entry *e = &img->map[i];
		uint64_t es = e->addr, ee = e->addr + e->size;

		if (!overlap(es, ee, start, end))
			continue;
		e->size = start > es ? start - es : 0;
		if (ee > end && map_add(img, end, ee, e->type, err, errlen))
			return -1;
	}
	if (map_add(img, start, end, type, err, errlen))
		return -1;
	/* Insertion sort by address, dropping emptied entries. */
	for (unsigned i = 0; i < img->nmap; i++) {
		struct pvh_memmap_entry e = img->map[i];
		unsigned j = k;

		if (e.size == 0)
			continue;
		while (j > 0 && img->map[j - 1].addr > e.addr) {
			img->map[j] = img->map[j - 1];
			j--;
		}
		img->map[j] = e;
		k++;
	}
	img->nmap = k;
	k = 0;
	for (unsigned i = 0; i < img->nmap; i++) {
		struct pvh_memmap_entry *prev = k ? &img->map[k - 1] : NULL;

		if (prev && prev->type == img->map[i].type &&
		    prev->addr + prev->size == img->map[i].addr)
			prev->size += img->map[i].size;
		else
			img->map[k++] = img->map[i];
	}
	img->nmap = k;
	return 0;
}

static int build_map(struct pvh_image *img, const struct pvh_load_args *a, char *err, size_t errlen)
{
	img->nmap = 0;
	if (map_add(img, 0, PVH_EBDA_START, PVH_MEM_RAM, err, errlen) ||
	    map_add(img, PVH_EBDA_START, PVH_LOW_RAM_END, PVH_MEM_RESERVED, err, errlen) ||
	    map_add(img, PVH_BIOS_START, PVH_HIGH_RAM_START, PVH_MEM_RESERVED, err, errlen) ||
	    map_add(img, PVH_HIGH_RAM_START, a->ram_size, PVH_MEM_RAM, err, errlen))
		return -1;
	for (size_t i = 0; i < a->nreserved; i++)
		if (map_set(img, a->reserved[i].start, a->reserved[i].end, a->reserved[i].type, err, errlen))
			return -1;
	return 0;
}

/* The first reserved range overlapping [start, end), or NULL. */
static const struct pvh_range *reserved_hit(const struct pvh_load_args *a, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < a->nreserved; i++)
		if (overlap(start, end, a->reserved[i].start, a->reserved[i].end))
			return &a->reserved[i];
	return NULL;
}

/* Highest page-aligned place for the initrd below RAM's end, above the
 * kernel, outside reserved ranges. */
static int place_initrd(struct pvh_image *img, const struct pvh_load_args *a, char *err, size_t errlen)
{
	uint64_t size = a->initrd_size, top = a->ram_size;
	const struct pvh_range *r;

	img->initrd_size = size;
	if (size == 0)
		return 0;
	for (;;) {
		uint64_t at;

		if (size > top || ALIGN_DOWN(top - size, PAGE_SIZE) < img->load_end)
			return fmt_error(err, errlen, "initrd of %llu bytes does not fit in guest RAM above the kernel "
				    "(kernel ends at 0x%llx, RAM at 0x%llx)", (unsigned long long)size,
				    (unsigned long long)img->load_end, (unsigned long long)a->ram_size);
		at = ALIGN_DOWN(top - size, PAGE_SIZE);
		r = reserved_hit(a, at, at + size);
		if (!r) {
			img->initrd_gpa = at;
			return 0;
		}
		top = r->start;         /* below that range, and try again */
	}
}

int pvh_elf_load(const void *file, size_t len, const struct pvh_load_args *a,
		 struct pvh_image *img, char *err, size_t errlen)
{
	size_t cmdlen = a->cmdline ? strlen(a->cmdline) : 0;

	if (pvh_elf_parse(file, len, img, err, errlen))
		return -1;
	if (a->ram_size <= PVH_HIGH_RAM_START || a->ram_size > PVH_RAM_MAX)
		return fmt_error(err, errlen, "guest RAM 0x%llx: must be above 1 MiB and at most 0x%llx",
			    (unsigned long long)a->ram_size, (unsigned long long)PVH_RAM_MAX);
	if (cmdlen + 1 > PVH_CMDLINE_MAX)
		return fmt_error(err, errlen, "command line of %zu bytes too long (Linux keeps %d)",
			    cmdlen, PVH_CMDLINE_MAX - 1);
	for (size_t i = 0; i < a->nreserved; i++) {
		const struct pvh_range *r = &a->reserved[i];

		if (r->type != PVH_MEM_RESERVED && r->type != PVH_MEM_ACPI && r->type != PVH_MEM_NVS)
			return fmt_error(err, errlen, "reserved range %zu: type %u (expected 2, 3 or 4)",
				    i, r->type);
		if (r->start >= r->end)
			return fmt_error(err, errlen, "reserved range %zu: 0x%llx-0x%llx is empty", i,
				    (unsigned long long)r->start, (unsigned long long)r->end);
		if (overlap(r->start, r->end, PVH_INFO_GPA, PVH_INFO_END))
			return fmt_error(err, errlen, "reserved range 0x%llx-0x%llx overlaps the start info area 0x%llx-0x%llx",
				    (unsigned long long)r->start, (unsigned long long)r->end,
				    (unsigned long long)PVH_INFO_GPA, (unsigned long long)PVH_INFO_END);
	}
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct pvh_segment *s = &img->seg[i];
		uint64_t end = s->gpa + s->memsz;
		const struct pvh_range *r;

		if (s->gpa < PVH_HIGH_RAM_START)
			return fmt_error(err, errlen, "segment 0x%llx-0x%llx below 1 MiB (lhv keeps low memory for boot data and the BIOS area)",
				    (unsigned long long)s->gpa, (unsigned long long)end);
		if (end > a->ram_size)
			return fmt_error(err, errlen, "segment 0x%llx-0x%llx outside guest RAM (0x%llx bytes)",
				    (unsigned long long)s->gpa, (unsigned long long)end,
				    (unsigned long long)a->ram_size);
		if ((r = reserved_hit(a, s->gpa, end)))
			return fmt_error(err, errlen, "segment 0x%llx-0x%llx overlaps reserved range 0x%llx-0x%llx",
				    (unsigned long long)s->gpa, (unsigned long long)end,
				    (unsigned long long)r->start, (unsigned long long)r->end);
	}
	img->start_info_gpa = PVH_INFO_GPA;
	if (place_initrd(img, a, err, errlen) || build_map(img, a, err, errlen))
		return -1;
	if (pvh_start_info_size(img, a) > PVH_INFO_END - PVH_INFO_GPA)
		return fmt_error(err, errlen, "start info of %zu bytes does not fit its area (%llu bytes)",
			    pvh_start_info_size(img, a),
			    (unsigned long long)(PVH_INFO_END - PVH_INFO_GPA));
	return 0;
}

/* ---- start info ---- */

/* Offsets inside the start info area: start info, module, map, string. */
static size_t off_mod(void) { return PVH_SI_SIZE; }
static size_t off_map(const struct pvh_image *img)
{
	return off_mod() + (img->initrd_size ? PVH_MOD_SIZE : 0);
}
static size_t off_cmd(const struct pvh_image *img)
{
	return off_map(img) + (size_t)img->nmap * PVH_MEMMAP_ENTRY_SIZE;
}

size_t pvh_start_info_size(const struct pvh_image *img, const struct pvh_load_args *a)
{
	return off_cmd(img) + (a->cmdline ? strlen(a->cmdline) : 0) + 1;
}

int pvh_build_start_info(void *buf, size_t buflen, const struct pvh_image *img,
			 const struct pvh_load_args *a, char *err, size_t errlen)
{
	uint8_t *p = buf;
	uint64_t gpa = img->start_info_gpa;
	size_t need = pvh_start_info_size(img, a), cmdlen = need - off_cmd(img);

	if (!IS_ALIGNED(gpa, 8) || gpa == 0 || gpa + need > GiB(4))
		return fmt_error(err, errlen, "start info at 0x%llx: must be 8-byte aligned, not 0, below 4 GiB",
			    (unsigned long long)gpa);
	if (buflen < need)
		return fmt_error(err, errlen, "start info area too small (%zu bytes, %zu needed)", buflen, need);
	if (img->nmap == 0)
		return fmt_error(err, errlen, "empty memory map (pvh_elf_load not called?)");
	memset(p, 0, need);
	put_le32(p + PVH_SI_MAGIC, PVH_START_MAGIC);
	put_le32(p + PVH_SI_VERSION, 1);
	put_le32(p + PVH_SI_FLAGS, 0);
	put_le64(p + PVH_SI_CMDLINE_PADDR, gpa + off_cmd(img));
	put_le64(p + PVH_SI_RSDP_PADDR, a->acpi_rsdp);
	put_le64(p + PVH_SI_MEMMAP_PADDR, gpa + off_map(img));
	put_le32(p + PVH_SI_MEMMAP_ENTRIES, img->nmap);
	if (img->initrd_size) {
		uint8_t *m = p + off_mod();

		put_le32(p + PVH_SI_NR_MODULES, 1);
		put_le64(p + PVH_SI_MODLIST_PADDR, gpa + off_mod());
		put_le64(m, img->initrd_gpa);
		put_le64(m + 8, img->initrd_size);
		/* cmdline_paddr and reserved stay 0 */
	}
	for (unsigned i = 0; i < img->nmap; i++) {
		uint8_t *e = p + off_map(img) + (size_t)i * PVH_MEMMAP_ENTRY_SIZE;

		put_le64(e, img->map[i].addr);
		put_le64(e + 8, img->map[i].size);
		put_le32(e + 16, img->map[i].type);
	}
	memcpy(p + off_cmd(img), a->cmdline ? a->cmdline : "", cmdlen);
	return (int)need;
}
