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
	CHECK(err && strstr(err, "unknown scheduler 'nope' (available: ") && strstr(err, "free, gang"));
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

/* Affinity: vCPUs pinned to one pCPU only ever run there; a wider set is
 * honoured too; the others use what is left. */
static void test_affinity(void)
{
	const char *err;
	static uint64_t only1 = 1u << 1, set23 = 3u << 2, none = 0;

	fake_setup(4, "free");
	memset(vms, 0, sizeof(vms));
	memset(vc, 0, sizeof(vc));
	vc[0][0].affinity = vc[0][1].affinity = &only1;
	vc[0][2].affinity = vc[0][3].affinity = &set23;
	CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, 4, &err) == 0);
	CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 1, &err) == 0);
	for (uint32_t i = 0; i < 4; i++)
		sched_wake(&vc[0][i]);
	sched_wake(&vc[1][0]);
	for (uint32_t p = 0; p < 4; p++)
		sched_schedule(p, SCHED_TICK);
	for (uint64_t t = 0; t < 500 * MS; t += MS) {
		CHECK(fake_run(t, true) == 0); /* sched_check: nobody outside its affinity */
		for (uint32_t i = 0; i < 4; i++)
			if (vc[0][i].state == SCHED_RUNNING)
				CHECK(vc[0][i].pcpu == (i < 2 ? 1u : vc[0][i].pcpu) && (i < 2 || vc[0][i].pcpu >= 2));
	}
	struct sched_stats a, b, c;
	sched_vcpu_stats(&vc[0][0], &a);
	sched_vcpu_stats(&vc[0][1], &b);
	sched_vcpu_stats(&vc[1][0], &c);
	CHECK(a.run_ns + b.run_ns > 495 * MS);  /* they share pCPU 1 */
	CHECK(a.run_ns > 240 * MS && b.run_ns > 240 * MS);
	CHECK(c.run_ns > 495 * MS);             /* the free vCPU gets pCPU 0 */
	/* An affinity that allows no pCPU is refused. */
	fake_setup(2, "free");
	memset(vc, 0, sizeof(vc));
	vc[2][1].affinity = &none;
	CHECK(fake_vm(&vms[2], vc[2], ptrs[2], 2, 2, &err) == -1);
	CHECK(err && strstr(err, "vCPU 1") && strstr(err, "allows none"));
	/* A per-vCPU cap: 30% of a pCPU although the pCPU is otherwise idle. */
	fake_setup(1, "free");
	memset(vc, 0, sizeof(vc));
	vc[2][0].cap = 30;
	CHECK(fake_vm(&vms[2], vc[2], ptrs[2], 2, 1, &err) == 0);
	sched_wake(&vc[2][0]);
	sched_schedule(0, SCHED_TICK);
	CHECK(fake_run(2000 * MS, true) == 0);
	sched_vcpu_stats(&vc[2][0], &a);
	CHECK(near(a.run_ns / 2e9, 0.30, 0.01));
	vc[3][0].cap = 101;
	CHECK(fake_vm(&vms[3], vc[3], ptrs[3], 3, 1, &err) == -1);
	CHECK(err && strstr(err, "cap 101%"));
}

/* Directed yield: a spinning vCPU's PAUSE-loop exit hands its pCPU to the
 * sibling preempted inside a critical section, else in kernel mode; user-mode
 * ones are skipped; with free.dyield=off the yield is a plain one. */
static void test_directed_yield(void)
{
	const char *err;
	struct sched_vcpu *a = &vc[0][0], *b = &vc[0][1], *c = &vc[0][2];

	for (int round = 0; round < 4; round++) {
		fake_setup(1, "free");
		if (round == 3)
			CHECK(sched_set_param("free.dyield", "off", &err) == 0);
		memset(vms, 0, sizeof(vms));
		memset(vc, 0, sizeof(vc));
		CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, 3, &err) == 0);
		CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 1, &err) == 0);
		for (uint32_t i = 0; i < 3; i++)
			sched_wake(&vc[0][i]);
		sched_wake(&vc[1][0]);
		sched_schedule(0, SCHED_TICK);
		/* Each runs a slice; the guest states are what they were preempted in. */
		for (int k = 0; k < 4; k++) {
			struct sched_vcpu *cur = fake_pcpus[0].curr;
			cur->guest.kernel = cur == b || (cur == c && round < 2);
			cur->guest.cs = cur == c && round == 0;
			CHECK(fake_run(fake_now + 10 * MS, true) == 0);
		}
		/* Let the VM-1 vCPU (least vtime now) be current, then a. */
		while (fake_pcpus[0].curr != a)
			CHECK(fake_run(fake_now + 10 * MS, true) == 0);
		CHECK(b->preempted && c->preempted);
		uint64_t dy = a->stats.directed_yields;
		a->guest.kernel = true;
		CHECK(!sched_hint(a, SCHED_HINT_SPIN, 1)); /* the env yields on PLE anyway */
		struct sched_vcpu *next = sched_schedule(0, SCHED_YIELD);
		struct sched_vcpu *want[] = { c, b, b, NULL };
		if (want[round]) {
			CHECK(next == want[round]);
			CHECK_EQ(a->stats.directed_yields, dy + 1);
		} else {
			CHECK_EQ(a->stats.directed_yields, dy);
		}
		CHECK(fake_run(fake_now + 30 * MS, true) == 0);
	}
	/* A named target (KVM_HC_SCHED_YIELD) wins even if preempted in user mode. */
	CHECK(sched_set_param("free.dyield", "on", &err) == 0);
	while (fake_pcpus[0].curr != a)
		CHECK(fake_run(fake_now + 10 * MS, true) == 0);
	b->guest.kernel = false;
	CHECK(sched_hint(a, SCHED_HINT_YIELD_TO, 1));
	CHECK(sched_schedule(0, SCHED_YIELD) == b);
}

