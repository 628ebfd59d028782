/* mtwork: a multi-threaded workload for Linux guests (static, in the
 * initramfs). N threads (default: online CPUs) each do a fixed amount of
 * private work between short critical sections under one shared spinlock,
 * the pattern whose lock holders a hypervisor may preempt. Prints one line
 * per thread and a summary:
 *   mtwork: threads=N iters=M counter=C expected=E ms=T spins=S PASS|FAIL
 * Usage: mtwork [-t threads] [-n iterations per thread] [-w work per iter]
 * Exit status 0 when the counter is exact. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 1024

static volatile int lock;                 /* 0 free, 1 held */
static uint64_t counter;                  /* protected by lock */
static uint64_t checksum;                 /* protected by lock */
static long iters = 200000, work = 200;

struct worker {
	pthread_t tid;
	int id;
	uint64_t result;                  /* private work's output */
	uint64_t spins;                   /* failed lock attempts */
};

static void spin_lock(uint64_t *spins)
{
	/* Test-and-test-and-set: spin on a plain read, PAUSE in the loop. */
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE)) {
		do {
			__builtin_ia32_pause();
			(*spins)++;
		} while (__atomic_load_n(&lock, __ATOMIC_RELAXED));
	}
}

static void spin_unlock(void)
{
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);

	for (long i = 0; i < iters; i++) {
		/* Private work: xorshift steps the compiler cannot drop. */
		for (long k = 0; k < work; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		spin_lock(&w->spins);
		counter++;
		checksum += x & 0xff;
		spin_unlock();
	}
	w->result = x;
	return NULL;
}

static long arg_num(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*s == 0 || *end != 0 || v <= 0) {
		fprintf(stderr, "mtwork: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static struct worker ws[MAX_THREADS];
	long nthreads = sysconf(_SC_NPROCESSORS_ONLN), spins = 0;
	struct timespec t0, t1;
	uint64_t expected, ms;
	int opt;

	while ((opt = getopt(argc, argv, "t:n:w:")) != -1) {
		switch (opt) {
		case 't': nthreads = arg_num(optarg, "thread count"); break;
		case 'n': iters = arg_num(optarg, "iteration count"); break;
		case 'w': work = arg_num(optarg, "work count"); break;
		default:
			fprintf(stderr, "usage: mtwork [-t threads] [-n iterations] [-w work]\n");
			return 2;
		}
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < nthreads; i++) {
		ws[i].id = (int)i;
		if (pthread_create(&ws[i].tid, NULL, run, &ws[i]) != 0) {
			fprintf(stderr, "mtwork: pthread_create failed for thread %ld\n", i);
			return 1;
		}
	}
	for (long i = 0; i < nthreads; i++)
		pthread_join(ws[i].tid, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	     (uint64_t)((t1.tv_nsec - t0.tv_nsec) / 1000000);

	for (long i = 0; i < nthreads; i++) {
		printf("mtwork: thread %ld result=%016llx spins=%llu\n", i,
		       (unsigned long long)ws[i].result, (unsigned long long)ws[i].spins);
		spins += (long)ws[i].spins;
	}
	expected = (uint64_t)nthreads * (uint64_t)iters;
	printf("mtwork: threads=%ld iters=%ld counter=%llu expected=%llu ms=%llu spins=%ld %s\n",
	       nthreads, iters, (unsigned long long)counter, (unsigned long long)expected,
	       (unsigned long long)ms, spins, counter == expected ? "PASS" : "FAIL");
	fflush(stdout);
	return counter == expected ? 0 : 1;
}
