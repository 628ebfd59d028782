/* lhvwork fork: T threads each fork a child that writes one byte of a -b
 * byte buffer (default 1 MiB, touched beforehand: the fork copies its page
 * tables, the write takes a copy-on-write fault) and exits with a status
 * the parent checks after waitpid(). Fork and exit take the process-tree
 * lock, the mm's locks and the pid allocator's, from every CPU. One
 * operation = fork, child exit, reap; latency = its duration. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct fk {
	uint8_t *buf;
	size_t size;
};

static void forker(struct wl_worker *w)
{
	struct fk *f = w->ctx;

	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns();
		int want = (int)((w->id + w->ops) & 0x7f), st;
		pid_t pid = fork();

		if (pid == 0) {
			f->buf[(w->ops * 4096) % f->size] = (uint8_t)want;
			_exit(want);
		}
		if (pid < 0) {
			wl_error(w, "fork: %s", strerror(errno));
		} else if (waitpid(pid, &st, 0) != pid) {
			wl_error(w, "waitpid %d: %s", (int)pid, strerror(errno));
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != want) {
			wl_error(w, "child %d: status 0x%x, expected exit %d", (int)pid, st, want);
		}
		wl_done(w, t0);
	}
}

int lw_fork(struct lw_args *a)
{
	struct fk f = { .size = (size_t)a->bytes };
	struct wl_worker *ws;
	uint64_t ns;
	char extra[32];

	if (a->bytes > (1L << 30)) {
		fprintf(stderr, "fork: -b %ld: at most 1 GiB\n", a->bytes);
		return 2;
	}
	f.buf = malloc(f.size);
	if (!f.buf) {
		perror("fork: buffer");
		return 1;
	}
	memset(f.buf, 1, f.size);
	wl_run(&a->o, forker, &f, &ws, &ns);
	snprintf(extra, sizeof(extra), "bytes=%zu", f.size);
	return wl_result(&a->o, ws, ns, true, extra);
}
