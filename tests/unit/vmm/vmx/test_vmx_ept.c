/* Host tests for vmm/vmx/vmx_ept.c with malloc'ed table pages whose virtual
 * address doubles as their "physical" one. */
#include "tests/unit/check.h"
#include "vmm/vmx/vmx_ept.h"
#include "vmm/vmx/vmcs.h"
#include <stdlib.h>

struct pool {
	long live;      /* pages allocated and not freed */
	long limit;     /* fail allocations beyond this many live pages */
};

static uint64_t pool_alloc(void *ctx)
{
	struct pool *p = ctx;
	void *page;

	if (p->live >= p->limit)
		return 0;
	page = aligned_alloc(4096, 4096);
	if (!page)
		return 0;
	memset(page, 0xa5, 4096);       /* the builder must clear it */
	p->live++;
	return (uint64_t)(uintptr_t)page;
}

static void pool_free(void *ctx, uint64_t phys)
{
	struct pool *p = ctx;

	p->live--;
	free((void *)(uintptr_t)phys);
}

static void *pool_virt(void *ctx, uint64_t phys)
{
	return (void *)(uintptr_t)phys;
}

static struct pool pool;
static const struct ept_ops ops = { pool_alloc, pool_free, pool_virt, &pool };

static uint64_t page_size_at(const struct ept *e, uint64_t gpa)
{
	struct ept_leaf l;

	return ept_walk(e, gpa, &l) ? l.page_size : 0;
}

static bool maps_to(const struct ept *e, uint64_t gpa, uint64_t hpa)
{
	uint64_t h;

	return ept_lookup(e, gpa, &h, NULL) && h == hpa;
}

