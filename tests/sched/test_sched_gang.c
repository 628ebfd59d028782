/* The gang policy against the scripted environment: refusal of VMs larger
 * than the machine, whole-gang dispatch and switching, backfilling with
 * gangs that fit, blocked members idling their pCPU, and fairness. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <stdio.h>
#include <string.h>

#define MS 1000000ull

static struct sched_vm vms[4];
static struct sched_vcpu vc[4][8];
static struct sched_vcpu *ptrs[4][8];

static uint32_t running_of(uint32_t vm)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < vms[vm].nr_vcpus; i++)
		n += vc[vm][i].state == SCHED_RUNNING;
	return n;
}

static void add(uint32_t i, uint32_t n)
{
	const char *err;
	memset(&vms[i], 0, sizeof(vms[i]));
	CHECK(fake_vm(&vms[i], vc[i], ptrs[i], i, n, &err) == 0);
	for (uint32_t k = 0; k < n; k++)
		sched_wake(&vc[i][k]);
}

static void test_refuse(void)
{
	const char *err = NULL;

	fake_setup(4, "gang");
	memset(&vms[0], 0, sizeof(vms[0]));
	CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, 5, &err) == -1);
	CHECK(err && strstr(err, "5 vCPUs") && strstr(err, "only 4 pCPUs"));
}

static void test_switch(void)
{
	fake_setup(4, "gang");
	add(0, 4);
	add(1, 4);
	CHECK(fake_run(0, true) == 0);
	uint64_t changes = 1, ns[SCHED_NR_MODES];
	CHECK_EQ(sched_vm_mode(&vms[0], &changes, ns), SCHED_MODE_COSCHED); /* gang's mode for all */
	CHECK_EQ(changes, 0);
	CHECK_EQ(running_of(0) + running_of(1), 4);
	CHECK(running_of(0) == 4 || running_of(1) == 4);
	uint32_t first = running_of(0) == 4 ? 0 : 1;
	CHECK(fake_run(SCHED_DEFAULT_SLICE_NS, true) == 0);
	CHECK_EQ(running_of(1 - first), 4);
	CHECK_EQ(running_of(first), 0);
	/* 1 s later: equal shares, never a partial gang (checked each step). */
	CHECK(fake_run(1000 * MS, true) == 0);
	struct sched_stats a, b;
	sched_vcpu_stats(&vc[0][0], &a);
	sched_vcpu_stats(&vc[1][0], &b);
	CHECK(a.run_ns > 490 * MS && b.run_ns > 490 * MS);
	CHECK_EQ(a.migrations, 0);
}

static void test_backfill_and_block(void)
{
	const char *err;

	fake_setup(4, "gang");
	add(0, 2);
	add(1, 2);
	add(2, 4);
	CHECK(fake_run(0, true) == 0);
	/* Two 2-gangs share the machine or the 4-gang has it alone. */
	CHECK((running_of(0) == 2 && running_of(1) == 2) || running_of(2) == 4);
	CHECK(fake_run(2000 * MS, true) == 0);
	for (uint32_t i = 0; i < 3; i++) {
		struct sched_stats st;
		sched_vcpu_stats(&vc[i][0], &st);
		CHECK(st.run_ns > 500 * MS); /* nobody starves */
	}
	/* A blocked member leaves its pCPU idle while its gang runs. */
	while (running_of(2) != 4)
		CHECK(fake_run(fake_now + SCHED_DEFAULT_SLICE_NS, true) == 0);
	uint32_t p = vc[2][1].pcpu;
	CHECK(sched_schedule(p, SCHED_BLOCK) == NULL);
	CHECK_EQ(vc[2][1].state, SCHED_BLOCKED);
	CHECK_EQ(running_of(2), 3);
	CHECK(fake_pcpus[p].curr == NULL);
	CHECK(sched_check(&err) == 0);
	fake_now += 1000;
	uint64_t lat_sum = vc[2][1].stats.wake_lat_sum_ns;
	sched_wake(&vc[2][1]);
	CHECK(fake_kicked[p]);
	CHECK(fake_run(fake_now, true) == 0);
	CHECK_EQ(running_of(2), 4);
	CHECK_EQ(vc[2][1].stats.wake_lat_sum_ns, lat_sum); /* dispatched at once */
}

/* Pinned members run on their pCPUs; two members pinned to one pCPU could
 * never run together and are refused. */
