/* Page-frame allocator: rounding of reserve/release, alignment, exhaustion,
 * double free, page 0, and a 64 GiB bitmap to keep the searches linear. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/palloc.h"
#include "tests/unit/check.h"

#define P PAGE_SIZE

static struct palloc pa;
static uint64_t *bm;

static void setup(uint64_t base, uint64_t end)
{
	free(bm);
	bm = malloc(palloc_bitmap_bytes(base, end) + 8);
	palloc_init(&pa, base, end, bm);
}

/* Count free frames by asking palloc_is_free, to cross-check free_frames. */
static uint64_t count_free(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < pa.nframes; i++)
		n += palloc_is_free(&pa, pa.base + i * P);
	return n;
}

static void test_sizes(void)
{
	CHECK_EQ(palloc_bitmap_bytes(0, 64 * P), 8);
	CHECK_EQ(palloc_bitmap_bytes(0, 64 * P + 1), 16);    /* rounded outwards */
	CHECK_EQ(palloc_bitmap_bytes(P - 1, 65 * P), 16);    /* base rounds down */
	CHECK_EQ(palloc_bitmap_bytes(0, GiB(64)), GiB(64) / P / 8);
	CHECK_EQ(palloc_bitmap_bytes(5 * P, 5 * P), 0);

	setup(0x1234, 10 * P + 1);
	CHECK_EQ(pa.base, 0x1000);
	CHECK_EQ(pa.nframes, 10);
	CHECK_EQ(pa.free_frames, 0);
	CHECK(!palloc_is_free(&pa, 0x1000));       /* everything starts used */
	CHECK_EQ(palloc_alloc(&pa, 1, 1), 0);
}

static void test_rounding(void)
{
	setup(0, 64 * P);
	/* Release rounds inwards: [P+1, 4P-1) frees only frames 2 */
	palloc_release_range(&pa, P + 1, 3 * P - 2);
	CHECK(!palloc_is_free(&pa, P));
	CHECK(palloc_is_free(&pa, 2 * P));
	CHECK(!palloc_is_free(&pa, 3 * P));
	CHECK_EQ(pa.free_frames, 1);
	/* Sub-page release frees nothing. */
	palloc_release_range(&pa, 10 * P + 1, P - 1);
	CHECK_EQ(pa.free_frames, 1);
	/* Page 0 is never released, even when asked. */
	palloc_release_range(&pa, 0, 8 * P);
	CHECK(!palloc_is_free(&pa, 0));
	CHECK_EQ(pa.free_frames, 7);
	/* Releasing again does not double count. */
	palloc_release_range(&pa, 0, 8 * P);
	CHECK_EQ(pa.free_frames, 7);
	/* Reserve rounds outwards: one byte reserves its frame, a range that
	 * straddles two frames reserves both. */
	palloc_reserve_range(&pa, 3 * P + 5, 1);
	CHECK(!palloc_is_free(&pa, 3 * P));
	CHECK(palloc_is_free(&pa, 4 * P));
	palloc_reserve_range(&pa, 5 * P - 1, 2);
	CHECK(!palloc_is_free(&pa, 4 * P));
	CHECK(!palloc_is_free(&pa, 5 * P));
	CHECK(palloc_is_free(&pa, 6 * P));
	CHECK_EQ(pa.free_frames, 4);
	palloc_reserve_range(&pa, 6 * P, 0);       /* empty range: nothing */
	CHECK(palloc_is_free(&pa, 6 * P));
	CHECK_EQ(pa.free_frames, count_free());
	/* Ranges outside the allocator or wrapping past 2^64 are clipped. */
	palloc_release_range(&pa, 60 * P, UINT64_MAX);
	CHECK(palloc_is_free(&pa, 63 * P));
	CHECK(!palloc_is_free(&pa, 64 * P));
	palloc_reserve_range(&pa, 62 * P, UINT64_MAX);
	CHECK(!palloc_is_free(&pa, 63 * P));
	CHECK(palloc_is_free(&pa, 61 * P));
	CHECK_EQ(pa.free_frames, count_free());
	/* Word-crossing ranges. */
	setup(0, 256 * P);
	palloc_release_range(&pa, 60 * P, 140 * P);
	CHECK_EQ(pa.free_frames, 140);
	CHECK(!palloc_is_free(&pa, 59 * P) && palloc_is_free(&pa, 60 * P));
	CHECK(palloc_is_free(&pa, 199 * P) && !palloc_is_free(&pa, 200 * P));
	palloc_reserve_range(&pa, 63 * P, 66 * P);
	CHECK_EQ(pa.free_frames, 74);
	CHECK_EQ(count_free(), 74);
}