static void test_split_sizes(void)
{
	struct ept e;

	pool = (struct pool){ 0, 1000 };
	CHECK_EQ(ept_init(&e, &ops, EPT_ALLOW_2M), EPT_OK);
	CHECK_EQ(e.tables, 1);
	/* 4K head, two 2M pages, 4K tail. */
	CHECK_EQ(ept_map(&e, 0x1ff000, 0x5ff000, 0x402000, EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(page_size_at(&e, 0x1ff000), KiB(4));
	CHECK_EQ(page_size_at(&e, 0x200000), MiB(2));
	CHECK_EQ(page_size_at(&e, 0x5fffff), MiB(2));
	CHECK_EQ(page_size_at(&e, 0x600000), KiB(4));
	CHECK_EQ(page_size_at(&e, 0x601000), 0);
	CHECK_EQ(page_size_at(&e, 0x1fe000), 0);
	CHECK(maps_to(&e, 0x1ff000, 0x5ff000));
	CHECK(maps_to(&e, 0x1fffff, 0x5fffff));
	CHECK(maps_to(&e, 0x200000, 0x600000));
	CHECK(maps_to(&e, 0x3fffff, 0x7fffff));
	CHECK(maps_to(&e, 0x600fff, 0xa00fff));
	CHECK(!ept_lookup(&e, 0x601000, NULL, NULL));
	CHECK(!ept_lookup(&e, 0x1fefff, NULL, NULL));
	/* PML4 + PDPT + PD + two PTs */
	CHECK_EQ(e.tables, 5);
	CHECK_EQ(pool.live, 5);

	/* Same-offset gpa/hpa but hpa only 4K aligned: no large pages. */
	CHECK_EQ(ept_map(&e, GiB(1), GiB(1) + 0x1000, MiB(2), EPT_PERM_R, EPT_MT_UC), EPT_OK);
	CHECK_EQ(page_size_at(&e, GiB(1)), KiB(4));
	CHECK_EQ(page_size_at(&e, GiB(1) + MiB(2) - 1), KiB(4));
	CHECK(maps_to(&e, GiB(1) + MiB(2) - 1, GiB(1) + MiB(2) + 0xfff));

	ept_destroy(&e);
	CHECK_EQ(e.tables, 0);
	CHECK_EQ(pool.live, 0);
}

static void test_1g(void)
{
	struct ept e;
	struct ept_leaf l;

	pool = (struct pool){ 0, 1000 };
	CHECK_EQ(ept_init(&e, &ops, EPT_ALLOW_2M | EPT_ALLOW_1G), EPT_OK);
	CHECK_EQ(ept_map(&e, GiB(1), GiB(2), GiB(1) + MiB(2), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(page_size_at(&e, GiB(1)), GiB(1));
	CHECK_EQ(page_size_at(&e, GiB(2)), MiB(2));
	CHECK_EQ(e.tables, 3);          /* PML4, PDPT, one PD */
	CHECK(maps_to(&e, GiB(2) - 1, GiB(3) - 1));

	/* Unmapping 4 KiB in the middle splits 1G -> 2M -> 4K. */
	CHECK_EQ(ept_unmap(&e, GiB(1) + MiB(5), KiB(4)), EPT_OK);
	CHECK(!ept_lookup(&e, GiB(1) + MiB(5), NULL, NULL));
	CHECK(maps_to(&e, GiB(1) + MiB(5) - 1, GiB(2) + MiB(5) - 1));
	CHECK(maps_to(&e, GiB(1) + MiB(5) + KiB(4), GiB(2) + MiB(5) + KiB(4)));
	CHECK_EQ(page_size_at(&e, GiB(1) + MiB(5) + KiB(4)), KiB(4));
	CHECK_EQ(page_size_at(&e, GiB(1) + MiB(7)), MiB(2));
	CHECK_EQ(page_size_at(&e, GiB(1) + MiB(3)), MiB(2));
	CHECK(ept_walk(&e, GiB(1) + MiB(4), &l));
	CHECK_EQ(l.perms, EPT_PERM_RWX);
	CHECK_EQ(l.memtype, EPT_MT_WB);
	CHECK_EQ(e.tables, 5);

	/* Remapping the hole works; unmapping everything frees all but root. */
	CHECK_EQ(ept_map(&e, GiB(1) + MiB(5), 0x1234000, KiB(4), EPT_PERM_R | EPT_PERM_X, EPT_MT_WT), EPT_OK);
	CHECK(ept_walk(&e, GiB(1) + MiB(5) + 8, &l));
	CHECK_EQ(l.hpa, 0x1234008);
	CHECK_EQ(l.perms, EPT_PERM_R | EPT_PERM_X);
	CHECK_EQ(l.memtype, EPT_MT_WT);
	CHECK_EQ(ept_unmap(&e, 0, GiB(4)), EPT_OK);
	CHECK_EQ(e.tables, 1);
	CHECK_EQ(pool.live, 1);
	CHECK(!ept_lookup(&e, GiB(1), NULL, NULL));
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);

	/* Without the 1G flag, a 1 GiB aligned range uses 2M pages. */
	pool = (struct pool){ 0, 1000 };
	CHECK_EQ(ept_init(&e, &ops, EPT_ALLOW_2M), EPT_OK);
	CHECK_EQ(ept_map(&e, GiB(1), GiB(2), GiB(1), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(page_size_at(&e, GiB(1)), MiB(2));
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);

	/* Without any flag, only 4K pages. */
	pool = (struct pool){ 0, 1000 };
	CHECK_EQ(ept_init(&e, &ops, 0), EPT_OK);
	CHECK_EQ(ept_map(&e, 0, 0, MiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(page_size_at(&e, MiB(2)), KiB(4));
	CHECK_EQ(e.tables, 5);
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);
}

static void test_overlap_and_errors(void)
{
	struct ept e;

	pool = (struct pool){ 0, 1000 };
	CHECK_EQ(ept_init(&e, &ops, EPT_ALLOW_2M | EPT_ALLOW_1G), EPT_OK);
	CHECK_EQ(ept_map(&e, MiB(4), MiB(4), MiB(2), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	size_t before = e.tables;
	/* Overlapping the end of the large page: refused, nothing changed. */
	CHECK_EQ(ept_map(&e, MiB(1), 0, MiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_EOVERLAP);
	CHECK(!ept_lookup(&e, MiB(1), NULL, NULL));
	CHECK_EQ(e.tables, before);
	CHECK_EQ(ept_map(&e, MiB(6) - KiB(4), 0, KiB(8), EPT_PERM_RWX, EPT_MT_WB), EPT_EOVERLAP);
	CHECK_EQ(ept_map(&e, MiB(5), 0, KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_EOVERLAP);
	/* Adjacent is fine. */
	CHECK_EQ(ept_map(&e, MiB(6), MiB(6), KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(ept_map(&e, MiB(4) - KiB(4), 0, KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	/* Overlap with a 4K page inside a table. */
	CHECK_EQ(ept_map(&e, MiB(6), MiB(6), MiB(2), EPT_PERM_RWX, EPT_MT_WB), EPT_EOVERLAP);

	CHECK_EQ(ept_map(&e, 0x1001, 0, KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_EALIGN);
	CHECK_EQ(ept_map(&e, 0x1000, 0x10, KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_EALIGN);
	CHECK_EQ(ept_map(&e, 0x1000, 0, 100, EPT_PERM_RWX, EPT_MT_WB), EPT_EALIGN);
	CHECK_EQ(ept_map(&e, 0x1000, 0, 0, EPT_PERM_RWX, EPT_MT_WB), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, (1ull << 48) - KiB(4), 0, KiB(8), EPT_PERM_RWX, EPT_MT_WB), EPT_ERANGE);
	CHECK_EQ(ept_map(&e, (1ull << 48) - KiB(4), 0, KiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK(maps_to(&e, (1ull << 48) - 1, KiB(4) - 1));
	CHECK(!ept_lookup(&e, 1ull << 48, NULL, NULL));
	CHECK_EQ(ept_map(&e, ~0xfffull, 0, KiB(8), EPT_PERM_RWX, EPT_MT_WB), EPT_ERANGE);
	CHECK_EQ(ept_map(&e, GiB(8), (1ull << 52) - KiB(4), KiB(8), EPT_PERM_RWX, EPT_MT_WB), EPT_ERANGE);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), 0, EPT_MT_WB), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), EPT_PERM_W, EPT_MT_WB), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), 8, EPT_MT_WB), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), EPT_PERM_R, 2), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), EPT_PERM_R, 7), EPT_EINVAL);
	CHECK_EQ(ept_map(&e, GiB(8), 0, KiB(4), EPT_PERM_X, EPT_MT_WC), EPT_OK);
	CHECK_EQ(ept_unmap(&e, 0x800, KiB(4)), EPT_EALIGN);
	CHECK_EQ(ept_unmap(&e, 0, 1ull << 49), EPT_ERANGE);
	CHECK_EQ(ept_unmap(&e, GiB(100), GiB(1)), EPT_OK);   /* a hole */
	CHECK(ept_strerror(EPT_EOVERLAP)[0] != '\0');
	CHECK(ept_strerror(-99)[0] != '\0');
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);
}

static void test_out_of_memory(void)
{
	struct ept e;

	/* Root + PDPT only: the PD allocation fails, the map is rolled back
	 * and the PDPT it created is freed again. */
	pool = (struct pool){ 0, 2 };
	CHECK_EQ(ept_init(&e, &ops, EPT_ALLOW_2M), EPT_OK);
	CHECK_EQ(ept_map(&e, 0, 0, MiB(4), EPT_PERM_RWX, EPT_MT_WB), EPT_ENOMEM);
	CHECK_EQ(pool.live, 1);
	CHECK_EQ(e.tables, 1);
	CHECK(!ept_lookup(&e, 0, NULL, NULL));

	/* Fails halfway: the first PT is filled, the second cannot be had. */
	pool.limit = 4;
	CHECK_EQ(ept_map(&e, GiB(1) + MiB(1), 0, MiB(2), EPT_PERM_RWX, EPT_MT_WB), EPT_ENOMEM);
	CHECK_EQ(pool.live, 1);
	CHECK(!ept_lookup(&e, GiB(1) + MiB(1), NULL, NULL));

	/* A split that cannot get its table. */
	pool.limit = 3;
	CHECK_EQ(ept_map(&e, 0, 0, MiB(2), EPT_PERM_RWX, EPT_MT_WB), EPT_OK);
	CHECK_EQ(ept_unmap(&e, 0, KiB(4)), EPT_ENOMEM);
	CHECK(ept_lookup(&e, 0, NULL, NULL));
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);

	pool = (struct pool){ 0, 0 };
	CHECK_EQ(ept_init(&e, &ops, 0), EPT_ENOMEM);
}

static void test_eptp(void)
{
	struct ept e;

	pool = (struct pool){ 0, 10 };
	CHECK_EQ(ept_init(&e, &ops, 0), EPT_OK);
	CHECK_EQ(ept_eptp(&e, false), e.root | 0x1e);
	CHECK_EQ(ept_eptp(&e, true), e.root | 0x5e);
	CHECK_EQ(e.root & 0xfff, 0);
	ept_destroy(&e);
	CHECK_EQ(pool.live, 0);
}

int main(void)
{
	test_split_sizes();
	test_1g();
	test_overlap_and_errors();
	test_out_of_memory();
	test_eptp();
	return check_done("test_vmx_ept");
}
