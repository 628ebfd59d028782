/* mtwork: user-level spinlock workload for Linux guests (static, in the
 * initramfs). N threads (default: online CPUs) each do private work between
 * short critical sections under one shared spinlock, the pattern whose lock
 * holders a hypervisor may preempt. Prints one line per thread, a summary
 * and the RESULT line of the guest workloads (work/wl.h, docs/linux.md):
 *   mtwork: thread <i> result=<hex> spins=<n>
 *   mtwork: threads=N iters=M counter=C expected=E ms=T spins=S PASS|FAIL
 *   RESULT ops_per_s=<n> workload=mtwork threads=N ... ok=<0|1> lock=<kind> spins=<n>
 * Usage: mtwork [-l tas|ttas|ticket] [-t threads] [-n iterations per thread |
 *               -s seconds] [-w work per iteration]
 *   -l tas     test-and-set: every attempt is an atomic exchange
 *   -l ttas    test-and-test-and-set (default): spin reading, then exchange
 *   -l ticket  ticket lock: FIFO, so a preempted waiter blocks all behind it
 * An operation is one critical section; its latency is the time spent
 * waiting for the lock (0 when it was free: the uncontended path reads no
 * clock). Exit status 0 when the counter is exact. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "work/wl.h"

enum lock_kind { LOCK_TAS, LOCK_TTAS, LOCK_TICKET };
static const char *const lock_names[] = { "tas", "ttas", "ticket" };

static enum lock_kind kind = LOCK_TTAS;
static volatile int lock;                 /* tas, ttas: 0 free, 1 held */
static volatile uint32_t next_ticket, now_serving;  /* ticket */
static uint64_t counter;                  /* protected by the lock */
static uint64_t checksum;                 /* protected by the lock */
static long work = 200;

/* Take the lock; add the wait to the worker's histogram and the failed
 * attempts (PAUSE loops) to *spins. */
static void spin_lock(struct wl_worker *w, uint64_t *spins)
{
	uint64_t t0;

	switch (kind) {
	case LOCK_TAS:
		if (!__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
			break;
		t0 = wl_now_ns();
		do {
			__builtin_ia32_pause();
			(*spins)++;
		} while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE));
		wl_hist_add(&w->hist, wl_now_ns() - t0);
		return;
	case LOCK_TTAS:
		if (!__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
			break;
		t0 = wl_now_ns();
		do {
			do {
				__builtin_ia32_pause();
				(*spins)++;
			} while (__atomic_load_n(&lock, __ATOMIC_RELAXED));
		} while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE));
		wl_hist_add(&w->hist, wl_now_ns() - t0);
		return;
	case LOCK_TICKET: {
		uint32_t me = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_RELAXED);

		if (__atomic_load_n(&now_serving, __ATOMIC_ACQUIRE) == me)
			break;
		t0 = wl_now_ns();
		do {
			__builtin_ia32_pause();
			(*spins)++;
		} while (__atomic_load_n(&now_serving, __ATOMIC_ACQUIRE) != me);
		wl_hist_add(&w->hist, wl_now_ns() - t0);
		return;
	}
	}
	wl_hist_add(&w->hist, 0);
}

static void spin_unlock(void)
{
	if (kind == LOCK_TICKET)
		__atomic_store_n(&now_serving, now_serving + 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
}

/* aux[0]: spins, aux[1]: the private work's output. */
static void run(struct wl_worker *w)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);

	while (wl_more(w)) {
		x = wl_spin_work(x, work);
		spin_lock(w, &w->aux[0]);
		counter++;
		checksum += x & 0xff;
		spin_unlock();
		w->ops++;
	}
	w->aux[1] = x;
}

static void usage(void)
{
	fprintf(stderr, "usage: mtwork [-l tas|ttas|ticket] [-t threads] "
			"[-n iterations | -s seconds] [-w work]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct wl_opts o = { "mtwork", sysconf(_SC_NPROCESSORS_ONLN), 0, 200000 };
	struct wl_worker *ws;
	uint64_t ns, expected = 0, spins = 0;
	char extra[80];
	bool pass;
	int opt;

	while ((opt = getopt(argc, argv, "l:t:n:s:w:")) != -1) {
		switch (opt) {
		case 'l':
			for (kind = 0; kind < 3 && strcmp(optarg, lock_names[kind]); kind++)
				;
			if (kind == 3) {
				fprintf(stderr, "mtwork: unknown lock '%s'\n", optarg);
				usage();
			}
			break;
		case 't': o.threads = wl_arg_long("mtwork", optarg, "thread count"); break;
		case 'n': o.ops = wl_arg_long("mtwork", optarg, "iteration count"); o.secs = 0; break;
		case 's': o.secs = wl_arg_secs("mtwork", optarg); o.ops = 0; break;
		case 'w': work = wl_arg_long("mtwork", optarg, "work count"); break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (o.threads < 1)
		o.threads = 1;
	if (o.threads > WL_MAX_THREADS)
		o.threads = WL_MAX_THREADS;

	wl_run(&o, run, NULL, &ws, &ns);

	for (long i = 0; i < o.threads; i++) {
		printf("mtwork: thread %ld result=%016llx spins=%llu\n", i,
		       (unsigned long long)ws[i].aux[1], (unsigned long long)ws[i].aux[0]);
		spins += ws[i].aux[0];
		expected += ws[i].ops;
	}
	pass = counter == expected;
	/* Fixed work: every thread did exactly -n iterations. */
	if (o.ops > 0 && expected != (uint64_t)o.threads * (uint64_t)o.ops)
		pass = false;
	printf("mtwork: threads=%ld iters=%llu counter=%llu expected=%llu ms=%llu spins=%llu %s\n",
	       o.threads, (unsigned long long)(expected / (uint64_t)o.threads),
	       (unsigned long long)counter, (unsigned long long)expected,
	       (unsigned long long)(ns / 1000000), (unsigned long long)spins,
	       pass ? "PASS" : "FAIL");
	snprintf(extra, sizeof(extra), "lock=%s spins=%llu", lock_names[kind],
		 (unsigned long long)spins);
	return wl_result(&o, ws, ns, pass, extra);
}
