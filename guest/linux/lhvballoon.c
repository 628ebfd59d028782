/* lhvballoon: the guest side of time ballooning (docs/scheduling.md,
 * "balloon"; docs/hypercalls.md, "lhv's LHP interface").
 *
 * One thread per online CPU, pinned to it, registers an lhv hint area for
 * that vCPU and reads the speed lhv publishes there (0..1024: the share of
 * a pCPU the vCPU got while it wanted one). Every period, a thread on a
 * vCPU slower than the fastest one inflates a balloon for the capacity it
 * lacks: it calls LHV_BALLOON, so lhv gives the pCPU back for that time
 * while the guest's scheduler sees this thread busy on that CPU and its
 * load balancer moves work to the faster vCPUs. The VM uses no more pCPU
 * time than before: a ballooned vCPU runs nothing.
 *
 *   lhvballoon [-p PERIOD_US] [-t SECONDS]     (defaults 10000, forever)
 *
 * Needs the VM's module line to open lhv's LHP calls to user space
 * (user_hc=lhp). The area's guest-physical address comes from
 * /proc/self/pagemap (root). Prints "LHV-BALLOON: ..." lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "lhv_hc.h"

#define HC_HINT_REGISTER 0x4C480010u
#define HC_BALLOON       0x4C480013u
#define LHP_VERSION      1
#define SPEED_OFF        12
#define SPEED_ONE        1024u
#define MAX_CPUS         256

static long period_us = 10000, seconds;
static volatile uint32_t speed[MAX_CPUS];
static volatile int stop;
static unsigned long balloons[MAX_CPUS], balloon_us[MAX_CPUS];

/* Guest-physical address of a locked byte of ours, or 0. */
static uint64_t gpa_of(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	off_t off = (off_t)((uintptr_t)p / (uintptr_t)page) * 8;
	ssize_t n = pread(fd, &e, sizeof(e), off);
	close(fd);
	if (n != sizeof(e) || !(e >> 63) || !(e & ((1ull << 55) - 1)))
		return 0;
	return (e & ((1ull << 55) - 1)) * (uint64_t)page + (uintptr_t)p % (uintptr_t)page;
}

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
	uint8_t *area = aligned_alloc(4096, 4096);
	if (!area || mlock(area, 4096)) {
		printf("LHV-BALLOON: cpu %d: cannot lock a page\n", cpu);
		return NULL;
	}
	memset(area, 0, 4096);
	uint64_t gpa = gpa_of(area);
	long r = gpa ? lhv_hc(HC_HINT_REGISTER, gpa, LHP_VERSION, 0, 0) : -1;
	if (r) {
		printf("LHV-BALLOON: cpu %d: hint area not registered (gpa 0x%llx, result %ld)\n", cpu,
		       (unsigned long long)gpa, r);
		return NULL;
	}
	volatile uint32_t *sp = (volatile uint32_t *)(void *)(area + SPEED_OFF);
	uint64_t end = seconds ? now_us() + (uint64_t)seconds * 1000000u : 0;
	while (!stop && (!end || now_us() < end)) {
		uint32_t s = *sp, best = 0;
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
	lhv_hc(HC_HINT_REGISTER, 0, LHP_VERSION, 0, 0);
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
		printf("LHV-BALLOON: cpu %d balloons=%lu balloon_ms=%lu last_speed=%u\n", i, balloons[i],
		       balloon_us[i] / 1000, speed[i]);
	return 0;
}
