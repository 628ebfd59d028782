/* pdelay against the scripted environment: a vCPU in a critical section at
 * its slice end is extended step by step, never past the bound (overrun
 * counted, preempted all the same); a guest that leaves the section and
 * yields is counted on time; the non-intrusive forms use kernel mode,
 * interrupts-off or the guest kernel's own preemption count; each extension
 * is reported as a policy event; nothing is delayed when nobody waits. */
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

#define US 1000ull
#define MS 1000000ull

static struct sched_vm vms[2];
static struct sched_vcpu vc[2][1];
static struct sched_vcpu *ptrs[2][1];

/* One pCPU, VM 0 (flags) and VM 1, one vCPU each; VM 0's vCPU runs first
 * (equal vtimes, lower id) with its slice ending at 10 ms. */
static void setup(uint32_t flags)
{
	const char *err;

	fake_setup(1, "pdelay");
	for (uint32_t i = 0; i < 2; i++) {
		memset(&vms[i], 0, sizeof(vms[i]));
		memset(vc[i], 0, sizeof(vc[i]));
		vms[i].flags = i ? 0 : flags;
		CHECK(fake_vm(&vms[i], vc[i], ptrs[i], i, 1, &err) == 0);
		sched_wake(&vc[i][0]);
	}
	CHECK(sched_schedule(0, SCHED_TICK) == &vc[0][0]);
	CHECK_EQ(fake_timer[0], 10 * MS);
}

/* Deliver timers up to `until`; true if the timer never pointed past
 * `limit` meanwhile. */
static bool run_until(uint64_t until, uint64_t limit)
{
	bool ok = true;
	while (fake_timer[0] && fake_timer[0] <= until) {
		fake_run(fake_timer[0], true);
		ok &= !fake_timer[0] || fake_timer[0] <= limit || fake_pcpus[0].curr != &vc[0][0];
	}
	fake_now = until;
	return ok;
}

static void test_bound(void)
{
	struct sched_vcpu *a = &vc[0][0];
	struct sched_stats st;

	setup(SCHED_VM_CS_HINTS);
	a->guest = (struct sched_guest){ .kernel = true, .irq_off = true, .cs = 1 }; /* never leaves */
	CHECK(run_until(10 * MS, 11 * MS));
	CHECK(fake_pcpus[0].curr == a);             /* delayed at the slice end */
	CHECK(a->preempt_pending);                  /* the guest is told */
	CHECK_EQ(fake_timer[0], 10 * MS + 100 * US); /* one step at a time */
	CHECK_EQ(fake_events[SCHED_EV_DELAY], 1);   /* each extension is an event */
	CHECK_EQ(fake_event_value[SCHED_EV_DELAY], 100);
	CHECK(fake_event_vcpu[SCHED_EV_DELAY] == a);
	CHECK(run_until(20 * MS, 11 * MS));         /* never a timer past the bound */
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.run_ns, 11 * MS);               /* slice + bound, not a ns more */
	CHECK_EQ(st.delays, 1);
	CHECK_EQ(st.overruns, 1);
	CHECK_EQ(st.delay_ns, 1 * MS);
	CHECK_EQ(fake_events[SCHED_EV_DELAY], 10);  /* ten steps of 100 us */
	CHECK_EQ(st.yields_on_time, 0);
	CHECK(!a->preempt_pending);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
}

static void test_yield_on_time(void)
{
	struct sched_vcpu *a = &vc[0][0];
	struct sched_stats st;

	setup(SCHED_VM_CS_HINTS);
	a->guest.cs = 1;
	run_until(10 * MS + 100 * US, 11 * MS);
	CHECK(fake_pcpus[0].curr == a && a->preempt_pending);
	fake_now = 10 * MS + 150 * US;              /* leaves the section, LHV_YIELD */
	a->guest.cs = 0;
	CHECK(sched_schedule(0, SCHED_YIELD) == &vc[1][0]);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.yields_on_time, 1);
	CHECK_EQ(st.overruns, 0);
	CHECK_EQ(st.delay_ns, 150 * US);
	CHECK(!a->preempt_pending);
	/* Outside a section at the next slice end: no delay. */
	run_until(40 * MS, UINT64_MAX);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.delays, 1);
}

