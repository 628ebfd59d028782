/* Multiboot v1 information (spec section 3.3), only the fields we use. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tk.h"

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
} __attribute__((packed));

/* A map entry; `size` does not count itself, entries may be longer. */
struct mb_mmap {
	uint32_t size;
	uint64_t base, len;
	uint32_t type;
} __attribute__((packed));

struct bootinfo bootinfo;

static void add_excl(uint32_t start, uint32_t len)
{
	if (bootinfo.nexcl < BI_MAX_EXCL && len)
		bootinfo.excl[bootinfo.nexcl++] = (struct phys_range){ start, start + len };
}

bool bootinfo_init(uint32_t magic, uint32_t mbi)
{
	if (magic != MB_LOADER_MAGIC)
		return false;
	const struct mb_info *mb = (const struct mb_info *)mbi;
	bootinfo.flags = mb->flags;
	add_excl(mbi, sizeof(*mb));
	if (mb->flags & MB_INFO_MEM) {
		bootinfo.mem_lower = mb->mem_lower;
		bootinfo.mem_upper = mb->mem_upper;
	}
	if (mb->flags & MB_INFO_CMDLINE) {
		const char *s = (const char *)mb->cmdline;
		unsigned n = 0;
		while (s[n] && n + 1 < sizeof(bootinfo.cmdline)) {
			bootinfo.cmdline[n] = s[n];
			n++;
		}
		bootinfo.cmdline[n] = '\0';
		add_excl(mb->cmdline, n + 1);
	}
	if (mb->flags & MB_INFO_MMAP) {
		uint32_t p = mb->mmap_addr, end = p + mb->mmap_length;
		while (p + sizeof(struct mb_mmap) <= end &&
		       bootinfo.nregions < BI_MAX_REGIONS) {
			const struct mb_mmap *e = (const struct mb_mmap *)p;
			bootinfo.regions[bootinfo.nregions++] =
				(struct mem_region){ e->base, e->len, e->type };
			p += e->size + 4;
		}
		add_excl(mb->mmap_addr, mb->mmap_length);
	}
	return true;
}

bool bootinfo_in_region(uint64_t addr, uint64_t len, uint32_t type)
{
	for (unsigned i = 0; i < bootinfo.nregions; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		if (r->type == type && addr >= r->base &&
		    addr + len <= r->base + r->len)
			return true;
	}
	return false;
}
