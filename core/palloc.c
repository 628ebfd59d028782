/* Physical page-frame allocator (see core/palloc.h).
 *
 * One bit per 4 KiB frame, 1 = used. Searches work a 64-bit word at a time:
 * full words are skipped when looking for a free frame, empty words when
 * checking that a run is free, so a search costs O(frames/64) plus one step
 * per used/free boundary it crosses, never O(frames * run length). */
#include "core/palloc.h"

#define WORD_BITS 64u

static uint64_t word_of(uint64_t i) { return i / WORD_BITS; }
static uint64_t bit_of(uint64_t i) { return 1ull << (i % WORD_BITS); }

static bool test_bit(const struct palloc *pa, uint64_t i)
{
	return pa->bitmap[word_of(i)] & bit_of(i);
}

/* Software popcount: __builtin_popcountll may become a libgcc call in the
 * freestanding image. */
static unsigned popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Mask of bits [lo, hi) inside one word, 0 <= lo < hi <= 64. */
static uint64_t span_mask(unsigned lo, unsigned hi)
{
	uint64_t m = hi == WORD_BITS ? ~0ull : (1ull << hi) - 1;
	return m & ~((1ull << lo) - 1);
}

/* Set (used = true) or clear frames [first, last); returns how many bits
 * actually changed, so free_frames stays exact under overlapping calls. */
static uint64_t mark(struct palloc *pa, uint64_t first, uint64_t last, bool used)
{
	uint64_t changed = 0;

	while (first < last) {
		uint64_t w = word_of(first);
		unsigned lo = first % WORD_BITS;
		unsigned hi = (unsigned)MIN((uint64_t)WORD_BITS, lo + (last - first));
		uint64_t m = span_mask(lo, hi);
		uint64_t old = pa->bitmap[w];

		if (used) {
			changed += popcount64(~old & m);
			pa->bitmap[w] = old | m;
		} else {
			changed += popcount64(old & m);
			pa->bitmap[w] = old & ~m;
		}
		first += hi - lo;
	}
	return changed;
}

/* First frame in [i, limit) whose bit equals want_used, or limit. */
static uint64_t find_bit(const struct palloc *pa, uint64_t i, uint64_t limit, bool want_used)
{
	while (i < limit) {
		uint64_t w = pa->bitmap[word_of(i)];
		uint64_t bits = want_used ? w : ~w;

		bits &= ~0ull << (i % WORD_BITS);   /* ignore frames before i */
		if (bits) {
			uint64_t f = word_of(i) * WORD_BITS + (uint64_t)__builtin_ctzll(bits);
			return f < limit ? f : limit;
		}
		i = (word_of(i) + 1) * WORD_BITS;
	}
	return limit;
}

/* Frames covering [base, end) rounded outwards; the top is clamped so that
 * rounding up cannot wrap. */
static uint64_t frames_covering(uint64_t base, uint64_t end)
{
	uint64_t lo = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t hi = ALIGN_DOWN(end, PAGE_SIZE);

	if (hi != end && hi <= UINT64_MAX - PAGE_SIZE)
		hi += PAGE_SIZE;
	return hi > lo ? (hi - lo) / PAGE_SIZE : 0;
}

size_t palloc_bitmap_bytes(uint64_t base, uint64_t end)
{
	return (size_t)((frames_covering(base, end) + WORD_BITS - 1) / WORD_BITS * 8);
}

void palloc_init(struct palloc *pa, uint64_t base, uint64_t end, uint64_t *bitmap)
{
	size_t words = palloc_bitmap_bytes(base, end) / 8;

	pa->base = ALIGN_DOWN(base, PAGE_SIZE);
	pa->nframes = frames_covering(base, end);
	pa->bitmap = bitmap;
	pa->free_frames = 0;
	pa->hint = 0;
	/* Everything starts used, including the tail bits of the last word past
	 * nframes, which are never cleared: searches cannot run off the end. */
	for (size_t i = 0; i < words; i++)
		bitmap[i] = ~0ull;
}

/* Clip the physical range [lo, hi) to frame indices inside the allocator. */
static bool clip(const struct palloc *pa, uint64_t lo, uint64_t hi,
		 uint64_t *first, uint64_t *last)
{
	uint64_t top = pa->base + pa->nframes * PAGE_SIZE;

	lo = MAX(lo, pa->base);
	hi = MIN(hi, top);
	if (lo >= hi)
		return false;
	*first = (lo - pa->base) / PAGE_SIZE;
	*last = (hi - pa->base) / PAGE_SIZE;
	return *first < *last;
}

