/* adaptive against the scripted environment: two VMs of 4 vCPUs on 4 pCPUs.
 * PAUSE-loop exits while a sibling waits for a pCPU move VM 0 to
 * co-scheduling (counted, time stamped), where it never runs as a partial
 * gang and shares the machine with the free VM by weight; spins with every
 * sibling running are not evidence; once the evidence stops, VM 0 returns
 * to free scheduling after the hold time; a VM larger than the machine
 * stays free. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

#define MS 1000000ull

static struct sched_vm vms[2];
static struct sched_vcpu vc[2][8];
static struct sched_vcpu *ptrs[2][8];

static void setup(uint32_t pcpus, uint32_t n0, uint32_t n1)
{
	const char *err;

	fake_setup(pcpus, "adaptive");
	memset(vms, 0, sizeof(vms));
	memset(vc, 0, sizeof(vc));
	CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, n0, &err) == 0);
	if (n1)
		CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, n1, &err) == 0);
	for (uint32_t i = 0; i < n0; i++)
		sched_wake(&vc[0][i]);
	for (uint32_t i = 0; i < n1; i++)
		sched_wake(&vc[1][i]);
	/* The pCPUs enter their loops 2.5 ms apart, so slices end at different
	 * times as on a machine that has been running. */
	for (uint32_t p = 0; p < pcpus; p++) {
		CHECK(fake_run(p * 2500000ull, true) == 0);
		sched_schedule(p, SCHED_TICK);
	}
	CHECK(fake_run(30 * MS, true) == 0);
}

/* A PAUSE-loop exit of a running vCPU of VM `vm`, as the hypervisor reports
 * it: the hint, then a yield if asked for. */
static void ple_exit(uint32_t vm)
{
	for (uint32_t i = 0; i < vms[vm].nr_vcpus; i++) {
		struct sched_vcpu *v = &vc[vm][i];
		if (v->state != SCHED_RUNNING)
			continue;
		sched_hint(v, SCHED_HINT_SPIN, 1);
		sched_hint(v, SCHED_HINT_SPIN, 0);
		return;
	}
}

static uint64_t vm_run(uint32_t vm)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < vms[vm].nr_vcpus; i++) {
		struct sched_stats st;
		sched_vcpu_stats(&vc[vm][i], &st);
		sum += st.run_ns;
	}
	return sum;
}

static void test_switch_and_return(void)
{
	const char *err;
	uint64_t changes, ns[SCHED_NR_MODES];

	setup(4, 4, 4);
	CHECK(sched_set_param("adaptive.hold", "300ms", &err) == 0);
	CHECK(vms[0].nr_waiting > 0); /* 2x overcommit: some of VM 0 wait */
	for (int i = 0; i < 19; i++)
		ple_exit(0);
	CHECK_EQ(sched_vm_mode(&vms[0], &changes, NULL), SCHED_MODE_FREE); /* threshold is 20 */
	ple_exit(0);
	CHECK_EQ(sched_vm_mode(&vms[0], &changes, NULL), SCHED_MODE_COSCHED);
	CHECK_EQ(changes, 1);
	CHECK_EQ(fake_events[SCHED_EV_MODE], 1);   /* reported (trace, console) */
	CHECK_EQ(fake_event_value[SCHED_EV_MODE], SCHED_MODE_COSCHED);
	CHECK(fake_event_vcpu[SCHED_EV_MODE] == vms[0].vcpus[0]);
	CHECK_EQ(sched_vm_mode(&vms[1], NULL, NULL), SCHED_MODE_FREE);
	/* Co-scheduled: checked at every step (no partial gang, queues agree),
	 * and the free VM keeps half the machine. */
	uint64_t r0 = vm_run(0), r1 = vm_run(1), t0 = fake_now;
	for (uint64_t t = fake_now; t < t0 + 250 * MS; t += MS)
		CHECK(fake_run(t, true) == 0);
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_COSCHED);
	uint64_t d0 = vm_run(0) - r0, d1 = vm_run(1) - r1;
	CHECK(d0 > 450 * MS && d1 > 450 * MS); /* of 1000 pCPU-ms */
	/* No more evidence: back to free once the hold ran out. */
	CHECK(fake_run(t0 + 450 * MS, true) == 0);
	CHECK_EQ(sched_vm_mode(&vms[0], &changes, ns), SCHED_MODE_FREE);
	CHECK_EQ(changes, 2);
	CHECK_EQ(fake_events[SCHED_EV_MODE], 2);
	CHECK_EQ(fake_event_value[SCHED_EV_MODE], SCHED_MODE_FREE);
	/* The hold runs from the end of the last window that saw evidence:
	 * between hold and hold + window (+ a round) after the switch. */
	CHECK(ns[SCHED_MODE_COSCHED] >= 300 * MS && ns[SCHED_MODE_COSCHED] <= 410 * MS);
	CHECK(fake_run(fake_now + 100 * MS, true) == 0);
}

static void test_not_evidence(void)
{
	/* 1x: every vCPU of VM 0 runs; its spins are ordinary contention. */
	setup(4, 4, 0);
	CHECK_EQ(vms[0].nr_waiting, 0);
	for (int i = 0; i < 200; i++)
		ple_exit(0);
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_FREE);
	/* A VM larger than the machine cannot be co-scheduled: it stays free. */
	setup(4, 6, 0);
	for (int i = 0; i < 200; i++)
		ple_exit(0);
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_FREE);
	CHECK(fake_run(100 * MS, true) == 0);
}

static void test_long_spin_and_kick(void)
{
	uint64_t changes;

	/* LHV_SPIN reports count whatever the siblings do, and ask for a yield. */
	setup(4, 4, 0);
	CHECK(sched_hint(&vc[0][0], SCHED_HINT_LONG_SPIN, 1));
	for (int i = 0; i < 19; i++)
		sched_hint(&vc[0][0], SCHED_HINT_LONG_SPIN, 1);
	CHECK_EQ(sched_vm_mode(&vms[0], &changes, NULL), SCHED_MODE_COSCHED);
	CHECK_EQ(vc[0][0].stats.spin_reports, 20);
	/* Kicks of PV-halted siblings count, kicks of running ones do not. */
	setup(4, 4, 0);
	struct sched_vcpu *h = &vc[0][3];
	for (int i = 0; i < 30; i++)
		sched_hint(&vc[0][0], SCHED_HINT_KICK_VCPU, 1); /* vCPU 1 runs */
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_FREE);
	for (int i = 0; i < 20; i++) {
		sched_hint(h, SCHED_HINT_PV_HALT, 0);
		CHECK(sched_schedule(h->pcpu, SCHED_BLOCK) == NULL);
		sched_hint(&vc[0][0], SCHED_HINT_KICK_VCPU, 3);
		sched_wake(h);
		CHECK(fake_run(fake_now, true) == 0);
	}
	CHECK_EQ(sched_vm_mode(&vms[0], NULL, NULL), SCHED_MODE_COSCHED);
	CHECK_EQ(h->stats.pv_halts, 20);
	CHECK(fake_run(fake_now + 50 * MS, true) == 0);
}

int main(void)
{
	test_switch_and_return();
	test_not_evidence();
	test_long_spin_and_kick();
	return check_done("test_sched_adaptive");
}
