/* Physical memory for the hypervisor: the global page-frame allocator
 * (core/palloc.c under a lock), a small heap, and the identity map. All
 * memory is identity-mapped: a physical address is a usable pointer. */
#ifndef CORE_MM_H
#define CORE_MM_H
#include "core/lib.h"
#include "boot/bootinfo.h"

/* Set up the allocator from the memory map, keeping [0, 1 MiB), the image,
 * the modules and the boot data reserved. */
void mm_init(const struct boot_info *bi);

/* Zeroed, contiguous pages; 0 when none are free. */
uint64_t page_alloc_contig(uint64_t npages);
uint64_t page_alloc_aligned(uint64_t npages, uint64_t align_pages);
void page_free(uint64_t phys, uint64_t npages);
uint64_t mm_free_bytes(void);
uint64_t mm_total_bytes(void);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);

/* The empty asm hides the constant from GCC, which would otherwise treat a
 * fixed address like 0x40E as a zero-sized object (-Warray-bounds). */
static inline void *phys_to_virt(uint64_t pa)
{
	void *p;
	__asm__("" : "=r"(p) : "0"(pa));
	return p;
}
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)va; }

#endif
