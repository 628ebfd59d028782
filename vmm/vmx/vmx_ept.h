/* EPT page-table builder (pure logic, host-tested): maps guest-physical
 * ranges to host-physical ones with 4-level EPT (SDM 29.3), using 1 GiB and
 * 2 MiB pages where alignment allows and the caller enabled them.
 *
 * Table pages come from callbacks so the same code runs in the hypervisor
 * (page allocator, identity phys_to_virt) and in host tests (aligned malloc).
 * The builder only edits tables: a caller changing a live EPT must INVEPT
 * afterwards (SDM 29.4.3.1). */
#ifndef VMM_VMX_VMX_EPT_H
#define VMM_VMX_VMX_EPT_H
#include "core/lib.h"

struct ept_ops {
	uint64_t (*alloc_page)(void *ctx);      /* 4 KiB aligned; 0 = no memory */
	void (*free_page)(void *ctx, uint64_t phys);
	void *(*phys_to_virt)(void *ctx, uint64_t phys);
	void *ctx;
};

/* ept_init flags: page sizes the CPU supports (IA32_VMX_EPT_VPID_CAP). */
#define EPT_ALLOW_2M    1u
#define EPT_ALLOW_1G    2u

/* Permissions (EPT entry bits 2:0) and memory types (bits 5:3). */
#define EPT_PERM_R      1u
#define EPT_PERM_W      2u
#define EPT_PERM_X      4u
#define EPT_PERM_RWX    7u

#define EPT_GPA_BITS    48      /* 4-level walk */
#define EPT_HPA_BITS    52      /* architectural MAXPHYADDR limit */

enum ept_err {
	EPT_OK = 0,
	EPT_ENOMEM = -1,    /* alloc_page failed; the map was rolled back */
	EPT_EALIGN = -2,    /* gpa, hpa or len not 4 KiB aligned */
	EPT_ERANGE = -3,    /* beyond the guest/host physical width, or wraps */
	EPT_EOVERLAP = -4,  /* part of the range is already mapped */
	EPT_EINVAL = -5,    /* empty range, bad permissions or memory type */
};

struct ept {
	struct ept_ops ops;
	uint64_t root;      /* physical address of the PML4 table */
	unsigned flags;
	size_t tables;      /* table pages held, root included */
};

/* What maps one guest-physical address. */
struct ept_leaf {
	uint64_t hpa;       /* host-physical address of gpa itself */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	unsigned perms, memtype;
};

int ept_init(struct ept *ept, const struct ept_ops *ops, unsigned flags);
/* Free every table, root included; the ept must be initialised again
 * before reuse. */
void ept_destroy(struct ept *ept);

/* Map [gpa, gpa+len) to [hpa, hpa+len). perms: EPT_PERM_* (not 0, no W
 * without R: SDM 29.3.3.1 calls that a misconfiguration); memtype: EPT_MT_UC,
 * WC, WT, WP or WB. All or nothing: on error nothing was changed. */
int ept_map(struct ept *ept, uint64_t gpa, uint64_t hpa, uint64_t len,
	    unsigned perms, unsigned memtype);
/* Unmap [gpa, gpa+len); holes in it are fine. Large pages partly inside the
 * range are split first (may fail with EPT_ENOMEM, leaving what was done).
 * Tables left empty are freed. */
int ept_unmap(struct ept *ept, uint64_t gpa, uint64_t len);

bool ept_walk(const struct ept *ept, uint64_t gpa, struct ept_leaf *leaf);
bool ept_lookup(const struct ept *ept, uint64_t gpa, uint64_t *hpa, unsigned *perms);

/* EPTP (SDM 25.6.11): WB paging-structure memory type, 4-level walk,
 * accessed/dirty flags when ad (needs EPT_CAP_AD). */
uint64_t ept_eptp(const struct ept *ept, bool ad);

const char *ept_strerror(int err);

#endif