static void test_alloc_free(void)
{
	uint64_t a, b, c;

	setup(MiB(1), MiB(1) + 16 * P);
	palloc_release_range(&pa, MiB(1), 16 * P);
	CHECK_EQ(pa.free_frames, 16);
	a = palloc_alloc(&pa, 1, 1);
	CHECK_EQ(a, MiB(1));
	CHECK(!palloc_is_free(&pa, a));
	b = palloc_alloc(&pa, 4, 1);
	CHECK_EQ(b, MiB(1) + P);
	CHECK_EQ(pa.free_frames, 11);
	CHECK(palloc_free(&pa, a, 1));
	CHECK(!palloc_free(&pa, a, 1));            /* double free */
	CHECK_EQ(pa.free_frames, 12);
	/* A partly-free range is refused whole and changes nothing. */
	CHECK(!palloc_free(&pa, a, 2));
	CHECK(!palloc_is_free(&pa, MiB(1) + P));
	CHECK_EQ(pa.free_frames, 12);
	/* Bad arguments. */
	CHECK(!palloc_free(&pa, b + 1, 1));
	CHECK(!palloc_free(&pa, b, 0));
	CHECK(!palloc_free(&pa, 0, 1));
	CHECK(!palloc_free(&pa, MiB(1) + 16 * P, 1));
	CHECK(!palloc_free(&pa, b, 100));
	CHECK_EQ(palloc_alloc(&pa, 0, 1), 0);
	CHECK_EQ(palloc_alloc(&pa, 1, 3), 0);      /* not a power of two */
	CHECK_EQ(palloc_alloc(&pa, 1, 0), 0);
	CHECK_EQ(pa.free_frames, 12);
	/* Exhaustion: 12 free frames, a run of 13 never fits; 12 single
	 * pages do, then nothing. */
	CHECK_EQ(palloc_alloc(&pa, 13, 1), 0);
	for (int i = 0; i < 12; i++) {
		c = palloc_alloc(&pa, 1, 1);
		CHECK(c >= MiB(1) && c < MiB(1) + 16 * P);
	}
	CHECK_EQ(pa.free_frames, 0);
	CHECK_EQ(palloc_alloc(&pa, 1, 1), 0);
	CHECK(palloc_free(&pa, b, 4));
	CHECK_EQ(palloc_alloc(&pa, 4, 1), b);      /* search wraps past the hint */
}

static void test_alignment(void)
{
	uint64_t a;

	/* base is not 2 MiB aligned: alignment is of the physical address. */
	setup(MiB(1), MiB(9));
	palloc_release_range(&pa, MiB(1), MiB(8));
	a = palloc_alloc(&pa, 512, 512);
	CHECK_EQ(a, MiB(2));
	a = palloc_alloc(&pa, 512, 512);
	CHECK_EQ(a, MiB(4));
	a = palloc_alloc(&pa, 1, 1);
	CHECK_EQ(a, MiB(6));                      /* next fit after the hint */
	/* A used frame inside the only aligned candidate that is left. */
	a = palloc_alloc(&pa, 512, 512);
	CHECK_EQ(a, 0);
	CHECK(palloc_free(&pa, MiB(6), 1));
	a = palloc_alloc(&pa, 512, 512);
	CHECK_EQ(a, MiB(6));
	CHECK(IS_ALIGNED(palloc_alloc(&pa, 3, 4), 4 * P));
	CHECK_EQ(pa.free_frames, count_free());
	/* Odd alignments land on aligned frames only. */
	setup(P, 200 * P);
	palloc_release_range(&pa, 3 * P, 100 * P);
	a = palloc_alloc(&pa, 2, 16);
	CHECK_EQ(a, 16 * P);
	a = palloc_alloc(&pa, 1, 8);
	CHECK_EQ(a, 24 * P);
	a = palloc_alloc(&pa, 64, 64);             /* 64..127 runs past 102 */
	CHECK_EQ(a, 0);
	a = palloc_alloc(&pa, 60, 32);
	CHECK_EQ(a, 32 * P);
}

/* 64 GiB with every other 2 MiB block having one used frame at its end:
 * the aligned search must stay linear, not rescan each candidate. */
static void test_big(void)
{
	uint64_t a, t0, t1, n = 0;

	setup(0, GiB(64));
	palloc_release_range(&pa, MiB(1), GiB(64) - MiB(1));
	CHECK_EQ(pa.free_frames, GiB(64) / P - 256);
	for (uint64_t x = MiB(2); x < GiB(64); x += MiB(4))
		palloc_reserve_range(&pa, x + MiB(2) - P, 1);
	t0 = (uint64_t)clock();
	/* Every aligned run except those in the 2..4, 6..8, ... blocks fits,
	 * the broken blocks are skipped quickly. */
	while ((a = palloc_alloc(&pa, 512, 512)) != 0) {
		if (a % MiB(4) != 0)
			CHECK(!"run misaligned or over a used frame");
		n++;
	}
	CHECK_EQ(n, GiB(64) / MiB(4) - 1);        /* block 0 holds page 0..1 MiB */
	/* Single pages still fill the holes. */
	a = palloc_alloc(&pa, 1, 1);
	CHECK(a != 0 && palloc_is_free(&pa, a) == false);
	/* Unaligned runs over a used frame every 500 frames: no run of 512
	 * exists, and proving it must not restart the search one frame after
	 * each failed candidate (that would be ~16M candidates). */
	setup(0, GiB(64));
	palloc_release_range(&pa, P, GiB(64));
	for (uint64_t f = 500; f < GiB(64) / P; f += 500)
		palloc_reserve_range(&pa, f * P, P);
	t1 = (uint64_t)clock();
	for (int i = 0; i < 4; i++)
		CHECK_EQ(palloc_alloc(&pa, 512, 1), 0);
	/* CPU time: ~1 ms each here, ~200 ms when restarting per frame. */
	CHECK((uint64_t)clock() - t1 < CLOCKS_PER_SEC / 5);
	CHECK_EQ(palloc_alloc(&pa, 499, 1), P);
	CHECK_EQ(palloc_alloc(&pa, 499, 1), 501 * P);
	t0 = (uint64_t)clock() - t0;
	CHECK(t0 < 1ull * CLOCKS_PER_SEC);   /* takes ~0.05 s */
	free(bm);
	bm = NULL;
}

int main(void)
{
	test_sizes();
	test_rounding();
	test_alloc_free();
	test_alignment();
	test_big();
	return check_done("test_palloc");
}
