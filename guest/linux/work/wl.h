/* Shared parts of the guest workloads (lhvwork, mtwork): threads that start
 * together, guest-time measurement, a per-thread latency histogram, and the
 * one machine-readable line each workload prints (docs/linux.md):
 *   RESULT ops_per_s=<n> workload=<name> threads=<n> ops=<n> secs=<s>
 *          p50_us=<us> p90_us=<us> p99_us=<us> max_us=<us> errors=<n> ok=<0|1> [...]
 * Time is CLOCK_MONOTONIC: the guest's clock (kvm-clock under lhv), so
 * time a vCPU spends preempted counts, as a user of the guest sees it. */
#ifndef LHV_WORK_WL_H
#define LHV_WORK_WL_H
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define WL_MAX_THREADS  1024

/* Log-linear histogram of nanoseconds: exact below 16, then 16 buckets per
 * power of two (at most 6.25% relative error), up to 2^64. */
#define WL_HIST_SUB     16
#define WL_HIST_BUCKETS (WL_HIST_SUB + 60 * WL_HIST_SUB)

struct wl_hist {
	uint64_t n, max;
	uint64_t b[WL_HIST_BUCKETS];
};

void wl_hist_add(struct wl_hist *h, uint64_t ns);
void wl_hist_merge(struct wl_hist *dst, const struct wl_hist *src);
/* The value (ns) at fraction p (0..1] of the samples: the middle of the
 * bucket that holds it (max for p = 1); 0 for an empty histogram. */
uint64_t wl_hist_pct(const struct wl_hist *h, double p);

uint64_t wl_now_ns(void);

/* What every workload is told. ops > 0: fixed work (ops per thread), else
 * run for secs of guest time. */
struct wl_opts {
	const char *name;
	long threads;
	double secs;
	long ops;
};

struct wl_worker {
	int id;
	pthread_t tid;
	const struct wl_opts *o;
	void *ctx;                      /* the workload's shared state */
	uint64_t ops, errors;
	uint64_t end_ns;                /* when this worker stopped */
	uint64_t aux[4];                /* per-workload counters */
	struct wl_hist hist;
	char first_error[160];
};

/* Start o->threads workers running fn(worker) together, stop them after
 * o->secs (duration mode: wl_more() turns false) or when fn returns (fixed
 * work), and join them. *ws gets the workers (static storage), *elapsed_ns
 * the time from the common start to the last worker's end. Returns 0, or
 * -1 if threads cannot be created (message on stderr). */
int wl_run(const struct wl_opts *o, void (*fn)(struct wl_worker *), void *ctx,
	   struct wl_worker **ws, uint64_t *elapsed_ns);

extern volatile int wl_stop;

/* Whether the worker should do another operation. */
static inline bool wl_more(const struct wl_worker *w)
{
	if (w->o->ops > 0)
		return w->ops < (uint64_t)w->o->ops;
	return !__atomic_load_n(&wl_stop, __ATOMIC_RELAXED);
}

/* Record one operation that started at t0 (from wl_now_ns()). */
static inline void wl_done(struct wl_worker *w, uint64_t t0)
{
	wl_hist_add(&w->hist, wl_now_ns() - t0);
	w->ops++;
}

/* Count a failed operation; the first message of each worker is kept
 * (printf-style) and printed on stderr by wl_result. */
void wl_error(struct wl_worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print the RESULT line for the workers of wl_run (ok=1 when no worker
 * counted an error, every worker did at least one operation and extra_ok),
 * with extra "key=value" text appended (may be NULL). Returns the exit
 * status the program should use: 0 when ok, 1 otherwise. */
int wl_result(const struct wl_opts *o, struct wl_worker *ws, uint64_t elapsed_ns,
	      bool extra_ok, const char *extra);

/* Parse a positive number (strtod/strtol syntax, with an optional K/M/G
 * suffix for counts); exits with status 2 and a message when it is not. */
long wl_arg_long(const char *prog, const char *s, const char *what);
double wl_arg_secs(const char *prog, const char *s);

/* Private busy work: n xorshift steps from x (the compiler cannot drop
 * them: the result is used). */
static inline uint64_t wl_spin_work(uint64_t x, long n)
{
	for (long k = 0; k < n; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

#endif
