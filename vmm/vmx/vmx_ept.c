/* EPT page-table builder; see vmx_ept.h. Levels are numbered 3 (PML4) down
 * to 0 (page table); an entry at level l covers 2^(12 + 9 l) bytes. */
#include "vmm/vmx/vmx_ept.h"
#include "vmm/vmx/vmcs.h"

#define EPT_ENTRIES     512
#define EPT_TOP_LEVEL   3
#define EPT_RWX         (EPT_R | EPT_W | EPT_X)

static inline uint64_t lvl_size(int level)
{
	return 1ull << (PAGE_SHIFT + 9 * level);
}

static inline unsigned lvl_index(uint64_t gpa, int level)
{
	return (unsigned)(gpa >> (PAGE_SHIFT + 9 * level)) & (EPT_ENTRIES - 1);
}

/* Bytes of [gpa, gpa+len) inside the level-`level` entry holding gpa. */
static inline uint64_t lvl_chunk(uint64_t gpa, uint64_t len, int level)
{
	uint64_t left = lvl_size(level) - (gpa & (lvl_size(level) - 1));
	return len < left ? len : left;
}

static inline bool ent_present(uint64_t e)
{
	return (e & EPT_RWX) != 0;
}

static inline bool ent_leaf(uint64_t e, int level)
{
	return level == 0 || (e & EPT_LARGE);
}

static inline uint64_t ent_addr(uint64_t e, int level)
{
	return e & EPT_ADDR_MASK & ~(lvl_size(level) - 1);
}

static uint64_t *ept_table(const struct ept *e, uint64_t phys)
{
	return e->ops.phys_to_virt(e->ops.ctx, phys);
}

/* A zeroed table page, or 0. */
static uint64_t ept_new_table(struct ept *e)
{
	uint64_t phys = e->ops.alloc_page(e->ops.ctx);

	if (!phys)
		return 0;
	memset(ept_table(e, phys), 0, PAGE_SIZE);
	e->tables++;
	return phys;
}

static void ept_free_table(struct ept *e, uint64_t phys)
{
	e->ops.free_page(e->ops.ctx, phys);
	e->tables--;
}

static bool ept_large_ok(const struct ept *e, int level)
{
	return (level == 1 && (e->flags & EPT_ALLOW_2M)) ||
	       (level == 2 && (e->flags & EPT_ALLOW_1G));
}

int ept_init(struct ept *e, const struct ept_ops *ops, unsigned flags)
{
	memset(e, 0, sizeof(*e));
	e->ops = *ops;
	e->flags = flags;
	e->root = ept_new_table(e);
	return e->root ? EPT_OK : EPT_ENOMEM;
}

static void ept_free_tree(struct ept *e, uint64_t phys, int level)
{
	uint64_t *t = ept_table(e, phys);

	for (int i = 0; level > 0 && i < EPT_ENTRIES; i++)
		if (ent_present(t[i]) && !ent_leaf(t[i], level))
			ept_free_tree(e, ent_addr(t[i], 0), level - 1);
	ept_free_table(e, phys);
}

void ept_destroy(struct ept *e)
{
	if (e->root)
		ept_free_tree(e, e->root, EPT_TOP_LEVEL);
	e->root = 0;
}

static int ept_check_range(uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return EPT_EINVAL;
	if (!IS_ALIGNED(gpa, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE))
		return EPT_EALIGN;
	if (gpa + len < gpa || gpa + len > (1ull << EPT_GPA_BITS))
		return EPT_ERANGE;
	return EPT_OK;
}

/* Is nothing in [gpa, gpa+len) mapped below this table? */
static bool ept_range_empty(const struct ept *e, uint64_t phys, int level,
			    uint64_t gpa, uint64_t len)
{
	const uint64_t *t = ept_table(e, phys);

	while (len) {
		uint64_t chunk = lvl_chunk(gpa, len, level);
		uint64_t ent = t[lvl_index(gpa, level)];

		if (ent_present(ent)) {
			if (ent_leaf(ent, level))
				return false;
			if (!ept_range_empty(e, ent_addr(ent, 0), level - 1, gpa, chunk))
				return false;
		}
		gpa += chunk;
		len -= chunk;
	}
	return true;
}

static int ept_map_level(struct ept *e, uint64_t phys, int level, uint64_t gpa,
			 uint64_t hpa, uint64_t len, uint64_t attrs)
{
	uint64_t *t = ept_table(e, phys);

	while (len) {
		uint64_t size = lvl_size(level);
		uint64_t chunk = lvl_chunk(gpa, len, level);
		uint64_t *ent = &t[lvl_index(gpa, level)];

		if (level == 0) {
			*ent = hpa | attrs;
		} else if (chunk == size && IS_ALIGNED(hpa, size) && ept_large_ok(e, level)) {
			*ent = hpa | attrs | EPT_LARGE;   /* chunk == size: gpa aligned */
		} else {
			if (!ent_present(*ent)) {
				uint64_t next = ept_new_table(e);
				if (!next)
					return EPT_ENOMEM;
				/* Non-leaf entries grant everything: the leaf
				 * alone decides (29.3.3). */
				*ent = next | EPT_RWX;
			}
			int rc = ept_map_level(e, ent_addr(*ent, 0), level - 1,
					       gpa, hpa, chunk, attrs);
			if (rc)
				return rc;
		}
		gpa += chunk;
		hpa += chunk;
		len -= chunk;
	}
	return EPT_OK;
}

