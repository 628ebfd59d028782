/* Simulator configuration and its command line. */
#ifndef SCHED_SIM_ARGS_H
#define SCHED_SIM_ARGS_H
#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_VMS 4096
#define SIM_MAX_PINS 4096
#define SIM_MAX_KNOBS 64
#define SIM_ALL_VCPUS 0xffffffffu

enum sim_lock_kind { SIM_LOCK_TICKET, SIM_LOCK_TAS, SIM_LOCK_PV };
enum sim_workload { SIM_WL_SPIN, SIM_WL_CPU, SIM_WL_BARRIER };
/* Hints a VM's guest gives (--hints): bits. */
#define SIM_HINT_CS 1u   /* lhv's critical-section count, LHV_YIELD */
#define SIM_HINT_SPIN 2u /* LHV_SPIN long-spin reports */

/* --pin VM[.VCPU]=LO[-HI]: one range of pCPUs a vCPU may use (several
 * accumulate); --vcpu-cap VM.VCPU=PCT. */
struct sim_pin {
	uint32_t vm, vcpu, lo, hi;
};
struct sim_vcap {
	uint32_t vm, vcpu, cap;
};

struct sim_config {
	uint32_t pcpus;
	uint32_t nr_vms;
	uint32_t vcpus[SIM_MAX_VMS];
	uint8_t workload[SIM_MAX_VMS];  /* enum sim_workload */
	uint8_t hints[SIM_MAX_VMS];     /* SIM_HINT_* */
	uint32_t weight[SIM_MAX_VMS];   /* 0 = default */
	uint32_t cap[SIM_MAX_VMS];
	uint64_t slice_ns;              /* 0 = scheduler default */
	const char *sched;
	const char *knobs[SIM_MAX_KNOBS]; /* "policy.knob=value" */
	uint32_t nr_knobs;
	struct sim_pin pins[SIM_MAX_PINS];
	uint32_t nr_pins;
	struct sim_vcap vcaps[SIM_MAX_PINS];
	uint32_t nr_vcaps;
	uint64_t duration_ns;
	uint64_t seed;
	/* spinlock workload */
	enum sim_lock_kind lock;
	uint32_t locks;                 /* per VM */
	double compute_ns, hold_ns;     /* means (exponential) */
	double sleep_prob, sleep_ns;    /* HLT after a critical section */
	double kernel_frac;             /* compute phases in kernel mode */
	double irqoff_frac;             /* critical sections with interrupts off */
	uint64_t pv_spin_ns;            /* pv lock: spin this long, then halt */
	uint64_t report_ns;             /* --hints spin: LHV_SPIN after this long */
	uint64_t ple_ns;                /* PAUSE-loop exit window, 0 = none */
	/* barrier workload */
	uint32_t threads;               /* guest threads per vCPU */
	double work_ns;                 /* per thread and phase */
	uint64_t agent_ns;              /* balloon agent period */
	double jitter_ns;               /* timer interrupt latency, uniform [0, j] */
	uint64_t long_wait_ns;          /* threshold of a long wait (1 ms) */
	bool check;                     /* check invariants after every time step */
	bool per_vcpu;                  /* print a line per vCPU */
};

/* Parse argv into *c. Returns 0, 1 for --help (usage printed), or -1 after
 * printing an error to stderr. */
int sim_parse_args(int argc, char **argv, struct sim_config *c);
const char *sim_workload_name(enum sim_workload w);
const char *sim_lock_name(enum sim_lock_kind k);
#endif
