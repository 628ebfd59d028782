/* PVH start info parser (see boot/pvh.h).
 *
 * struct hvm_start_info (Xen public interface, arch-x86/hvm/start_info.h):
 *   0 u32 magic, 4 u32 version, 8 u32 flags, 12 u32 nr_modules,
 *   16 u64 modlist_paddr, 24 u64 cmdline_paddr, 32 u64 rsdp_paddr,
 *   version >= 1: 40 u64 memmap_paddr, 48 u32 memmap_entries, 52 u32 reserved.
 * Module entries are 32 bytes { paddr, size, cmdline_paddr, reserved }, memory
 * map entries 24 bytes { addr, size, u32 type, u32 reserved }.
 * Everything beyond the start info itself is reached through map(), and
 * every address the loader gave is treated as untrusted. */
#include "boot/pvh.h"
#include "core/fmt.h"

#define START_V0_LEN   40u
#define START_V1_LEN   56u
#define MODENTRY_LEN   32u
#define MMAPENTRY_LEN  24u
#define PVH_STR_MAX    4096u    /* longest string we accept, NUL included */

struct pvh_ctx {
	pvh_map_fn map;
	void *mctx;
	struct boot_info *out;
	uint64_t lo, hi;        /* span of the loader's data seen so far */
	char *err;
	size_t errlen;
};

#define fail(c, ...) fmt_error((c)->err, (c)->errlen, __VA_ARGS__)

/* Grow the reserved span to cover [phys, phys+len). */
static void note_range(struct pvh_ctx *c, uint64_t phys, uint64_t len)
{
	c->lo = MIN(c->lo, phys);
	c->hi = MAX(c->hi, phys + len);
}

/* Map len bytes at phys, rejecting ranges that wrap around. */
static const uint8_t *map_range(struct pvh_ctx *c, uint64_t phys, uint64_t len)
{
	if (len == 0 || len > UINT64_MAX - phys || len > SIZE_MAX)
		return NULL;
	return c->map(c->mctx, phys, (size_t)len);
}

/* A NUL-terminated string at phys of at most PVH_STR_MAX bytes. It is
 * probed one page-bounded chunk at a time so a short string near the end of
 * what map() can reach still works, then mapped whole so the returned
 * pointer covers it contiguously. */
static int map_string(struct pvh_ctx *c, uint64_t phys, const char **dst, const char *what)
{
	uint64_t len = 0;

	if (phys == 0) {
		*dst = "";
		return 0;
	}
	while (len < PVH_STR_MAX) {
		uint64_t at = phys + len;
		uint64_t chunk = MIN(PAGE_SIZE - (at & (PAGE_SIZE - 1)), PVH_STR_MAX - len);
		const uint8_t *p = map_range(c, at, chunk);
		size_t n;

		if (!p)
			return fail(c, "PVH: %s at 0x%llx: cannot map byte 0x%llx",
				    what, (unsigned long long)phys, (unsigned long long)at);
		n = strnlen((const char *)p, (size_t)chunk);
		len += n;
		if (n < chunk) {
			const uint8_t *s = map_range(c, phys, len + 1);
			if (!s)
				return fail(c, "PVH: %s at 0x%llx: cannot map %llu bytes",
					    what, (unsigned long long)phys, (unsigned long long)len + 1);
			note_range(c, phys, len + 1);
			*dst = (const char *)s;
			return 0;
		}
	}
	return fail(c, "PVH: %s at 0x%llx: no NUL within %u bytes",
		    what, (unsigned long long)phys, PVH_STR_MAX);
}

