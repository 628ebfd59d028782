/* The table of compiled-in policies. sched/module.mk turns `make SCHED=...`
 * into -DSCHED_HAVE_<NAME> flags; the first entry is the default. */
#include "sched/sched_ops.h"

extern const struct sched_ops sched_free_ops;
extern const struct sched_ops sched_gang_ops;

const struct sched_ops *const sched_policy_table[] = {
#ifdef SCHED_HAVE_FREE
	&sched_free_ops,
#endif
#ifdef SCHED_HAVE_GANG
	&sched_gang_ops,
#endif
	NULL, /* keeps the array non-empty when nothing is compiled in */
};

const uint32_t sched_policy_count = ARRAY_SIZE(sched_policy_table) - 1;