/* free.dyield=only (KVM's kvm_vcpu_on_spin): a PAUSE-loop exit with no
 * preempted sibling keeps the pCPU for the rest of its slice instead of
 * handing it to another VM; a preempted sibling in the kernel still gets
 * it; with dyield=on the same exit lets the other VM run. A sibling the
 * env saw inside a critical section by the guest kernel's own preemption
 * count ranks above one merely in kernel mode. */
static void test_dyield_only(void)
{
	const char *err;
	struct sched_vcpu *a = &vc[0][0], *b = &vc[0][1], *c = &vc[0][2];

	for (int round = 0; round < 3; round++) {
		fake_setup(1, "free");
		CHECK(sched_set_param("free.dyield", round == 2 ? "on" : "only", &err) == 0);
		memset(vms, 0, sizeof(vms));
		memset(vc, 0, sizeof(vc));
		CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, round == 1 ? 3 : 1, &err) == 0);
		CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 1, &err) == 0);
		for (uint32_t i = 0; i < vms[0].nr_vcpus; i++)
			sched_wake(&vc[0][i]);
		sched_wake(&vc[1][0]);
		sched_schedule(0, SCHED_TICK);
		for (int k = 0; k < 4; k++) {
			struct sched_vcpu *cur = fake_pcpus[0].curr;
			cur->guest = (struct sched_guest){ .kernel = cur == b || cur == c,
							   .pc_known = cur == c, .pc_off = cur == c };
			CHECK(fake_run(fake_now + 10 * MS, true) == 0);
		}
		while (fake_pcpus[0].curr != a)
			CHECK(fake_run(fake_now + 10 * MS, true) == 0);
		uint64_t end = fake_timer[0];
		fake_now += 2 * MS;                         /* into its slice */
		CHECK(!sched_hint(a, SCHED_HINT_SPIN, 1));
		struct sched_vcpu *next = sched_schedule(0, SCHED_YIELD);
		if (round == 0) {                           /* nobody to help: spins on */
			CHECK(next == a);
			CHECK_EQ(fake_timer[0], end);       /* the same slice, not a new one */
		} else if (round == 1) {
			CHECK(next == c);                   /* in a critical section by its count */
		} else {
			CHECK(next == &vc[1][0]);           /* dyield=on: the other VM goes first */
		}
		CHECK(fake_run(fake_now + 30 * MS, true) == 0);
	}
}

/* A vCPU that yields at every PAUSE-loop exit while another VM runs full
 * slices must not bank the time it gave away: once it stops yielding it
 * holds the pCPU for at most a slice and a half of credit before the other
 * VM runs again (it held it for about a quarter of a second when yields
 * kept all their credit). */
static void test_yield_no_banking(void)
{
	const char *err;

	fake_setup(1, "free");
	CHECK(fake_vm(&vms[0], vc[0], ptrs[0], 0, 1, &err) == 0);
	CHECK(fake_vm(&vms[1], vc[1], ptrs[1], 1, 1, &err) == 0);
	struct sched_vcpu *a = &vc[0][0];
	sched_wake(a);
	sched_wake(&vc[1][0]);
	struct sched_vcpu *cur = sched_schedule(0, SCHED_TICK);
	while (fake_now < 500 * MS) {
		if (cur == a) {
			fake_now += 10000;              /* spins 10 us, then yields */
			cur = sched_schedule(0, SCHED_YIELD);
		} else {
			fake_now = fake_timer[0];       /* the other runs its slice */
			cur = sched_schedule(0, SCHED_TICK);
		}
	}
	while (cur != a) {
		fake_now = fake_timer[0];
		cur = sched_schedule(0, SCHED_TICK);
	}
	uint64_t start = fake_now;
	for (int i = 0; i < 1000 && cur == a; i++) {
		fake_now = fake_timer[0];               /* a now runs whole slices */
		cur = sched_schedule(0, SCHED_TICK);
	}
	CHECK(cur == &vc[1][0]);
	CHECK(fake_now - start <= 3 * SCHED_DEFAULT_SLICE_NS);
	CHECK(sched_check(&err) == 0);
}

int main(void)
{
	test_select();
	test_basic();
	test_weights_caps();
	test_affinity();
	test_directed_yield();
	test_dyield_only();
	test_yield_no_banking();
	return check_done("test_sched_free");
}