static void test_nonintrusive(void)
{
	struct sched_vcpu *a = &vc[0][0];
	struct sched_stats st;
	const char *err;

	/* Without the protocol the critical-section count means nothing and
	 * kernel mode is the evidence: extended until it returns to user mode. */
	setup(0);
	a->guest = (struct sched_guest){ .kernel = true, .cs = 7 };
	run_until(10 * MS + 200 * US, 11 * MS);
	CHECK(fake_pcpus[0].curr == a);
	CHECK(!a->preempt_pending);                 /* nobody to tell */
	a->guest.kernel = false;
	run_until(10 * MS + 300 * US, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.run_ns, 10 * MS + 300 * US);
	CHECK_EQ(st.overruns, 0);
	/* evidence=irqoff: kernel mode with interrupts on is a safe point. */
	setup(0);
	CHECK(sched_set_param("pdelay.evidence", "irqoff", &err) == 0);
	a->guest = (struct sched_guest){ .kernel = true, .irq_off = false };
	run_until(10 * MS, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
	/* form=intrusive ignores kernel mode in a VM without the protocol. */
	setup(0);
	CHECK(sched_set_param("pdelay.form", "intrusive", &err) == 0);
	a->guest = (struct sched_guest){ .kernel = true, .irq_off = true };
	run_until(10 * MS, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
}

/* evidence=preempt (the default): where the environment read the guest
 * kernel's preemption count, it decides; kernel mode alone does not. */
static void test_preempt_count(void)
{
	struct sched_vcpu *a = &vc[0][0];
	struct sched_stats st;

	/* Kernel mode, interrupts off, but the count says no critical
	 * section: preempted at the slice end. */
	setup(0);
	a->guest = (struct sched_guest){ .kernel = true, .irq_off = true, .pc_known = true };
	run_until(10 * MS, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.delays, 0);
	CHECK_EQ(fake_events[SCHED_EV_DELAY], 0);
	/* Inside one: extended until the count drops. */
	setup(0);
	a->guest = (struct sched_guest){ .kernel = true, .pc_known = true, .pc_off = true };
	run_until(10 * MS + 200 * US, 11 * MS);
	CHECK(fake_pcpus[0].curr == a);
	a->guest.pc_off = false;
	run_until(10 * MS + 300 * US, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.delays, 1);
	CHECK_EQ(st.overruns, 0);
	CHECK_EQ(st.run_ns, 10 * MS + 300 * US);
	/* A stale "inside" from user mode never delays (user mode is safe). */
	setup(0);
	a->guest = (struct sched_guest){ .kernel = false, .pc_known = true, .pc_off = true };
	run_until(10 * MS, 11 * MS);
	CHECK(fake_pcpus[0].curr == &vc[1][0]);
}

static void test_knobs_and_no_waiter(void)
{
	struct sched_vcpu *a = &vc[0][0];
	struct sched_stats st;
	const char *err;

	setup(SCHED_VM_CS_HINTS);
	CHECK(sched_set_param("pdelay.bound", "300us", &err) == 0);
	CHECK(sched_set_param("pdelay.step", "1ms", &err) == 0); /* larger than the bound: clamped */
	a->guest.cs = 1;
	CHECK(run_until(20 * MS, 10 * MS + 300 * US));
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.run_ns, 10 * MS + 300 * US);
	/* Nobody waiting: the slice is renewed, nothing is delayed. */
	setup(SCHED_VM_CS_HINTS);
	sched_vcpu_stop(&vc[1][0]);
	a->guest.cs = 1;
	run_until(30 * MS, 30 * MS);
	sched_vcpu_stats(a, &st);
	CHECK_EQ(st.delays, 0);
	CHECK(fake_pcpus[0].curr == a);
}

int main(void)
{
	test_bound();
	test_yield_on_time();
	test_nonintrusive();
	test_preempt_count();
	test_knobs_and_no_waiter();
	return check_done("test_sched_pdelay");
}
