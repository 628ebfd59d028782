/* Nested page tables (pure logic, host-tested): a VM's guest-physical to
 * host-physical map on AMD-V, in the long-mode page-table format the CPU
 * walks for nested paging (APM 15.25.5): four levels, 1 GiB and 2 MiB
 * pages wherever both addresses are aligned, every entry present,
 * writable, executable and user (nested walks are user accesses), memory
 * type from PAT entry 0 (write-back). Anything not mapped raises a nested
 * page fault. Table pages come from callbacks, so the same code runs in
 * the hypervisor and in host tests. lhv maps guest RAM once, at creation:
 * there is no unmap. */
#ifndef VMM_SVM_SVM_NPT_H
#define VMM_SVM_SVM_NPT_H
#include "core/lib.h"

struct npt_ops {
	uint64_t (*alloc_page)(void *ctx);      /* zeroed, 4 KiB aligned; 0 = none */
	void (*free_page)(void *ctx, uint64_t pa);
	void *(*to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

#define NPT_GPA_BITS    48
#define NPT_HPA_BITS    52

enum npt_err {
	NPT_OK = 0,
	NPT_ENOMEM = -1,        /* a table page could not be had (tables made so far stay) */
	NPT_EALIGN = -2,        /* gpa, hpa or len not 4 KiB aligned, or len 0 */
	NPT_ERANGE = -3,        /* beyond the address widths above, or wraps */
	NPT_EOVERLAP = -4,      /* part of the range is mapped already */
};

struct npt {
	struct npt_ops ops;
	uint64_t root;          /* PML4 physical address: the VMCB's N_CR3 */
	bool allow_1g;          /* 1 GiB pages (CPUID 0x80000001 EDX[26]) */
	size_t tables;          /* table pages held, the root included */
};

int npt_init(struct npt *n, const struct npt_ops *ops, bool allow_1g);
/* Map [gpa, gpa+len) to [hpa, hpa+len). On an error the range may be
 * partly mapped: the caller destroys the VM. */
int npt_map(struct npt *n, uint64_t gpa, uint64_t hpa, uint64_t len);
/* The host address of gpa and the size of the page holding it. */
bool npt_lookup(const struct npt *n, uint64_t gpa, uint64_t *hpa, uint64_t *page_size);
/* Give every table page back, the root included. */
void npt_destroy(struct npt *n);

#endif
