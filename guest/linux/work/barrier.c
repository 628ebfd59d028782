/* lhvwork barrier: a bulk-synchronous parallel job. T threads each do -n
 * rounds (default 500) of -w private work steps (default 20000), meeting
 * at a barrier after every round, so every round lasts as long as its
 * slowest thread: a preempted or slower vCPU delays all. The completion
 * time (secs) is the result; ops_per_s = rounds x threads / secs. With -s
 * the job runs rounds until that much guest time has passed instead.
 * -m futex (default): pthread_barrier_wait, which sleeps in the kernel;
 * -m spin: a sense-reversing barrier that spins in user space (PAUSE), as
 * OpenMP runtimes do before they sleep. One operation = one round of one
 * thread; latency = its work plus its wait. wait_frac = the share of the
 * threads' time spent waiting at the barrier. Checked: after round r every
 * thread sees between (r+1)*T and (r+2)*T-1 arrivals. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <stdio.h>
#include <string.h>

struct bj {
	pthread_barrier_t pb;
	bool spin;
	long threads, work;
	uint64_t arrived;               /* threads that reached a barrier, ever */
	long last_round;                /* duration mode: set by thread 0 */
	/* spin barrier */
	long count;
	int sense;
};

static void spin_wait(struct bj *b, int *local_sense)
{
	*local_sense = !*local_sense;
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->threads) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&b->sense, *local_sense, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != *local_sense)
			__builtin_ia32_pause();
	}
}

static void runner(struct wl_worker *w)
{
	struct bj *b = w->ctx;
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1), wait_ns = 0;
	int local_sense = 0;
	bool fixed = w->o->ops > 0;

	for (long r = 0;; r++) {
		uint64_t t0 = wl_now_ns(), t1, lo, hi, seen;

		if (fixed && r >= w->o->ops)
			break;
		x = wl_spin_work(x, b->work);
		/* Duration mode: thread 0 decides before the barrier whether
		 * this round is the last; everyone reads it after. */
		if (!fixed && w->id == 0 && __atomic_load_n(&wl_stop, __ATOMIC_RELAXED))
			__atomic_store_n(&b->last_round, r, __ATOMIC_RELAXED);
		__atomic_add_fetch(&b->arrived, 1, __ATOMIC_RELAXED);
		t1 = wl_now_ns();
		if (b->spin)
			spin_wait(b, &local_sense);
		else
			pthread_barrier_wait(&b->pb);
		seen = __atomic_load_n(&b->arrived, __ATOMIC_RELAXED);
		lo = (uint64_t)(r + 1) * (uint64_t)b->threads;
		hi = lo + (uint64_t)b->threads - 1;
		if (seen < lo || seen > hi)
			wl_error(w, "round %ld: %llu arrivals after the barrier, expected %llu..%llu",
				 r, (unsigned long long)seen, (unsigned long long)lo, (unsigned long long)hi);
		wait_ns += wl_now_ns() - t1;
		wl_done(w, t0);
		if (!fixed && __atomic_load_n(&b->last_round, __ATOMIC_RELAXED) == r)
			break;
	}
	w->aux[0] = wait_ns;
	w->aux[1] = x;          /* keeps the work observable */
}

int lw_barrier(struct lw_args *a)
{
	static struct bj b;
	struct wl_worker *ws;
	uint64_t ns, wait = 0;
	char extra[96];
	const char *mode = a->mode ? a->mode : "futex";

	if (strcmp(mode, "futex") && strcmp(mode, "spin")) {
		fprintf(stderr, "barrier: -m %s: expected futex or spin\n", mode);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.spin = mode[0] == 's';
	b.threads = a->o.threads;
	b.work = a->work;
	b.last_round = -1;
	pthread_barrier_init(&b.pb, NULL, (unsigned)a->o.threads);
	wl_run(&a->o, runner, &b, &ws, &ns);
	pthread_barrier_destroy(&b.pb);
	for (long i = 0; i < a->o.threads; i++)
		wait += ws[i].aux[0];
	snprintf(extra, sizeof(extra), "rounds=%llu work=%ld mode=%s wait_frac=%.3f",
		 (unsigned long long)ws[0].ops, a->work, mode,
		 (double)wait / ((double)ns * (double)a->o.threads));
	return wl_result(&a->o, ws, ns, true, extra);
}
