/* relaxed against the scripted environment: a VM whose vCPU 1 shares its
 * pCPU with another VM while vCPU 0 has a pCPU alone. vCPU 0 leads; it is
 * co-stopped when the lead reaches the skew (never later), co-started once
 * vCPU 1 has caught up, and runs again; the co-stop is counted and timed.
 * A laggard that blocks releases the leader at once; idle time is no skew. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

#define US 1000ull
#define MS 1000000ull

static struct fake_asym m;
static void setup(void) { fake_asym(&m, "relaxed"); }

static uint64_t run_of(struct sched_vcpu *v)
{
	struct sched_stats st;
	sched_vcpu_stats(v, &st);
	return st.run_ns;
}

static void test_skew_bound_and_restart(void)
{
	struct sched_vcpu *lead = &m.vc0[0], *lag = &m.vc0[1];
	uint64_t max_lead = 0, costopped_at = 0, restarted_at = 0;

	setup();
	for (uint64_t t = 0; t <= 1000 * MS; t += 50 * US) {
		CHECK(fake_run(t, true) == 0);
		uint64_t a = run_of(lead), b = run_of(lag);
		max_lead = a > b ? MAX(max_lead, a - b) : max_lead;
		if (lead->costopped && !costopped_at)
			costopped_at = t;
		if (costopped_at && !restarted_at && lead->state == SCHED_RUNNING)
			restarted_at = t;
	}
	struct sched_stats st;
	sched_vcpu_stats(lead, &st);
	CHECK(max_lead <= 3 * MS);             /* relaxed.skew, never passed */
	CHECK(max_lead >= 3 * MS - 100 * US);  /* ... and reached */
	CHECK(costopped_at > 0 && restarted_at > costopped_at); /* co-stopped, then restarted */
	CHECK(st.costops > 10);                /* again and again over 1 s */
	CHECK_EQ(fake_events[SCHED_EV_COSTOP], st.costops); /* each one reported */
	CHECK(fake_events[SCHED_EV_COSTART] + 1 >= st.costops && fake_events[SCHED_EV_COSTART] <= st.costops);
	/* vCPU 1 gets a third of pCPU 1 (the VM's weight is split over its two
	 * vCPUs); vCPU 0 keeps its pace and waits co-stopped the rest. */
	CHECK(st.costop_ns > 600 * MS);
	CHECK(st.run_ns <= run_of(lag) + 3 * MS && st.run_ns + 3 * MS >= run_of(lag));
	CHECK(run_of(lag) > 320 * MS);
	CHECK(run_of(&m.vc1[0]) > 640 * MS);   /* the other VM keeps its share */
}

static void test_laggard_blocks(void)
{
	struct sched_vcpu *lead = &m.vc0[0], *lag = &m.vc0[1];

	setup();
	uint64_t t = 0;
	while (!lead->costopped && t < 100 * MS)
		CHECK(fake_run(t += 50 * US, true) == 0);
	CHECK(lead->costopped);
	/* The laggard halts: the leader has nobody to wait for. */
	if (lag->state == SCHED_RUNNING) {
		CHECK(sched_schedule(1, SCHED_BLOCK) != lag);
	} else {
		sched_vcpu_stop(lag);
		sched_wake(lag);
		sched_vcpu_stop(lag);
	}
	CHECK(!lead->costopped);
	CHECK(fake_run(fake_now, true) == 0);
	CHECK_EQ(lead->state, SCHED_RUNNING);
	/* It runs on alone for 50 ms; the laggard wakes level with it, not
	 * 50 ms behind: idle time is no skew, nobody is co-stopped. */
	uint64_t costops = lead->stats.costops;
	CHECK(fake_run(fake_now + 50 * MS, true) == 0);
	sched_wake(lag);
	CHECK(fake_run(fake_now + 2 * MS, true) == 0);
	CHECK_EQ(lead->stats.costops, costops);
	CHECK(!lead->costopped);
}

int main(void)
{
	test_skew_bound_and_restart();
	test_laggard_blocks();
	return check_done("test_sched_relaxed");
}
