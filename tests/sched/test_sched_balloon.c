/* balloon against the scripted environment: a VM whose vCPU 1 shares pCPU 1
 * with another VM while vCPU 0 has pCPU 0 alone. balloon publishes the
 * speeds (about 1 and 1/3 of a pCPU), free publishes nothing; a balloon is
 * counted and timed, and the time it gives back is charged, so the vCPU
 * comes back without the credit a plain HLT of the same length leaves. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

#define MS 1000000ull

static struct fake_asym m;

static void setup(const char *policy)
{
	fake_asym(&m, policy);
	CHECK(fake_run(500 * MS, true) == 0);
}

static bool near(uint32_t a, uint32_t b, uint32_t tol) { return a + tol >= b && a <= b + tol; }

static void test_speed(void)
{
	setup("balloon");
	CHECK(near(sched_vcpu_speed(&m.vc0[0]), SCHED_SPEED_ONE, 10));
	CHECK(near(sched_vcpu_speed(&m.vc0[1]), SCHED_SPEED_ONE / 3, 30));
	CHECK(near(sched_vcpu_speed(&m.vc1[0]), 2 * SCHED_SPEED_ONE / 3, 30));
	setup("free");
	CHECK_EQ(sched_vcpu_speed(&m.vc0[0]), 0); /* not published */
	CHECK_EQ(sched_vcpu_speed(&m.vc0[1]), 0);
}

/* vCPU 1 halts for 60 ms (a balloon if `balloon`, else an idle HLT) the next
 * time it runs; its run time over the 100 ms after it is back. */
static uint64_t after_block(const char *policy, bool balloon)
{
	struct sched_vcpu *v = &m.vc0[1];
	struct sched_stats st;

	setup(policy);
	while (v->state != SCHED_RUNNING)
		CHECK(fake_run(fake_now + MS, true) == 0);
	if (balloon)
		CHECK(!sched_hint(v, SCHED_HINT_BALLOON, 60000));
	CHECK(sched_schedule(1, SCHED_BLOCK) == &m.vc1[0]);
	CHECK(fake_run(fake_now + 60 * MS, true) == 0);
	sched_wake(v);
	sched_vcpu_stats(v, &st);
	if (balloon) {
		CHECK_EQ(st.balloons, 1);
		CHECK_EQ(st.balloon_ns, 60 * MS);
	}
	uint64_t before = st.run_ns;
	CHECK(fake_run(fake_now + 100 * MS, true) == 0);
	sched_vcpu_stats(v, &st);
	return st.run_ns - before;
}

static void test_no_credit(void)
{
	uint64_t ballooned = after_block("balloon", true), halted = after_block("balloon", false);

	/* After an idle HLT of 60 ms the vCPU is placed half a slice behind the
	 * others and shares from there (a third of pCPU 1: the VM's weight is
	 * split over two vCPUs). The balloon's 60 ms count as run time: the
	 * other VM gets the next 60 ms, then they share. */
	printf("after 60 ms away, run in the next 100 ms: halted %.1f ms, ballooned %.1f ms\n", halted / 1e6, ballooned / 1e6);
	CHECK(halted >= 30 * MS);
	CHECK(ballooned + 15 * MS <= halted);
}

int main(void)
{
	test_speed();
	test_no_credit();
	return check_done("test_sched_balloon");
}
