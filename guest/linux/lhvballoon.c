/* lhvballoon: the guest side of time ballooning (docs/scheduling.md,
 * "balloon"; docs/hypercalls.md, "lhv's LHP interface").
 *
 * One thread per online CPU, pinned to it, asks lhv each period for that
 * vCPU's speed with LHV_SPEED (0..1024: the share of a pCPU the vCPU got
 * while it wanted one; the result comes back in a register, no memory is
 * shared with lhv). A thread on a vCPU slower than the fastest one then
 * inflates a balloon for the capacity it lacks: it calls LHV_BALLOON, so
 * lhv gives the pCPU back for that time while the guest's scheduler sees
 * this thread busy on that CPU and its load balancer moves work to the
 * faster vCPUs. The VM uses no more pCPU time than before: a ballooned
 * vCPU runs nothing.
 *
 *   lhvballoon [-p PERIOD_US] [-t SECONDS]     (defaults 10000, forever)
 *
 * Needs the VM's module line to open lhv's LHP calls to user space
 * (user_hc=lhp). Prints "LHV-BALLOON: ..." lines (docs/hypercalls.md);
 * SIGTERM stops it, then it prints each CPU's counts. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lhv_hc.h"

#define HC_BALLOON       0x4C480013u
#define HC_SPEED         0x4C480014u
#define SPEED_ONE        1024u
#define MAX_CPUS         256

static long period_us = 10000, seconds;
static volatile uint32_t speed[MAX_CPUS];   /* each CPU's last speed, for the others */
static volatile sig_atomic_t stop;
static unsigned long balloons[MAX_CPUS], balloon_us[MAX_CPUS], speeds[MAX_CPUS];

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *per_cpu(void *arg)
{
	int cpu = (int)(intptr_t)arg;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		printf("LHV-BALLOON: cpu %d: cannot pin: %s\n", cpu, strerror(errno));
		return NULL;
	}
	uint64_t end = seconds ? now_us() + (uint64_t)seconds * 1000000u : 0;
	while (!stop && (!end || now_us() < end)) {
		/* This thread is pinned: the call reports this CPU's vCPU. */
		long r = lhv_hc(HC_SPEED, 0, 0, 0, 0);
		if (r < 0 || r > (long)SPEED_ONE) {
			printf("LHV-BALLOON: cpu %d: LHV_SPEED refused (result %ld)\n", cpu, r);
			fflush(stdout);
			return NULL;
		}
		speeds[cpu]++;
		uint32_t s = (uint32_t)r, best = 0;
		speed[cpu] = s;
		for (int i = 0; i < MAX_CPUS; i++)
			if (speed[i] > best)
				best = speed[i];
		/* The capacity this vCPU lacks against the fastest one, as a
		 * share of the period; below 5% it is not worth an exit. */
		long b = 0;
		if (s && best && s < best)
			b = (long)((uint64_t)period_us * (best - s) / best);
		if (b > period_us / 20) {
			if (lhv_hc(HC_BALLOON, (uint64_t)b, 0, 0, 0) == 0) {
				balloons[cpu]++;
				balloon_us[cpu] += (unsigned long)b;
			}
		}
		if (b < period_us)
			usleep((useconds_t)(period_us - b));
	}
	return NULL;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	int o;
	signal(SIGTERM, on_term);
	while ((o = getopt(argc, argv, "p:t:")) != -1) {
		if (o == 'p')
			period_us = atol(optarg);
		else if (o == 't')
			seconds = atol(optarg);
		else {
			fprintf(stderr, "usage: lhvballoon [-p PERIOD_US] [-t SECONDS]\n");
			return 2;
		}
	}
	if (period_us < 1000 || period_us > 1000000) {
		fprintf(stderr, "lhvballoon: period must be 1000..1000000 us\n");
		return 2;
	}
	lhv_hc_init();
	int n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1 || n > MAX_CPUS)
		n = 1;
	pthread_t t[MAX_CPUS];
	printf("LHV-BALLOON: %d vCPUs, period %ld us\n", n, period_us);
	fflush(stdout);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, per_cpu, (void *)(intptr_t)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < n; i++)
		printf("LHV-BALLOON: cpu %d balloons=%lu balloon_ms=%lu last_speed=%u speeds=%lu\n", i,
		       balloons[i], balloon_us[i] / 1000, speed[i], speeds[i]);
	return 0;
}
