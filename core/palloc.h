/* Physical page-frame allocator (pure logic, host-tested).
 * A bitmap over [base, end) in 4 KiB frames, 1 = used. Everything starts
 * used; the boot code frees the usable memory-map ranges and then reserves the
 * image, the modules, the boot information and the bitmap itself. Address 0 is
 * never handed out, so 0 means failure. Not locked: core/mm.c wraps it. */
#ifndef CORE_PALLOC_H
#define CORE_PALLOC_H
#include "core/lib.h"

struct palloc {
	uint64_t base;        /* physical address of frame 0 (4 KiB aligned) */
	uint64_t nframes;
	uint64_t *bitmap;     /* nframes bits */
	uint64_t free_frames;
	uint64_t hint;        /* frame index where the next search starts */
};

/* Bytes of bitmap needed to cover [base, end). */
size_t palloc_bitmap_bytes(uint64_t base, uint64_t end);
/* Covers [base, end) (rounded outwards to frames); all frames start used. */
void palloc_init(struct palloc *pa, uint64_t base, uint64_t end, uint64_t *bitmap);
/* Mark the whole frames inside [addr, addr+len) free (rounded inwards). */
void palloc_release_range(struct palloc *pa, uint64_t addr, uint64_t len);
/* Mark every frame touching [addr, addr+len) used (rounded outwards). */
void palloc_reserve_range(struct palloc *pa, uint64_t addr, uint64_t len);
/* npages contiguous frames aligned to align_pages (a power of two, >= 1).
 * Returns the physical address, or 0 when no such run is free. */
uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align_pages);
/* Free frames from palloc_alloc; freeing a free frame returns false and
 * changes nothing (the caller panics: it is a hypervisor bug). */
bool palloc_free(struct palloc *pa, uint64_t addr, uint64_t npages);
bool palloc_is_free(const struct palloc *pa, uint64_t addr);

#endif
