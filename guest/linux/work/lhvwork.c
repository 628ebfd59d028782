/* lhvwork: guest workloads for lock-holder-preemption experiments (static,
 * in the initramfs). See docs/linux.md for every mode, option and key.
 *
 *   lhvwork MODE [-t threads] [-s secs | -n ops] [-b bytes] [-w work]
 *                [-m variant] [-d dir] [-c]
 *
 * MODE: sendfile mmap files fork (kernel-lock-heavy), barrier (fixed work,
 * completion time), cpu (no locks: the control), vecstate (a check that
 * vector registers survive preemption).
 * Exit status: 0 when the RESULT line says ok=1, 1 when not, 2 bad usage. */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mode {
	const char *name;
	int (*run)(struct lw_args *);
	const char *opts;       /* options it takes beyond -t -s -n */
	long ops;               /* default fixed work per thread (0: duration) */
	long bytes, work;       /* defaults */
	const char *help;
};

static const struct mode modes[] = {
	{ "sendfile", lw_sendfile, "bc", 0, 16384, 0,
	  "T client threads request a file a server thread each sends with sendfile() over loopback TCP" },
	{ "mmap", lw_mmap, "b", 0, 65536, 0,
	  "T threads mmap, touch and munmap anonymous memory in one address space" },
	{ "files", lw_files, "d", 0, 0, 0,
	  "T threads create, stat and unlink files in one shared tmpfs directory" },
	{ "fork", lw_fork, "b", 0, 1 << 20, 0,
	  "T threads fork children that exit at once, and reap them" },
	{ "barrier", lw_barrier, "wm", 500, 0, 20000,
	  "T threads do -n rounds of -w work steps, meeting at a barrier after each" },
	{ "cpu", lw_cpu, "w", 0, 0, 20000,
	  "T threads compute without locks or system calls (the control)" },
	{ "vecstate", lw_vecstate, "w", 0, 0, 200000,
	  "T threads check that their vector registers survive -w busy steps (preemptions)" },
};

static void usage(void)
{
	fprintf(stderr, "usage: lhvwork MODE [-t threads] [-s secs | -n ops] [-b bytes] [-w work]\n"
			"                    [-m variant] [-d dir] [-c]\nmodes:\n");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		fprintf(stderr, "  %-9s %s\n", modes[i].name, modes[i].help);
	exit(2);
}

int main(int argc, char **argv)
{
	const struct mode *m = NULL;
	struct lw_args a;
	int opt;

	if (argc < 2)
		usage();
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[1], modes[i].name) == 0)
			m = &modes[i];
	if (!m) {
		fprintf(stderr, "lhvwork: unknown mode '%s'\n", argv[1]);
		usage();
	}
	memset(&a, 0, sizeof(a));
	a.o.name = m->name;
	a.o.threads = sysconf(_SC_NPROCESSORS_ONLN);
	a.o.secs = 5;
	a.o.ops = m->ops;
	a.bytes = m->bytes;
	a.work = m->work;
	a.dir = "/tmp/lhvwork-files";
	argv[1] = argv[0];
	argc--;
	argv++;
	while ((opt = getopt(argc, argv, "t:s:n:b:w:m:d:c")) != -1) {
		if (opt != '?' && !strchr("tsn", opt) && !strchr(m->opts, opt)) {
			fprintf(stderr, "lhvwork %s: option -%c does not apply\n", m->name, opt);
			exit(2);
		}
		switch (opt) {
		case 't': a.o.threads = wl_arg_long("lhvwork", optarg, "thread count"); break;
		case 's': a.o.secs = wl_arg_secs("lhvwork", optarg); a.o.ops = 0; break;
		case 'n': a.o.ops = wl_arg_long("lhvwork", optarg, "operation count"); break;
		case 'b': a.bytes = wl_arg_long("lhvwork", optarg, "size"); break;
		case 'w': a.work = wl_arg_long("lhvwork", optarg, "work count"); break;
		case 'm': a.mode = optarg; break;
		case 'd': a.dir = optarg; break;
		case 'c': a.reconnect = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (a.o.threads < 1)
		a.o.threads = 1;
	if (a.o.threads > WL_MAX_THREADS)
		a.o.threads = WL_MAX_THREADS;
	return m->run(&a);
}
