/* The framework and the free policy against the scripted environment:
 * selection errors, states and accounting, weights, caps, wake-ups, the
 * HLT/wake race, stop, and removal. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <stdio.h>
#include <string.h>

#define MS 1000000ull

static struct sched_vm vms[4];
static struct sched_vcpu vc[4][4];
static struct sched_vcpu *ptrs[4][4];

static void test_select(void)
{
	const char *err = NULL;

	fake_setup(2, "free");
	CHECK(!strcmp(sched_active_name(), "free"));
	CHECK(sched_select("nope", &err) == -1);
	CHECK(err && strstr(err, "unknown scheduler 'nope'") && strstr(err, "available: free"));
	CHECK(!strcmp(sched_active_name(), "free"));
}

static void test_basic(void)
{
	const char *err;

	fake_setup(2, "free");
	CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 1, 2, &err) == 0);
	CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 1, &err) == -1); /* same id */
	CHECK_EQ(vc[0][0].state, SCHED_STOPPED);
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_FREE);
	sched_wake(&vc[0][0]);
	sched_wake(&vc[0][1]);
	CHECK_EQ(vc[0][0].state, SCHED_RUNNABLE);
	struct sched_vcpu *a = sched_schedule(0, SCHED_TICK);
	struct sched_vcpu *b = sched_schedule(1, SCHED_TICK);
	CHECK(a && b && a != b);
	CHECK_EQ(a->state, SCHED_RUNNING);
	CHECK_EQ(fake_timer[0], SCHED_DEFAULT_SLICE_NS);
	CHECK(sched_check(&err) == 0);
	/* Alone on its pCPU: slice end keeps it, no preemption. */
	fake_now = 10 * MS;
	CHECK(sched_schedule(0, SCHED_TICK) == a);
	CHECK_EQ(a->stats.preemptions, 0);
	CHECK_EQ(a->stats.run_ns, 10 * MS);
	/* HLT: blocked, pCPU idles; a wake-up kicks it and is dispatched. */
	fake_now = 12 * MS;
	CHECK(sched_schedule(0, SCHED_BLOCK) == NULL);
	CHECK_EQ(a->state, SCHED_BLOCKED);
	CHECK_EQ(fake_timer[0], 0);
	fake_now = 13 * MS;
	sched_wake(a);
	CHECK(fake_kicked[0]);
	fake_now = 13 * MS + 5000;
	fake_kicked[0] = false;
	CHECK(sched_schedule(0, SCHED_TICK) == a);
	CHECK_EQ(a->stats.wake_lat_max_ns, 5000);
	CHECK_EQ(a->stats.blocked_ns, 1 * MS);
	/* A wake-up that arrives while running voids the next HLT. */
	sched_wake(a);
	CHECK(sched_schedule(0, SCHED_BLOCK) == a);
	CHECK_EQ(a->state, SCHED_RUNNING);
	/* Removing a VM with a running vCPU is refused; stop works via kick. */
	CHECK(sched_vm_remove(&vms[0], &err) == -1);
	sched_vcpu_stop(a);
	CHECK(fake_kicked[0]);
	CHECK(sched_schedule(0, SCHED_TICK) == NULL);
	CHECK_EQ(a->state, SCHED_STOPPED);
	sched_vcpu_stop(b);
	CHECK(sched_schedule(1, SCHED_TICK) == NULL);
	CHECK(sched_vm_remove(&vms[0], &err) == 0);
	CHECK(sched_check(&err) == 0);
}

/* One pCPU, VMs of one vCPU each with the given weights and caps: CPU time
 * over `secs` seconds per VM, as a fraction of the run. */
static void share_run(uint32_t n, const uint32_t *weight, const uint32_t *cap, double secs, double *out)
{
	const char *err;

	fake_setup(1, "free");
	for (uint32_t i = 0; i < n; i++) {
		memset(&vms[i], 0, sizeof(vms[i]));
		vms[i].weight = weight[i];
		vms[i].cap = cap[i];
		CHECK(fake_vm(&vms[i], vc[i], ptrs[i], i, 1, &err) == 0);
		sched_wake(&vc[i][0]);
	}
	uint64_t end = (uint64_t)(secs * 1e9);
	sched_schedule(0, SCHED_TICK); /* the pCPU enters its loop */
	CHECK(fake_run(end, true) == 0);
	for (uint32_t i = 0; i < n; i++) {
		struct sched_stats st;
		sched_vcpu_stats(&vc[i][0], &st);
		out[i] = (double)st.run_ns / (double)end;
		sched_vcpu_stop(&vc[i][0]);
	}
	sched_schedule(0, SCHED_TICK);
	for (uint32_t i = 0; i < n; i++)
		CHECK(sched_vm_remove(&vms[i], &err) == 0);
}

static bool near(double a, double b, double tol) { return a > b - tol && a < b + tol; }

static void test_weights_caps(void)
{
	double got[3];

	share_run(3, (uint32_t[]){ 512, 256, 256 }, (uint32_t[]){ 0, 0, 0 }, 10, got);
	CHECK(near(got[0], 0.5, 0.01) && near(got[1], 0.25, 0.01) && near(got[2], 0.25, 0.01));
	/* Cap 30%: held even though the pCPU would otherwise be idle. */
	share_run(1, (uint32_t[]){ 256 }, (uint32_t[]){ 30 }, 5, got);
	CHECK(near(got[0], 0.30, 0.01));
	/* A capped VM next to an uncapped one: the spare goes to the other. */
	share_run(2, (uint32_t[]){ 256, 256 }, (uint32_t[]){ 20, 0 }, 5, got);
	CHECK(near(got[0], 0.20, 0.01) && near(got[1], 0.80, 0.01));
	printf("shares: %.4f %.4f\n", got[0], got[1]);
}

int main(void)
{
	test_select();
	test_basic();
	test_weights_caps();
	return check_done("test_sched_free");
}
