/* Host tests for vmm/svm/svm_npt.c: guest RAM maps the way the hypervisor
 * makes them (2 MiB chunks), page sizes chosen by alignment, every entry
 * user-accessible (nested walks are user accesses: a missing U bit would
 * fault every guest access on hardware), overlaps and bad ranges refused,
 * out-of-memory reported, every table page given back. */
#include "tests/unit/check.h"
#include "vmm/svm/svm_npt.h"
#include <stdlib.h>
#include <string.h>

static int live, limit = -1;

static uint64_t alloc(void *ctx)
{
	if (limit == 0)
		return 0;
	if (limit > 0)
		limit--;
	void *p = aligned_alloc(4096, 4096);
	memset(p, 0, 4096);
	live++;
	return (uint64_t)(uintptr_t)p;
}
static void release(void *ctx, uint64_t pa) { free((void *)(uintptr_t)pa); live--; }
static void *to_virt(void *ctx, uint64_t pa) { return (void *)(uintptr_t)pa; }
static const struct npt_ops ops = { alloc, release, to_virt, NULL };

#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

/* Every present entry reachable from the root has P, RW and US. */
static bool all_user(const struct npt *n, uint64_t pa, int level)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)pa;
	for (int i = 0; i < 512; i++) {
		if (!t[i])
			continue;
		if ((t[i] & 7) != 7)
			return false;
		if (level > 0 && !(t[i] & 0x80) && !all_user(n, t[i] & 0x000ffffffffff000ull, level - 1))
			return false;
	}
	return true;
}

static void test_guest_ram(void)
{
	struct npt n;
	uint64_t hpa, size;
	CHECK_EQ(npt_init(&n, &ops, false), NPT_OK);
	/* 24 MiB of RAM in 2 MiB chunks scattered in host memory. */
	for (uint64_t i = 0; i < 12; i++)
		CHECK_EQ(npt_map(&n, MiB(2) * i, GiB(3) + MiB(8) * i, MiB(2)), NPT_OK);
	CHECK_EQ(n.tables, 3);          /* PML4, PDPT, one PD */
	CHECK(npt_lookup(&n, MiB(5) + 0x123, &hpa, &size));
	CHECK_EQ(hpa, GiB(3) + MiB(16) + MiB(1) + 0x123);
	CHECK_EQ(size, MiB(2));
	CHECK(!npt_lookup(&n, MiB(24), &hpa, &size));
	CHECK(!npt_lookup(&n, 0xc0000000, &hpa, &size));
	CHECK(all_user(&n, n.root, 3));
	/* Mapping any part again is refused. */
	CHECK_EQ(npt_map(&n, MiB(4), GiB(8), MiB(2)), NPT_EOVERLAP);
	CHECK_EQ(npt_map(&n, MiB(4) + 0x1000, GiB(8), 0x1000), NPT_EOVERLAP);
	npt_destroy(&n);
	CHECK_EQ(live, 0);
}

static void test_page_sizes(void)
{
	struct npt n;
	uint64_t hpa, size;
	CHECK_EQ(npt_init(&n, &ops, true), NPT_OK);
	/* 1 GiB aligned on both sides: one 1 GiB page. */
	CHECK_EQ(npt_map(&n, GiB(1), GiB(4), GiB(1)), NPT_OK);
	CHECK(npt_lookup(&n, GiB(1) + 12345, &hpa, &size));
	CHECK_EQ(size, GiB(1));
	CHECK_EQ(hpa, GiB(4) + 12345);
	/* gpa aligned, hpa only 2 MiB aligned: 2 MiB pages. */
	CHECK_EQ(npt_map(&n, GiB(2), GiB(8) + MiB(2), GiB(1)), NPT_OK);
	CHECK(npt_lookup(&n, GiB(3) - 1, &hpa, &size));
	CHECK_EQ(size, MiB(2));
	CHECK_EQ(hpa, GiB(9) + MiB(2) - 1);
	/* 4 KiB alignment at the edges, 2 MiB in the middle. */
	CHECK_EQ(npt_map(&n, MiB(2) - 0x1000, GiB(16) + MiB(2) - 0x1000, MiB(2) + 0x2000), NPT_OK);
	CHECK(npt_lookup(&n, MiB(2) - 0x1000, &hpa, &size));
	CHECK_EQ(size, 0x1000);
	CHECK(npt_lookup(&n, MiB(2), &hpa, &size));
	CHECK_EQ(size, MiB(2));
	CHECK_EQ(hpa, GiB(16) + MiB(2));
	CHECK(npt_lookup(&n, MiB(4), &hpa, &size));
	CHECK_EQ(size, 0x1000);
	CHECK_EQ(hpa, GiB(16) + MiB(4));
	CHECK(!npt_lookup(&n, MiB(4) + 0x1000, &hpa, &size));
	/* A 4 KiB page inside a large one is an overlap. */
	CHECK_EQ(npt_map(&n, GiB(1) + 0x5000, 0x5000, 0x1000), NPT_EOVERLAP);
	CHECK(all_user(&n, n.root, 3));
	npt_destroy(&n);
	CHECK_EQ(live, 0);
	/* Without 1 GiB pages, 2 MiB ones. */
	CHECK_EQ(npt_init(&n, &ops, false), NPT_OK);
	CHECK_EQ(npt_map(&n, GiB(1), GiB(4), GiB(1)), NPT_OK);
	CHECK(npt_lookup(&n, GiB(1), &hpa, &size));
	CHECK_EQ(size, MiB(2));
	npt_destroy(&n);
	CHECK_EQ(live, 0);
}

static void test_errors(void)
{
	struct npt n;
	CHECK_EQ(npt_init(&n, &ops, false), NPT_OK);
	CHECK_EQ(npt_map(&n, 0x800, 0, 0x1000), NPT_EALIGN);
	CHECK_EQ(npt_map(&n, 0, 0x800, 0x1000), NPT_EALIGN);
	CHECK_EQ(npt_map(&n, 0, 0, 0x800), NPT_EALIGN);
	CHECK_EQ(npt_map(&n, 0, 0, 0), NPT_EALIGN);
	CHECK_EQ(npt_map(&n, (1ull << 48) - 0x1000, 0, 0x2000), NPT_ERANGE);
	CHECK_EQ(npt_map(&n, 0, (1ull << 52) - 0x1000, 0x2000), NPT_ERANGE);
	CHECK_EQ(npt_map(&n, ~0xfffull, 0, 0x2000), NPT_ERANGE);
	CHECK_EQ(n.tables, 1);
	/* Out of table pages: reported, and what was built is freed later. */
	limit = 2;
	CHECK_EQ(npt_map(&n, 0, 0, 0x1000), NPT_ENOMEM);
	limit = -1;
	npt_destroy(&n);
	CHECK_EQ(live, 0);
	limit = 0;
	CHECK_EQ(npt_init(&n, &ops, false), NPT_ENOMEM);
	limit = -1;
}

int main(void)
{
	test_guest_ram();
	test_page_sizes();
	test_errors();
	return check_done("test_svm_npt");
}
