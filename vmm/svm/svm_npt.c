/* Nested page tables; see svm_npt.h. Level 3 is the PML4, level 0 the page
 * table; an entry at level l maps 2^(12 + 9 l) bytes. */
#include "vmm/svm/svm_npt.h"

#define NPT_P           0x001ull
#define NPT_RW          0x002ull
#define NPT_US          0x004ull
#define NPT_PS          0x080ull
#define NPT_ADDR        0x000ffffffffff000ull
#define NPT_ATTRS       (NPT_P | NPT_RW | NPT_US)

static uint64_t span(int level)
{
	return 1ull << (12 + 9 * level);
}

static uint64_t *tab(const struct npt *n, uint64_t pa)
{
	return n->ops.to_virt(n->ops.ctx, pa);
}

int npt_init(struct npt *n, const struct npt_ops *ops, bool allow_1g)
{
	memset(n, 0, sizeof(*n));
	n->ops = *ops;
	n->allow_1g = allow_1g;
	n->root = ops->alloc_page(ops->ctx);
	if (!n->root)
		return NPT_ENOMEM;
	n->tables = 1;
	return NPT_OK;
}

/* The entry that maps gpa at `level`, creating the tables above it. NULL
 * with *rc set when a larger page already covers gpa or memory ran out. */
static uint64_t *leaf_slot(struct npt *n, uint64_t gpa, int level, int *rc)
{
	uint64_t *t = tab(n, n->root);
	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[(gpa >> (12 + 9 * l)) & 511];
		if (!*e) {
			uint64_t pa = n->ops.alloc_page(n->ops.ctx);
			if (!pa) {
				*rc = NPT_ENOMEM;
				return NULL;
			}
			n->tables++;
			/* Upper levels grant everything: the leaf decides. */
			*e = pa | NPT_ATTRS;
		} else if (*e & NPT_PS) {
			*rc = NPT_EOVERLAP;
			return NULL;
		}
		t = tab(n, *e & NPT_ADDR);
	}
	return &t[(gpa >> (12 + 9 * level)) & 511];
}

int npt_map(struct npt *n, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	if (!len || ((gpa | hpa | len) & 0xfff))
		return NPT_EALIGN;
	if (gpa + len < gpa || gpa + len > (1ull << NPT_GPA_BITS) ||
	    hpa + len < hpa || hpa + len > (1ull << NPT_HPA_BITS))
		return NPT_ERANGE;
	while (len) {
		/* The largest page both addresses allow and the range fills. */
		int level = 0;
		for (int l = n->allow_1g ? 2 : 1; l > 0 && !level; l--)
			if (!((gpa | hpa) & (span(l) - 1)) && len >= span(l))
				level = l;
		int rc = NPT_OK;
		uint64_t *e = leaf_slot(n, gpa, level, &rc);
		if (!e)
			return rc;
		if (*e)
			return NPT_EOVERLAP;      /* a page, or a table of smaller ones */
		*e = hpa | NPT_ATTRS | (level ? NPT_PS : 0);
		gpa += span(level);
		hpa += span(level);
		len -= span(level);
	}
	return NPT_OK;
}

bool npt_lookup(const struct npt *n, uint64_t gpa, uint64_t *hpa, uint64_t *page_size)
{
	if (!n->root || gpa >> NPT_GPA_BITS)
		return false;
	uint64_t pa = n->root;
	for (int l = 3; l >= 0; l--) {
		uint64_t e = tab(n, pa)[(gpa >> (12 + 9 * l)) & 511];
		if (!(e & NPT_P))
			return false;
		if (l == 0 || (e & NPT_PS)) {
			uint64_t size = span(l);
			*hpa = (e & NPT_ADDR & ~(size - 1)) | (gpa & (size - 1));
			*page_size = size;
			return true;
		}
		pa = e & NPT_ADDR;
	}
	return false;
}

static void free_below(struct npt *n, uint64_t pa, int level)
{
	const uint64_t *t = tab(n, pa);
	for (unsigned i = 0; level > 0 && i < 512; i++)
		if ((t[i] & NPT_P) && !(t[i] & NPT_PS))
			free_below(n, t[i] & NPT_ADDR, level - 1);
	n->ops.free_page(n->ops.ctx, pa);
	n->tables--;
}

void npt_destroy(struct npt *n)
{
	if (n->root)
		free_below(n, n->root, 3);
	n->root = 0;
}
