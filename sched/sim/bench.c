/* sched_bench: cost of one scheduling decision (ns per sched_schedule call)
 * as the machine grows, for every compiled-in policy. P pCPUs, P VMs of 2 always-runnable vCPUs (2x
 * overcommit); timers and kicks are delivered in time order through the
 * simulator's event queue; only the sched_schedule calls are timed, minus
 * the measured cost of reading the clock. Host-only (uses wall time). */
#include "sched/sched_ops.h"
#include "sched/sim/evq.h"
#include "sched/sim/simenv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct sim_evq q;
static uint32_t *timer_gen;
static uint8_t *kicked;

static void on_timer(unsigned p, uint64_t deadline)
{
	timer_gen[p]++;
	if (deadline)
		sim_evq_post(&q, deadline > simenv_now ? deadline : simenv_now, EV_TIMER, p, timer_gen[p]);
}

static void on_kick(unsigned p)
{
	if (!kicked[p]) {
		kicked[p] = 1;
		sim_evq_post(&q, simenv_now, EV_KICK, p, 0);
	}
}

static uint64_t ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static double bench(const char *policy, uint32_t P, uint64_t calls, double clock_cost)
{
	const char *err;
	struct sched_pcpu *pc = calloc(P, sizeof(*pc));
	struct sched_vm *vms = calloc(P, sizeof(*vms));
	struct sched_vcpu *vc = calloc(2 * (size_t)P, sizeof(*vc));
	struct sched_vcpu **ptrs = calloc(2 * (size_t)P, sizeof(*ptrs));
	timer_gen = calloc(P, sizeof(*timer_gen));
	kicked = calloc(P, 1);
	simenv_now = 0;
	sim_evq_init(&q);
	if (sched_init(pc, P, &err) || sched_select(policy, &err)) {
		fprintf(stderr, "sched_bench: %s\n", err);
		exit(2);
	}
	for (uint32_t i = 0; i < P; i++) {
		ptrs[2 * i] = &vc[2 * i];
		ptrs[2 * i + 1] = &vc[2 * i + 1];
		vms[i] = (struct sched_vm){ .id = i, .nr_vcpus = 2, .vcpus = &ptrs[2 * i] };
		if (sched_vm_add(&vms[i], &err)) {
			fprintf(stderr, "sched_bench: %s\n", err);
			exit(2);
		}
	}
	for (uint32_t i = 0; i < P; i++)
		sim_evq_post(&q, i * 7919ull % 10000000ull, EV_BOOT, i, 0);
	for (uint32_t i = 0; i < 2 * P; i++)
		sched_wake(&vc[i]);
	uint64_t total = 0, n = 0;
	struct sim_ev ev;
	while (n < calls && sim_evq_pop(&q, &ev)) {
		simenv_now = ev.time;
		if (ev.kind == EV_TIMER && ev.gen != timer_gen[ev.id])
			continue;
		if (ev.kind == EV_KICK)
			kicked[ev.id] = 0;
		uint64_t t0 = ns();
		sched_schedule(ev.id, SCHED_TICK);
		total += ns() - t0;
		n++;
	}
	sim_evq_free(&q);
	free(pc), free(vms), free(vc), free(ptrs), free(timer_gen), free(kicked);
	return n ? (double)total / n - clock_cost : 0;
}

int main(int argc, char **argv)
{
	uint64_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	uint64_t t0 = ns(), k;
	for (k = 0; k < 1000000; k++)
		(void)ns();
	double clock_cost = (double)(ns() - t0) / (double)k;

	simenv_timer_hook = on_timer;
	simenv_kick_hook = on_kick;
	printf("# ns per sched_schedule() call, 2x overcommit (P VMs of 2 vCPUs), clock cost %.1f ns subtracted\n",
	       clock_cost);
	printf("%8s %8s", "pcpus", "vcpus");
	for (uint32_t i = 0; i < sched_policy_count(); i++)
		printf(" %10s", sched_policy(i)->name);
	printf("\n");
	for (uint32_t P = 2; P <= 1024; P *= 2) {
		printf("%8u %8u", P, 2 * P);
		for (uint32_t i = 0; i < sched_policy_count(); i++)
			printf(" %10.1f", bench(sched_policy(i)->name, P, calls, clock_cost));
		printf("\n");
	}
	return 0;
}
