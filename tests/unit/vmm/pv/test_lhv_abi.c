/* Host tests for vmm/pv/lhv_abi.h, the argument checks of lhv's LHP
 * interface: hint-area registrations (version, alignment, unregister),
 * LHV_SPIN's holder (index range, "unknown" in 32 and 64 bits) and
 * LHV_BALLOON's time bounds, LHV_SPEED's result (never above a whole
 * pCPU). The hypercall numbers must lie in the group user space may be
 * given and not collide with each other, LHV_ECHO or the observation
 * calls. */
#include "tests/unit/check.h"
#include "vmm/pv/lhv_abi.h"

static void test_hint(void)
{
	CHECK_EQ(lhv_hint_check(0x1000, LHV_LHP_VERSION), LHV_HINT_OK);
	CHECK_EQ(lhv_hint_check(0x1040, 1), LHV_HINT_OK);
	CHECK_EQ(lhv_hint_check(0xfffc0, 1), LHV_HINT_OK);
	/* 0 unregisters, whatever the version. */
	CHECK_EQ(lhv_hint_check(0, 0), LHV_HINT_OK);
	CHECK_EQ(lhv_hint_check(0, 77), LHV_HINT_OK);
	for (uint64_t off = 1; off < 64; off++)
		CHECK_EQ(lhv_hint_check(0x1000 + off, 1), LHV_HINT_MISALIGNED);
	CHECK_EQ(lhv_hint_check(0x1000, 0), LHV_HINT_BAD_VERSION);
	CHECK_EQ(lhv_hint_check(0x1000, 2), LHV_HINT_BAD_VERSION);
	CHECK_EQ(lhv_hint_check(0x1000, 1ull << 32 | 1), LHV_HINT_BAD_VERSION);
	/* The area fits its alignment, so it never straddles a 2 MiB chunk. */
	CHECK_EQ(LHV_HINT_SIZE, LHV_HINT_ALIGN);
	CHECK(LHV_HINT_DISPATCHES + 4 <= LHV_HINT_SIZE);
}

static void test_spin(void)
{
	uint32_t idx = 123;
	CHECK(lhv_spin_holder(0, 4, &idx) && idx == 0);
	CHECK(lhv_spin_holder(3, 4, &idx) && idx == 3);
	CHECK(lhv_spin_holder(0xffffffffu, 4, &idx) && idx == LHV_NO_VCPU);
	idx = 0;
	CHECK(lhv_spin_holder(~0ull, 4, &idx) && idx == LHV_NO_VCPU);
	CHECK(!lhv_spin_holder(4, 4, &idx));
	CHECK(!lhv_spin_holder(0xfffffffeu, 4, &idx));
	CHECK(!lhv_spin_holder(1ull << 32, 4, &idx));
	CHECK(!lhv_spin_holder(0, 0, &idx));
}

static void test_balloon(void)
{
	CHECK(!lhv_balloon_ok(0));
	CHECK(lhv_balloon_ok(1));
	CHECK(lhv_balloon_ok(500));
	CHECK(lhv_balloon_ok(LHV_BALLOON_MAX_US));
	CHECK(!lhv_balloon_ok(LHV_BALLOON_MAX_US + 1));
	CHECK(!lhv_balloon_ok(~0ull));
	CHECK(!lhv_balloon_ok(0xffffffffu));
}

static void test_speed(void)
{
	CHECK_EQ(lhv_speed_result(0), 0);
	CHECK_EQ(lhv_speed_result(1), 1);
	CHECK_EQ(lhv_speed_result(341), 341);
	CHECK_EQ(lhv_speed_result(LHV_SPEED_ONE), LHV_SPEED_ONE);
	CHECK_EQ(lhv_speed_result(LHV_SPEED_ONE + 1), LHV_SPEED_ONE);
	CHECK_EQ(lhv_speed_result(0xffffffffu), LHV_SPEED_ONE);
	/* The same scale as the hint area's speed field. */
	CHECK_EQ(LHV_SPEED_ONE, 1024);
}

static void test_numbers(void)
{
	const uint32_t nr[] = { HC_LHV_HINT_REGISTER, HC_LHV_YIELD, HC_LHV_SPIN, HC_LHV_BALLOON,
				HC_LHV_SPEED };
	const unsigned n = sizeof(nr) / sizeof(nr[0]);
	for (unsigned i = 0; i < n; i++) {
		CHECK(nr[i] >= HC_LHV_LHP_FIRST && nr[i] <= HC_LHV_LHP_LAST);
		CHECK(nr[i] != 0x4C480001u);                     /* LHV_ECHO */
		CHECK(nr[i] < 0x4C480100u || nr[i] > 0x4C4801FFu); /* observation calls */
		for (unsigned j = 0; j < i; j++)
			CHECK(nr[i] != nr[j]);
	}
	CHECK_EQ(HC_LHV_SPEED, 0x4C480014u);                  /* documented, guests hard-code it */
	CHECK(HC_LHV_LHP_LAST < 0x4C480100u);
}

int main(void)
{
	test_hint();
	test_spin();
	test_balloon();
	test_speed();
	test_numbers();
	return check_done("test_lhv_abi");
}
