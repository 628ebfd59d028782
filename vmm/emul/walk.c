/* Reading guest memory by linear address: a walk of the guest's own page
 * tables (no paging, 32-bit, PAE, 4-level, 5-level), as the CPU would do it. */
#include "vmm/emul/walk.h"
#include "vmm/vm/gpa.h"

static bool read_pte(struct vm *vm, uint64_t gpa, unsigned size, uint64_t *pte)
{
	*pte = 0;
	return vm_read_gpa(vm, gpa, pte, size);
}

#define PTE_PRESENT 1ull
#define PTE_LARGE   0x80ull
#define ADDR_MASK   0x000ffffffffff000ull

bool gla_to_gpa(struct vm *vm, const struct guest_mode *m, uint64_t gla, uint64_t *gpa)
{
	if (!(m->cr0 & CR0_PG)) {
		*gpa = gla & 0xffffffffull;
		if (m->efer & EFER_LMA)
			*gpa = gla;
		return true;
	}
	uint64_t pte;
	if (!(m->cr4 & CR4_PAE)) {                /* 32-bit paging */
		uint64_t pde_a = (m->cr3 & 0xfffff000ull) + ((gla >> 22) & 0x3ff) * 4;
		if (!read_pte(vm, pde_a, 4, &pte) || !(pte & PTE_PRESENT))
			return false;
		if ((pte & PTE_LARGE) && (m->cr4 & CR4_PSE)) {
			*gpa = (pte & 0xffc00000ull) | ((pte & 0x1fe000ull) << 19) | (gla & 0x3fffff);
			return true;
		}
		uint64_t pte_a = (pte & 0xfffff000ull) + ((gla >> 12) & 0x3ff) * 4;
		if (!read_pte(vm, pte_a, 4, &pte) || !(pte & PTE_PRESENT))
			return false;
		*gpa = (pte & 0xfffff000ull) | (gla & 0xfff);
		return true;
	}
	int levels;
	uint64_t table;
	if (m->efer & EFER_LMA) {                 /* 4-level, or 5-level with CR4.LA57 */
		levels = (m->cr4 & CR4_LA57) ? 5 : 4;
		table = m->cr3 & ADDR_MASK;
	} else {                                  /* PAE: 4 PDPTEs at CR3[31:5] */
		uint64_t pdpte_a = (m->cr3 & 0xffffffe0ull) + ((gla >> 30) & 3) * 8;
		if (!read_pte(vm, pdpte_a, 8, &pte) || !(pte & PTE_PRESENT))
			return false;
		levels = 2;
		table = pte & ADDR_MASK;
	}
	for (int lvl = levels; lvl >= 1; lvl--) {
		unsigned shift = 12 + 9 * (lvl - 1);
		uint64_t idx = (gla >> shift) & 0x1ff;
		if (!read_pte(vm, table + idx * 8, 8, &pte) || !(pte & PTE_PRESENT))
			return false;
		if (lvl == 1 || ((pte & PTE_LARGE) && lvl <= 3)) {
			uint64_t page = (1ull << shift) - 1;
			*gpa = (pte & ADDR_MASK & ~page) | (gla & page);
			return true;
		}
		table = pte & ADDR_MASK;
	}
	return false;
}

bool guest_write_linear(struct vm *vm, const struct guest_mode *m, uint64_t gla,
			const void *src, size_t len)
{
	size_t done = 0;
	const uint8_t *s = src;
	while (done < len) {
		uint64_t gpa;
		size_t n = MIN(len - done, (size_t)(PAGE_SIZE - ((gla + done) & (PAGE_SIZE - 1))));
		if (!gla_to_gpa(vm, m, gla + done, &gpa) || !vm_write_gpa(vm, gpa, s + done, n))
			return false;
		done += n;
	}
	return true;
}

size_t guest_read_linear(struct vm *vm, const struct guest_mode *m, uint64_t gla,
			 void *dst, size_t len)
{
	size_t done = 0;
	uint8_t *d = dst;
	while (done < len) {
		uint64_t gpa;
		size_t n = MIN(len - done, (size_t)(PAGE_SIZE - ((gla + done) & (PAGE_SIZE - 1))));
		if (!gla_to_gpa(vm, m, gla + done, &gpa) || !vm_read_gpa(vm, gpa, d + done, n))
			break;
		done += n;
	}
	return done;
}