static void test_affinity(void)
{
	const char *err = NULL;
	static uint64_t p2 = 1u << 2, p3 = 1u << 3, p01 = 3;

	fake_setup(4, "gang");
	memset(vms, 0, sizeof(vms));
	memset(vc, 0, sizeof(vc));
	vc[0][0].affinity = &p3;
	vc[0][1].affinity = &p2;
	vc[1][0].affinity = vc[1][1].affinity = &p01;
	add(0, 2);
	add(1, 3); /* its third member may go anywhere */
	for (uint32_t p = 0; p < 4; p++)
		sched_schedule(p, SCHED_TICK);
	for (uint64_t t = 0; t < 200 * MS; t += MS) {
		CHECK(fake_run(t, true) == 0);
		if (vc[0][0].state == SCHED_RUNNING)
			CHECK(vc[0][0].pcpu == 3 && vc[0][1].pcpu == 2);
		if (vc[1][0].state == SCHED_RUNNING)
			CHECK(vc[1][0].pcpu < 2 && vc[1][1].pcpu < 2);
	}
	struct sched_stats a, b;
	sched_vcpu_stats(&vc[0][0], &a);
	sched_vcpu_stats(&vc[1][2], &b);
	/* They cannot run together (VM 1 needs pCPUs 0, 1 and 2 or 3): they
	 * alternate, with equal pCPU time per VM (2 vs 3 vCPUs). */
	CHECK(a.run_ns > 110 * MS && b.run_ns > 75 * MS);
	memset(&vms[2], 0, sizeof(vms[2]));
	vc[2][0].affinity = vc[2][2].affinity = &p2;
	CHECK(fake_vm(&vms[2], vc[2], ptrs[2], 2, 3, &err) == -1);
	CHECK(err && strstr(err, "vCPUs 0 and 2 are both pinned to pCPU 2"));
}

/* Found by tests/fuzz/sched.c: a gang whose members with affinities can be
 * placed on distinct pCPUs, but not by giving each in turn the lowest pCPU
 * it allows, must run (it used to wait forever, no timer armed); one whose
 * affinities leave no placement at all is refused like a shared pin. */
static void test_affinity_matching(void)
{
	const char *err = NULL;
	static uint64_t p07 = 0x81, p7 = 0x80, p01 = 3;

	/* vCPU 0 may run anywhere, vCPU 1 on 0 or 7, vCPU 2 only on 7: the
	 * old placement gave pCPU 0 to vCPU 0 and then had none for vCPU 1. */
	fake_setup(8, "gang");
	memset(vms, 0, sizeof(vms));
	memset(vc, 0, sizeof(vc));
	vc[0][1].affinity = &p07;
	vc[0][2].affinity = &p7;
	add(0, 4);
	for (uint32_t p = 0; p < 8; p++)
		sched_schedule(p, SCHED_TICK);
	CHECK(fake_run(10 * MS, true) == 0);
	CHECK_EQ(running_of(0), 4);
	CHECK(vc[0][1].pcpu == 0 && vc[0][2].pcpu == 7);

	/* Three members allowed on the same two pCPUs. */
	memset(&vms[1], 0, sizeof(vms[1]));
	vc[1][0].affinity = vc[1][1].affinity = vc[1][2].affinity = &p01;
	CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 3, &err) == -1);
	CHECK(err && strstr(err, "leave no distinct pCPUs"));
	/* adaptive accepts it but never co-schedules it (it stays free). */
	fake_setup(4, "adaptive");
	memset(vms, 0, sizeof(vms));
	memset(vc, 0, sizeof(vc));
	vc[1][0].affinity = vc[1][1].affinity = vc[1][2].affinity = &p01;
	CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 3, &err) == 0);
	for (uint32_t k = 0; k < 3; k++)
		sched_wake(&vc[1][k]);
	for (uint32_t p = 0; p < 4; p++)
		sched_schedule(p, SCHED_TICK);
	for (uint32_t i = 0; i < 100; i++) {
		struct sched_vcpu *v = fake_pcpus[0].curr ? fake_pcpus[0].curr : fake_pcpus[1].curr;
		if (v)
			sched_hint(v, SCHED_HINT_LONG_SPIN, SCHED_NO_VCPU); /* evidence */
		CHECK(fake_run(fake_now + MS, true) == 0);
	}
	CHECK(sched_vm_mode(&vms[1], NULL, NULL) == SCHED_MODE_FREE);
}

int main(void)
{
	test_refuse();
	test_switch();
	test_backfill_and_block();
	test_affinity();
	test_affinity_matching();
	return check_done("test_sched_gang");
}