static int parse_modules(struct pvh_ctx *c, uint32_t nr, uint64_t list)
{
	uint32_t take = MIN(nr, (uint32_t)BOOT_MAX_MODULES);
	const uint8_t *ents;

	if (nr == 0)
		return 0;
	if (list == 0)
		return fail(c, "PVH: %u modules but modlist_paddr is 0", nr);
	ents = map_range(c, list, (uint64_t)take * MODENTRY_LEN);
	if (!ents)
		return fail(c, "PVH: cannot map the module list at 0x%llx (%u entries)",
			    (unsigned long long)list, take);
	note_range(c, list, (uint64_t)take * MODENTRY_LEN);
	for (uint32_t i = 0; i < take; i++) {
		const uint8_t *e = ents + (size_t)i * MODENTRY_LEN;
		uint64_t start = get_le64(e), size = get_le64(e + 8);
		struct boot_module *m = &c->out->mods[c->out->nmods];

		if (size > UINT64_MAX - start)
			return fail(c, "PVH: module %u: paddr 0x%llx + size 0x%llx overflows", i,
				    (unsigned long long)start, (unsigned long long)size);
		if (map_string(c, get_le64(e + 16), &m->cmdline, "module command line"))
			return -1;
		m->start = start;
		m->end = start + size;
		c->out->nmods++;
	}
	c->out->dropped_mods = nr - take;
	return 0;
}

static int parse_memmap(struct pvh_ctx *c, uint64_t addr, uint32_t nr)
{
	uint32_t take = MIN(nr, (uint32_t)BOOT_MAX_MMAP);
	const uint8_t *ents;

	if (nr == 0)
		return fail(c, "PVH: the memory map is empty");
	if (addr == 0)
		return fail(c, "PVH: %u memory-map entries but memmap_paddr is 0", nr);
	ents = map_range(c, addr, (uint64_t)take * MMAPENTRY_LEN);
	if (!ents)
		return fail(c, "PVH: cannot map the memory map at 0x%llx (%u entries)",
			    (unsigned long long)addr, take);
	note_range(c, addr, (uint64_t)take * MMAPENTRY_LEN);
	for (uint32_t i = 0; i < take; i++) {
		const uint8_t *e = ents + (size_t)i * MMAPENTRY_LEN;
		uint64_t base = get_le64(e), len = get_le64(e + 8);

		if (len > UINT64_MAX - base)
			return fail(c, "PVH: memory-map entry %u: addr 0x%llx + size 0x%llx overflows",
				    i, (unsigned long long)base, (unsigned long long)len);
		if (len == 0)
			continue;
		c->out->mmap[c->out->nmmap++] = (struct boot_mmap_entry){ base, len, get_le32(e + 16) };
	}
	c->out->dropped_mmap = nr - take;
	return 0;
}

int pvh_parse(const void *start_info, pvh_map_fn map, void *ctx,
	      uint64_t phys, struct boot_info *out, char *err, size_t errlen)
{
	struct pvh_ctx c = { map, ctx, out, phys, phys, err, errlen };
	const uint8_t *si = start_info;
	uint32_t magic, version;

	memset(out, 0, sizeof(*out));
	out->loader = "PVH";
	out->cmdline = "";
	if (errlen)
		err[0] = '\0';
	if (!si)
		return fail(&c, "PVH: no start info");
	magic = get_le32(si);
	version = get_le32(si + 4);
	if (magic != PVH_START_MAGIC)
		return fail(&c, "PVH: bad start info magic 0x%x (expected 0x%x)",
			    magic, PVH_START_MAGIC);
	note_range(&c, phys, version >= 1 ? START_V1_LEN : START_V0_LEN);
	out->rsdp_phys = get_le64(si + 32);
	if (map_string(&c, get_le64(si + 24), &out->cmdline, "command line") ||
	    parse_modules(&c, get_le32(si + 12), get_le64(si + 16)))
		return -1;
	out->info_start = c.lo;
	out->info_end = c.hi;
	/* Everything else is filled in, so a caller may fall back to another
	 * memory-map source (e.g. E820 via fw_cfg) and keep the rest. */
	if (version == 0)
		return fail(&c, "PVH: start info version 0 has no memory map");
	if (parse_memmap(&c, get_le64(si + 40), get_le32(si + 48)))
		return -1;
	out->info_start = c.lo;
	out->info_end = c.hi;
	return 0;
}
