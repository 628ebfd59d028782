/* Shared parts of the guest workloads; see wl.h. */
#define _GNU_SOURCE
#include "wl.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int wl_stop;

uint64_t wl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- histogram ---- */

static unsigned bucket_of(uint64_t v)
{
	unsigned msb;

	if (v < WL_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);        /* >= 4 */
	return WL_HIST_SUB + (msb - 4) * WL_HIST_SUB +
	       (unsigned)((v >> (msb - 4)) & (WL_HIST_SUB - 1));
}

/* Lowest value and width of bucket i. */
static void bucket_range(unsigned i, uint64_t *lo, uint64_t *width)
{
	unsigned msb, sub;

	if (i < WL_HIST_SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	msb = (i - WL_HIST_SUB) / WL_HIST_SUB + 4;
	sub = (i - WL_HIST_SUB) % WL_HIST_SUB;
	*width = 1ull << (msb - 4);
	*lo = (1ull << msb) + sub * *width;
}

void wl_hist_add(struct wl_hist *h, uint64_t ns)
{
	h->b[bucket_of(ns)]++;
	h->n++;
	if (ns > h->max)
		h->max = ns;
}

void wl_hist_merge(struct wl_hist *dst, const struct wl_hist *src)
{
	for (unsigned i = 0; i < WL_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->n += src->n;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t wl_hist_pct(const struct wl_hist *h, double p)
{
	uint64_t rank, seen = 0, lo, width;

	if (h->n == 0)
		return 0;
	if (p >= 1.0)
		return h->max;
	/* The sample of rank ceil(p * n), counting from 1. */
	rank = (uint64_t)(p * (double)h->n);
	if ((double)rank < p * (double)h->n)
		rank++;
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < WL_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			bucket_range(i, &lo, &width);
			lo += width / 2;
			return lo < h->max ? lo : h->max;
		}
	}
	return h->max;
}

/* ---- threads ---- */

static struct wl_worker workers[WL_MAX_THREADS];
static pthread_barrier_t start_line;
static void (*work_fn)(struct wl_worker *);

static void *worker_main(void *arg)
{
	struct wl_worker *w = arg;

	pthread_barrier_wait(&start_line);
	work_fn(w);
	w->end_ns = wl_now_ns();
	return NULL;
}

int wl_run(const struct wl_opts *o, void (*fn)(struct wl_worker *), void *ctx,
	   struct wl_worker **ws, uint64_t *elapsed_ns)
{
	long n = o->threads;
	uint64_t t0, end = 0;
	struct timespec until;
	int rc;

	work_fn = fn;
	wl_stop = 0;
	pthread_barrier_init(&start_line, NULL, (unsigned)n + 1);
	for (long i = 0; i < n; i++) {
		struct wl_worker *w = &workers[i];

		memset(w, 0, sizeof(*w));
		w->id = (int)i;
		w->o = o;
		w->ctx = ctx;
		rc = pthread_create(&w->tid, NULL, worker_main, w);
		if (rc != 0) {
			/* Nothing waits at the start line yet: workers only
			 * pass it with the main thread, so exit outright. */
			fprintf(stderr, "%s: cannot create thread %ld: %s\n", o->name, i, strerror(rc));
			exit(1);
		}
	}
	pthread_barrier_wait(&start_line);
	t0 = wl_now_ns();
	if (o->ops <= 0) {
		uint64_t stop = t0 + (uint64_t)(o->secs * 1e9);

		until.tv_sec = (time_t)(stop / 1000000000u);
		until.tv_nsec = (long)(stop % 1000000000u);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
			;
		__atomic_store_n(&wl_stop, 1, __ATOMIC_RELAXED);
	}
	for (long i = 0; i < n; i++) {
		pthread_join(workers[i].tid, NULL);
		if (workers[i].end_ns > end)
			end = workers[i].end_ns;
	}
	pthread_barrier_destroy(&start_line);
	*ws = workers;
	*elapsed_ns = end > t0 ? end - t0 : 1;
	return 0;
}

void wl_error(struct wl_worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
		va_end(ap);
	}
}

int wl_result(const struct wl_opts *o, struct wl_worker *ws, uint64_t elapsed_ns,
	      bool extra_ok, const char *extra)
{
	static struct wl_hist all;
	uint64_t ops = 0, errors = 0;
	double secs = (double)elapsed_ns / 1e9;
	bool ok = extra_ok;

	memset(&all, 0, sizeof(all));
	for (long i = 0; i < o->threads; i++) {
		ops += ws[i].ops;
		errors += ws[i].errors;
		wl_hist_merge(&all, &ws[i].hist);
		if (ws[i].errors)
			fprintf(stderr, "%s: thread %ld: %llu errors, first: %s\n", o->name, i,
				(unsigned long long)ws[i].errors, ws[i].first_error);
		if (ws[i].ops == 0) {
			fprintf(stderr, "%s: thread %ld did no operation\n", o->name, i);
			ok = false;
		}
	}
	if (errors)
		ok = false;
	printf("RESULT ops_per_s=%.1f workload=%s threads=%ld ops=%llu secs=%.3f "
	       "p50_us=%.2f p90_us=%.2f p99_us=%.2f max_us=%.2f errors=%llu ok=%d%s%s\n",
	       (double)ops / secs, o->name, o->threads, (unsigned long long)ops, secs,
	       wl_hist_pct(&all, 0.50) / 1e3, wl_hist_pct(&all, 0.90) / 1e3,
	       wl_hist_pct(&all, 0.99) / 1e3, all.max / 1e3,
	       (unsigned long long)errors, ok ? 1 : 0, extra ? " " : "", extra ? extra : "");
	fflush(stdout);
	return ok ? 0 : 1;
}

/* ---- arguments ---- */

long wl_arg_long(const char *prog, const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (end != s && *end && !end[1]) {
		long m = *end == 'K' || *end == 'k' ? 1L << 10 :
			 *end == 'M' ? 1L << 20 : *end == 'G' ? 1L << 30 : 0;
		if (m && v <= __LONG_MAX__ / m) {
			v *= m;
			end++;
		}
	}
	if (*s == 0 || *end != 0 || errno || v <= 0) {
		fprintf(stderr, "%s: bad %s '%s' (a positive number)\n", prog, what, s);
		exit(2);
	}
	return v;
}

double wl_arg_secs(const char *prog, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == 0 || *end != 0 || !(v > 0) || v > 1e6) {
		fprintf(stderr, "%s: bad duration '%s' (seconds, > 0)\n", prog, s);
		exit(2);
	}
	return v;
}
