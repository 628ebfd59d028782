/* lhvwork: the guest workloads of docs/linux.md ("Guest workloads"), one
 * program with one mode per workload. Each mode is a function here that runs
 * the workload, prints its RESULT line (wl.h) and returns the exit status. */
#ifndef LHV_WORK_LHVWORK_H
#define LHV_WORK_LHVWORK_H
#include "wl.h"

struct lw_args {
	struct wl_opts o;
	long bytes;             /* -b: transfer / mapping / footprint size */
	long work;              /* -w: private work steps per operation */
	const char *mode;       /* -m: workload variant */
	const char *dir;        /* -d: directory */
	bool reconnect;         /* -c: new connection per request */
};

int lw_sendfile(struct lw_args *a);
int lw_mmap(struct lw_args *a);
int lw_files(struct lw_args *a);
int lw_fork(struct lw_args *a);
int lw_barrier(struct lw_args *a);
int lw_cpu(struct lw_args *a);
int lw_vecstate(struct lw_args *a);

#endif
