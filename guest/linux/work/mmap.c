/* lhvwork mmap: T threads of one process each map -b bytes (default 64 KiB)
 * of anonymous memory, write every page (one page fault each), read the
 * pages back and unmap them. All threads share one address space, so they
 * contend on its mmap lock and page-table locks, and every munmap of
 * touched pages sends TLB-shootdown IPIs to the other CPUs running it (the
 * case paravirtual TLB flush addresses). One operation = map, touch, check,
 * unmap; latency = its duration. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void mapper(struct wl_worker *w)
{
	size_t size = *(size_t *)w->ctx, page = (size_t)sysconf(_SC_PAGESIZE);

	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns(), tag = ((uint64_t)w->id << 40) ^ w->ops;
		uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			wl_error(w, "mmap %zu bytes: %s", size, strerror(errno));
			wl_done(w, t0);
			continue;
		}
		for (size_t off = 0; off < size; off += page)
			*(volatile uint64_t *)(p + off) = tag + off;
		for (size_t off = 0; off < size; off += page)
			if (*(volatile uint64_t *)(p + off) != tag + off) {
				wl_error(w, "page at +0x%zx lost its value", off);
				break;
			}
		if (munmap(p, size) != 0)
			wl_error(w, "munmap: %s", strerror(errno));
		wl_done(w, t0);
	}
}

int lw_mmap(struct lw_args *a)
{
	size_t size = (size_t)a->bytes;
	struct wl_worker *ws;
	uint64_t ns;
	char extra[64];

	if (a->bytes > (1L << 30)) {
		fprintf(stderr, "mmap: -b %ld: at most 1 GiB\n", a->bytes);
		return 2;
	}
	wl_run(&a->o, mapper, &size, &ws, &ns);
	snprintf(extra, sizeof(extra), "bytes=%zu", size);
	return wl_result(&a->o, ws, ns, true, extra);
}
