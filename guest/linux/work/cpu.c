/* lhvwork cpu: the control. T threads compute without locks, shared data or
 * system calls: chunks of -w steps (default 20000) of integer and floating-
 * point arithmetic from a fixed seed, so every chunk of a thread must give
 * the same result; a difference means the CPU state (general or vector
 * registers) was not preserved across a preemption. One operation = one
 * chunk; latency = its duration, whose tail shows the time a vCPU was not
 * running. Co-scheduling must not make this slower. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <stdio.h>

struct cj {
	long work;
};

static uint64_t chunk(uint64_t seed, long n)
{
	uint64_t x = seed;
	double d = 1.0;

	for (long k = 0; k < n; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		d = d * 1.0000001 + (double)(x & 0xff) * 1e-9;
	}
	return x ^ (uint64_t)(d * 1e6);
}

static void computer(struct wl_worker *w)
{
	struct cj *c = w->ctx;
	volatile uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);
	uint64_t want = chunk(seed, c->work);

	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns();
		/* seed is volatile: the compiler must redo every chunk. */
		uint64_t got = chunk(seed, c->work);

		if (got != want)
			wl_error(w, "chunk %llu: result %016llx, expected %016llx",
				 (unsigned long long)w->ops, (unsigned long long)got,
				 (unsigned long long)want);
		wl_done(w, t0);
	}
}

int lw_cpu(struct lw_args *a)
{
	struct cj c = { a->work };
	struct wl_worker *ws;
	uint64_t ns;
	char extra[32];

	wl_run(&a->o, computer, &c, &ws, &ns);
	snprintf(extra, sizeof(extra), "work=%ld", a->work);
	return wl_result(&a->o, ws, ns, true, extra);
}