static uint64_t range_end(uint64_t addr, uint64_t len)
{
	return len > UINT64_MAX - addr ? UINT64_MAX : addr + len;
}

void palloc_release_range(struct palloc *pa, uint64_t addr, uint64_t len)
{
	uint64_t end = range_end(addr, len), first, last;
	uint64_t lo, hi = ALIGN_DOWN(end, PAGE_SIZE);

	if (addr > UINT64_MAX - (PAGE_SIZE - 1))
		return;
	lo = ALIGN_UP(addr, PAGE_SIZE);
	/* Physical page 0 is never handed out: 0 is the failure value. */
	if (lo == 0)
		lo = PAGE_SIZE;
	if (!clip(pa, lo, hi, &first, &last))
		return;
	pa->free_frames += mark(pa, first, last, false);
}

void palloc_reserve_range(struct palloc *pa, uint64_t addr, uint64_t len)
{
	uint64_t end = range_end(addr, len), first, last;
	uint64_t lo = ALIGN_DOWN(addr, PAGE_SIZE);
	uint64_t hi = end > UINT64_MAX - (PAGE_SIZE - 1) ? UINT64_MAX : ALIGN_UP(end, PAGE_SIZE);

	if (len == 0 || !clip(pa, lo, hi, &first, &last))
		return;
	pa->free_frames -= mark(pa, first, last, true);
}

/* First frame >= i whose physical frame number is a multiple of align. */
static uint64_t align_frame(const struct palloc *pa, uint64_t i, uint64_t align)
{
	uint64_t pfn = pa->base / PAGE_SIZE + i;

	return ALIGN_UP(pfn, align) - pa->base / PAGE_SIZE;
}

/* Lowest aligned run of n free frames starting in [from, limit); UINT64_MAX
 * if none. Each failed candidate moves the search past the used frame that
 * broke it, which keeps the whole search linear in the bitmap words. */
static uint64_t search(const struct palloc *pa, uint64_t from, uint64_t limit,
		       uint64_t n, uint64_t align)
{
	uint64_t i = from;

	while (i < limit) {
		uint64_t f = find_bit(pa, i, limit, false), used;

		if (f >= limit)
			break;
		f = align_frame(pa, f, align);
		if (f >= pa->nframes || n > pa->nframes - f)
			break;
		used = find_bit(pa, f, f + n, true);
		if (used == f + n)
			return f;
		i = used + 1;
	}
	return UINT64_MAX;
}

uint64_t palloc_alloc(struct palloc *pa, uint64_t npages, uint64_t align_pages)
{
	uint64_t f;

	if (npages == 0 || align_pages == 0 || (align_pages & (align_pages - 1)) ||
	    npages > pa->free_frames)
		return 0;
	/* Next fit from the hint, then from the start for what lies before. */
	f = search(pa, pa->hint, pa->nframes, npages, align_pages);
	if (f == UINT64_MAX && pa->hint)
		f = search(pa, 0, pa->nframes, npages, align_pages);
	if (f == UINT64_MAX)
		return 0;
	pa->free_frames -= mark(pa, f, f + npages, true);
	pa->hint = f + npages < pa->nframes ? f + npages : 0;
	return pa->base + f * PAGE_SIZE;
}

bool palloc_free(struct palloc *pa, uint64_t addr, uint64_t npages)
{
	uint64_t first;

	if (npages == 0 || addr == 0 || addr < pa->base || !IS_ALIGNED(addr, PAGE_SIZE))
		return false;
	first = (addr - pa->base) / PAGE_SIZE;
	if (first >= pa->nframes || npages > pa->nframes - first)
		return false;
	/* All-or-nothing: one already-free frame means a double free. */
	if (find_bit(pa, first, first + npages, false) != first + npages)
		return false;
	pa->free_frames += mark(pa, first, first + npages, false);
	return true;
}

bool palloc_is_free(const struct palloc *pa, uint64_t addr)
{
	uint64_t i;

	if (addr < pa->base)
		return false;
	i = (addr - pa->base) / PAGE_SIZE;
	return i < pa->nframes && !test_bit(pa, i);
}
