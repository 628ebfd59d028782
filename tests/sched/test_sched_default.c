/* The default policy is the one the build names first (`make SCHED=gang,free`
 * -> SCHED_DEFAULT "gang"), not the first one linked: this binary links free
 * before gang and is built with SCHED_DEFAULT "gang". Also: the registry
 * lists exactly the linked policies, and a name not compiled in is refused
 * with the list. */
#include "sched/sched_ops.h"
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

int main(void)
{
	const char *err = NULL;

	CHECK_EQ(sched_policy_count(), 2);
	CHECK(!strcmp(sched_policy(0)->name, "free")); /* link order */
	CHECK(!strcmp(sched_policy_default(&err)->name, "gang"));
	fake_setup(2, NULL);
	CHECK(!strcmp(sched_active_name(), "gang"));
	CHECK(!strcmp(sched_policy_names(), "free, gang"));
	CHECK(sched_select("pdelay", &err) == -1);
	CHECK(err && !strcmp(err, "unknown scheduler 'pdelay' (available: free, gang)"));
	CHECK(!strcmp(sched_active_name(), "gang"));
	CHECK(sched_select("free", &err) == 0);
	CHECK(!strcmp(sched_active_name(), "free"));
	return check_done("test_sched_default");
}
