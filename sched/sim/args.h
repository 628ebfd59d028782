/* Simulator configuration and its command line. */
#ifndef SCHED_SIM_ARGS_H
#define SCHED_SIM_ARGS_H
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_VMS 4096

enum sim_lock_kind { SIM_LOCK_TICKET, SIM_LOCK_TAS };

struct sim_config {
	uint32_t pcpus;
	uint32_t nr_vms;
	uint32_t vcpus[SIM_MAX_VMS];
	uint32_t weight[SIM_MAX_VMS]; /* 0 = default */
	uint32_t cap[SIM_MAX_VMS];
	uint64_t slice_ns;            /* 0 = scheduler default */
	const char *sched;
	uint64_t duration_ns;
	uint64_t seed;
	/* workload */
	enum sim_lock_kind lock;
	uint32_t locks;               /* per VM */
	double compute_ns, hold_ns;   /* means (exponential) */
	double sleep_prob, sleep_ns;  /* HLT after a critical section */
	double jitter_ns;             /* timer interrupt latency, uniform [0, j] */
	uint64_t long_wait_ns;        /* threshold of a long wait (1 ms) */
	bool check;                   /* check invariants after every time step */
	bool per_vcpu;                /* print a line per vCPU */
};

/* Parse argv into *c. Returns 0, 1 for --help (usage printed), or -1 after
 * printing an error to stderr. */
int sim_parse_args(int argc, char **argv, struct sim_config *c);
#endif
