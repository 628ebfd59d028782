#include "tests/sched/fake_env.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t fake_timer[FAKE_MAX_PCPUS];
bool fake_kicked[FAKE_MAX_PCPUS];
uint64_t fake_kicks;
struct sched_pcpu fake_pcpus[FAKE_MAX_PCPUS];
uint32_t fake_nr_pcpus;
uint64_t fake_events[FAKE_NR_EVENTS];
uint32_t fake_event_value[FAKE_NR_EVENTS];
struct sched_vcpu *fake_event_vcpu[FAKE_NR_EVENTS];

static void record_event(struct sched_vcpu *v, int ev, uint32_t value)
{
	if (ev <= 0 || ev >= FAKE_NR_EVENTS) {
		fprintf(stderr, "sched_env_event: unknown event %d\n", ev);
		exit(1);
	}
	fake_events[ev]++;
	fake_event_value[ev] = value;
	fake_event_vcpu[ev] = v;
}

static void record_timer(unsigned pcpu, uint64_t deadline) { fake_timer[pcpu] = deadline; }

static void record_kick(unsigned pcpu)
{
	fake_kicked[pcpu] = true;
	fake_kicks++;
}

void fake_setup(uint32_t nr, const char *policy)
{
	const char *err;

	fake_now = 0;
	fake_nr_pcpus = nr;
	simenv_timer_hook = record_timer;
	simenv_kick_hook = record_kick;
	simenv_event_hook = record_event;
	memset(fake_events, 0, sizeof(fake_events));
	for (uint32_t i = 0; i < FAKE_MAX_PCPUS; i++) {
		fake_timer[i] = 0;
		fake_kicked[i] = false;
	}
	if (sched_init(fake_pcpus, nr, &err) || (policy && sched_select(policy, &err))) {
		fprintf(stderr, "setup: %s\n", err);
		exit(1);
	}
}

static bool deliver_kicks(void)
{
	bool any = false;

	for (uint32_t p = 0; p < fake_nr_pcpus; p++) {
		if (fake_kicked[p]) {
			fake_kicked[p] = false;
			sched_schedule(p, SCHED_TICK);
			any = true;
		}
	}
	return any;
}

int fake_run(uint64_t until, bool check)
{
	int bad = 0;
	const char *err;

	for (;;) {
		while (deliver_kicks())
			;
		if (check && sched_check(&err)) {
			fprintf(stderr, "check at %llu: %s\n", (unsigned long long)fake_now, err);
			bad++;
		}
		uint32_t best = fake_nr_pcpus;
		for (uint32_t p = 0; p < fake_nr_pcpus; p++)
			if (fake_timer[p] && (best == fake_nr_pcpus || fake_timer[p] < fake_timer[best]))
				best = p;
		if (best == fake_nr_pcpus || fake_timer[best] > until)
			break;
		fake_now = MAX(fake_now, fake_timer[best]);
		fake_timer[best] = 0;
		sched_schedule(best, SCHED_TICK);
	}
	fake_now = MAX(fake_now, until);
	return bad;
}

int fake_vm(struct sched_vm *vm, struct sched_vcpu *vcpus, struct sched_vcpu **ptrs,
	    uint32_t id, uint32_t n, const char **err)
{
	for (uint32_t i = 0; i < n; i++)
		ptrs[i] = &vcpus[i];
	vm->id = id;
	vm->nr_vcpus = n;
	vm->vcpus = ptrs;
	return sched_vm_add(vm, err);
}

void fake_asym(struct fake_asym *a, const char *policy)
{
	static const uint64_t pin0 = 1, pin1 = 2;
	const char *err;

	fake_setup(2, policy);
	memset(a, 0, sizeof(*a));
	a->vc0[0].affinity = &pin0;
	a->vc0[1].affinity = a->vc1[0].affinity = &pin1;
	if (fake_vm(&a->vm[0], a->vc0, a->p0, 0, 2, &err) || fake_vm(&a->vm[1], a->vc1, a->p1, 1, 1, &err)) {
		fprintf(stderr, "fake_asym: %s\n", err);
		exit(1);
	}
	sched_wake(&a->vc0[0]);
	sched_wake(&a->vc0[1]);
	sched_wake(&a->vc1[0]);
	sched_schedule(0, SCHED_TICK);
	sched_schedule(1, SCHED_TICK);
}
