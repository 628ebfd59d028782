/* The registered policies: every SCHED_REGISTER line (sched/sched_ops.h)
 * leaves a pointer to its ops in the linker section `sched_policies`, and
 * GNU ld brackets the section with __start_/__stop_ symbols (it does so for
 * any section whose name is a C identifier, with or without a linker
 * script). The framework never names a policy: the build links the chosen
 * policy files and passes the default's name as SCHED_DEFAULT. */
#include "sched/sched_ops.h"

/* Weak: a link without any policy leaves them undefined (0), which
 * sched_policy_count() reports as no policy. */
extern const struct sched_ops *const __start_sched_policies[] __attribute__((weak));
extern const struct sched_ops *const __stop_sched_policies[] __attribute__((weak));

uint32_t sched_policy_count(void)
{
	if (!__start_sched_policies || !__stop_sched_policies)
		return 0;
	return (uint32_t)(__stop_sched_policies - __start_sched_policies);
}

const struct sched_ops *sched_policy(uint32_t i)
{
	return i < sched_policy_count() ? __start_sched_policies[i] : NULL;
}

const struct sched_ops *sched_policy_find(const char *name)
{
	for (uint32_t i = 0; i < sched_policy_count(); i++)
		if (!strcmp(sched_policy(i)->name, name))
			return sched_policy(i);
	return NULL;
}

const struct sched_ops *sched_policy_default(const char **err)
{
	if (!sched_policy_count()) {
		*err = "no scheduling policy compiled in";
		return NULL;
	}
#ifdef SCHED_DEFAULT
	const struct sched_ops *ops = sched_policy_find(SCHED_DEFAULT);
	if (!ops)
		*err = "the default policy " SCHED_DEFAULT " is not compiled in";
	return ops;
#else
	return sched_policy(0);
#endif
}