static bool ept_memtype_ok(unsigned mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT ||
	       mt == EPT_MT_WP || mt == EPT_MT_WB;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
	    unsigned perms, unsigned memtype)
{
	int rc = ept_check_range(gpa, len);

	if (rc)
		return rc;
	if (!IS_ALIGNED(hpa, PAGE_SIZE))
		return EPT_EALIGN;
	if (hpa + len < hpa || hpa + len > (1ull << EPT_HPA_BITS))
		return EPT_ERANGE;
	if (!perms || (perms & ~EPT_PERM_RWX) ||
	    ((perms & EPT_PERM_W) && !(perms & EPT_PERM_R)) || !ept_memtype_ok(memtype))
		return EPT_EINVAL;
	if (!ept_range_empty(e, e->root, EPT_TOP_LEVEL, gpa, len))
		return EPT_EOVERLAP;

	rc = ept_map_level(e, e->root, EPT_TOP_LEVEL, gpa, hpa, len,
			   perms | ((uint64_t)memtype << EPT_MT_SHIFT));
	if (rc) {
		/* The range was empty: unmapping it removes exactly what was
		 * added, needs no split, and frees the new tables. */
		ept_unmap(e, gpa, len);
	}
	return rc;
}

/* Replace the leaf *ent at `level` by a table of 512 leaves one level down
 * with the same attributes. */
static int ept_split(struct ept *e, uint64_t *ent, int level)
{
	uint64_t next = ept_new_table(e);
	uint64_t base = ent_addr(*ent, level);
	uint64_t attrs = *ent & ~EPT_ADDR_MASK & ~EPT_LARGE;
	uint64_t large = level - 1 > 0 ? EPT_LARGE : 0;
	uint64_t *t;

	if (!next)
		return EPT_ENOMEM;
	t = ept_table(e, next);
	for (int i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + (uint64_t)i * lvl_size(level - 1)) | attrs | large;
	*ent = next | EPT_RWX;
	return EPT_OK;
}

static bool ept_table_empty(const struct ept *e, uint64_t phys)
{
	const uint64_t *t = ept_table(e, phys);

	for (int i = 0; i < EPT_ENTRIES; i++)
		if (t[i])
			return false;
	return true;
}

static int ept_unmap_level(struct ept *e, uint64_t phys, int level,
			   uint64_t gpa, uint64_t len)
{
	uint64_t *t = ept_table(e, phys);

	while (len) {
		uint64_t chunk = lvl_chunk(gpa, len, level);
		uint64_t *ent = &t[lvl_index(gpa, level)];

		if (ent_present(*ent) && ent_leaf(*ent, level) && chunk == lvl_size(level)) {
			*ent = 0;
		} else if (ent_present(*ent)) {
			if (ent_leaf(*ent, level)) {
				int rc = ept_split(e, ent, level);
				if (rc)
					return rc;
			}
			uint64_t next = ent_addr(*ent, 0);
			int rc = ept_unmap_level(e, next, level - 1, gpa, chunk);
			if (ept_table_empty(e, next)) {
				*ent = 0;
				ept_free_table(e, next);
			}
			if (rc)
				return rc;
		}
		gpa += chunk;
		len -= chunk;
	}
	return EPT_OK;
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
	int rc = ept_check_range(gpa, len);

	if (rc)
		return rc;
	return ept_unmap_level(e, e->root, EPT_TOP_LEVEL, gpa, len);
}

bool ept_walk(const struct ept *e, uint64_t gpa, struct ept_leaf *leaf)
{
	uint64_t phys = e->root;

	if (gpa >= (1ull << EPT_GPA_BITS) || !phys)
		return false;
	for (int level = EPT_TOP_LEVEL; level >= 0; level--) {
		uint64_t ent = ept_table(e, phys)[lvl_index(gpa, level)];

		if (!ent_present(ent))
			return false;
		if (ent_leaf(ent, level)) {
			uint64_t size = lvl_size(level);
			leaf->hpa = ent_addr(ent, level) | (gpa & (size - 1));
			leaf->page_size = size;
			leaf->perms = (unsigned)(ent & EPT_RWX);
			leaf->memtype = (unsigned)(ent >> EPT_MT_SHIFT) & 7;
			return true;
		}
		phys = ent_addr(ent, 0);
	}
	return false;   /* not reached: level 0 entries are leaves */
}

bool ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned *perms)
{
	struct ept_leaf leaf;

	if (!ept_walk(e, gpa, &leaf))
		return false;
	if (hpa)
		*hpa = leaf.hpa;
	if (perms)
		*perms = leaf.perms;
	return true;
}

uint64_t ept_eptp(const struct ept *e, bool ad)
{
	return e->root | EPT_MT_WB | EPTP_WALK_LEN(4) | (ad ? EPTP_AD_ENABLE : 0);
}

const char *ept_strerror(int err)
{
	switch (err) {
	case EPT_OK: return "ok";
	case EPT_ENOMEM: return "out of memory for EPT tables";
	case EPT_EALIGN: return "address or length not 4 KiB aligned";
	case EPT_ERANGE: return "range beyond the physical address width";
	case EPT_EOVERLAP: return "range overlaps an existing mapping";
	case EPT_EINVAL: return "empty range, bad permissions or memory type";
	default: return "unknown EPT error";
	}
}
