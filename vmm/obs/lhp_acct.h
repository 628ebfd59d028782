/* Lock-holder preemption accounting: the pure rules (host-tested in
 * tests/unit/vmm/obs/test_lhp_acct.c). vmm/obs/obs.c feeds them what the
 * run loop sees; docs/experiments.md ("What is measured") states the same
 * rules for the people who read the figures.
 *
 *  - A preemption is a critical-section (CS) preemption when the vCPU ran
 *    the guest kernel (CPL 0) and the guest's per-CPU __preempt_count says
 *    preemption is off (a spinlock, a preempt_disable(), softirq/hardirq
 *    context), or when it ran the kernel with interrupts off. Linux's idle
 *    task runs with a preemption count of 1 (init_idle_preempt_count), so
 *    in the idle task only a count above 1 counts, and interrupts off there
 *    do not (the idle loop disables them just before it halts).
 *  - A CS preemption is a lock-holder preemption (LHP) when a sibling vCPU
 *    of the same VM ran for at least LHP_SIBLING_NS while the preempted
 *    one was off its pCPU: only then could a sibling wait for what it
 *    held. Co-scheduling preempts all siblings together, so its CS
 *    preemptions are mostly harmless.
 *  - A spin episode starts at a PAUSE-loop exit and lasts while the vCPU
 *    keeps producing them; it ends at the dispatch after which the vCPU ran
 *    SPIN_GAP_NS without one (a spinning vCPU exits every PLE window, a few
 *    microseconds), or halted. Waiting for a pCPU in between is part of it.
 *  - A PV halt (a paravirtual spinlock's wait) lasts until the vCPU is
 *    dispatched again after its kick.
 *  - An extended wait is a spin episode or PV halt longer than
 *    LONG_WAIT_NS (1 ms, as in Uhlig et al.). */
#ifndef VMM_OBS_LHP_ACCT_H
#define VMM_OBS_LHP_ACCT_H
#include "core/lib.h"

#define LHP_SIBLING_NS 100000ull   /* 100 us of sibling run time */
#define SPIN_GAP_NS    200000ull   /* 200 us without a PAUSE-loop exit */
#define LONG_WAIT_NS   1000000ull  /* 1 ms */

/* x86 Linux keeps PREEMPT_NEED_RESCHED inverted in bit 31 of
 * __preempt_count (arch/x86/include/asm/preempt.h); the rest is the count
 * (preempt-off depth in bits 0-7, softirq 8-15, hardirq 16-19, NMI 20). */
#define LINUX_PREEMPT_COUNT_MASK 0x7fffffffu

/* What a vCPU was doing when it left its pCPU. */
struct lhp_sample {
	uint64_t rip;
	uint8_t cpl;
	bool irq_on;        /* RFLAGS.IF */
	bool pc_valid;      /* preempt_count was read */
	uint32_t pc;        /* raw __preempt_count of the CPU it ran */
	bool idle_known;    /* current_task and idle_threads were read */
	bool idle;          /* ... and they were equal: the idle task */
};

/* Classification bits (also the trace's deschedule record, docs/experiments.md). */
#define LHP_C_KERNEL  0x01u  /* CPL 0 */
#define LHP_C_IRQOFF  0x02u  /* RFLAGS.IF clear */
#define LHP_C_PCOFF   0x04u  /* preempt count above the task's base */
#define LHP_C_IDLE    0x08u  /* the idle task */
#define LHP_C_CS      0x10u  /* a critical section (the rule above) */
#define LHP_C_PC      0x20u  /* the preempt count was known */

unsigned lhp_classify(const struct lhp_sample *s);

/* Event counters of one vCPU (summed per VM). Times in ns. */
struct lhp_counts {
	uint64_t preempts;      /* involuntary preemptions (the scheduler's count) */
	uint64_t cs;            /* ... in a critical section */
	uint64_t lhp;           /* ... during which a sibling ran (resolved later) */
	uint64_t kernel, irqoff, idle, user;
	uint64_t spins;         /* closed spin episodes */
	uint64_t spin_ns;       /* their total length */
	uint64_t spin_exits;    /* PAUSE-loop exits */
	uint64_t long_spins, long_spin_ns;
	uint64_t pv_halts;      /* closed PV halts */
	uint64_t pv_halt_ns;
	uint64_t long_pv, long_pv_ns;
	uint64_t kicks_sent, kicks_recv;
	uint64_t halts;         /* HLT exits (idle or PV) */
};
#define LHP_COUNTS_N (sizeof(struct lhp_counts) / sizeof(uint64_t))

void lhp_counts_add(struct lhp_counts *acc, const struct lhp_counts *x);
/* d = a - b, field by field (counters only grow: b is an earlier snapshot). */
void lhp_counts_sub(struct lhp_counts *d, const struct lhp_counts *a, const struct lhp_counts *b);

/* One vCPU's spin episode. */
struct lhp_spin {
	bool open;
	uint64_t start;         /* first PAUSE-loop exit */
	uint64_t resumed;       /* last dispatch (valid while open) */
	uint64_t rip;           /* RIP of the first PAUSE-loop exit */
	uint32_t exits;         /* PAUSE-loop exits in it */
};

/* A closed episode or wait. */
struct lhp_wait {
	uint64_t end, ns, rip;
	uint32_t exits;
	bool extended;
};

/* A PAUSE-loop exit at `now`: opens an episode, or extends the open one.
 * If the open one had already ended (the vCPU ran SPIN_GAP_NS since its
 * last dispatch without a PAUSE-loop exit), it is closed into *closed and a
 * new one opened; returns true then. */
bool lhp_spin_exit(struct lhp_spin *s, uint64_t now, uint64_t rip, struct lhp_wait *closed);
/* The vCPU was dispatched at `now`. */
void lhp_spin_dispatch(struct lhp_spin *s, uint64_t now);
/* The vCPU left its pCPU at `now` for a reason other than a PAUSE-loop
 * exit; `halted`: it halted (or stopped). Closes the open episode into
 * *closed (returns true) if it ran SPIN_GAP_NS without spinning or halted. */
bool lhp_spin_leave(struct lhp_spin *s, uint64_t now, bool halted, struct lhp_wait *closed);
/* Close the open episode at its last dispatch (end of a measurement). */
bool lhp_spin_flush(struct lhp_spin *s, struct lhp_wait *closed);
/* Account a closed episode / PV halt into c. */
void lhp_count_spin(struct lhp_counts *c, const struct lhp_wait *w);
void lhp_count_pv(struct lhp_counts *c, const struct lhp_wait *w);
/* Account a preemption of class `cls` (lhp_classify) into c. */
void lhp_count_preempt(struct lhp_counts *c, unsigned cls);

/* Fixed point: num / den in millionths (0 when den is 0). */
uint64_t lhp_ppm(uint64_t num, uint64_t den);

#endif
