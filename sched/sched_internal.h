/* Framework internals shared by sched/sched.c (state machine), sched/sched_hint.c
 * (hints, directed yield, speeds) and sched/sched_param.c (knobs). Not for
 * policies (sched/sched_ops.h) or environments (sched/sched.h). */
#ifndef SCHED_SCHED_INTERNAL_H
#define SCHED_SCHED_INTERNAL_H
#include "sched/sched_ops.h"

struct sched_global {
	struct sched_env_lock lock;
	struct sched_pcpu *pcpus;
	uint32_t nr_pcpus;
	const struct sched_ops *ops;
	struct sched_vm *vms;
	uint32_t nr_vms;
	char err[200];
};
extern struct sched_global sched_g;

/* Speed bookkeeping of one closed interval of v (sched_hint.c); called by
 * the accounting with v's state during the interval. */
void sched_speed_account(struct sched_vcpu *v, enum sched_state st, uint64_t d, uint64_t now);
/* Reset every registered policy's knobs to their defaults (sched_param.c). */
void sched_params_reset(void);
#endif
