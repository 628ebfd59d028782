/* Policy knobs (sched_set_param): values with units, ranges, enums; every
 * error names the knob; sched_init resets them; sched_param_describe lists
 * them all. Also: each policy file sched/policy/<name>.c registers a policy
 * called <name> (SCHED_ALL_NAMES: the file names, from tests/sched/module.mk). */
#include "sched/sched_ops.h"
#include "tests/sched/fake_env.h"
#include "tests/unit/check.h"
#include <string.h>

/* Set knob=value; want_err NULL: must work, else the error must contain it. */
static void set(const char *knob, const char *value, const char *want_err)
{
	const char *err = NULL;
	int rc = sched_set_param(knob, value, &err);
	if (want_err) {
		CHECK(rc == -1 && err && strstr(err, want_err));
		if (rc != -1 || !err || !strstr(err, want_err))
			fprintf(stderr, "  %s=%s: got '%s', wanted '%s'\n", knob, value, rc ? err : "ok", want_err);
	} else {
		CHECK(rc == 0);
		if (rc)
			fprintf(stderr, "  %s=%s: %s\n", knob, value, err);
	}
}

static const struct { const char *knob, *value, *want_err; } cases[] = {
	{ "pdelay.bound", "2s", "pdelay.bound: 2s is out of range (10us..100ms)" },
	{ "pdelay.bound", "5", "pdelay.bound: '5' is not a time" },
	{ "pdelay.bound", "1.5ms", "pdelay.bound: '1.5ms' is not a time" },
	{ "pdelay.bound", "", "is not a time" },
	{ "pdelay.bound", "99999999999999999999s", "is not a time" },
	{ "pdelay.bond", "1ms", "unknown knob 'pdelay.bond' (pdelay knobs: bound, step, form, evidence, dyield)" },
	{ "gang.x", "1", "unknown knob 'gang.x' (gang knobs: none)" },
	{ "nosuch.bound", "1ms", "knob 'nosuch.bound': unknown scheduler 'nosuch'" },
	{ "bound", "1ms", "expected <policy>.<knob>" },
	{ ".bound", "1ms", "expected <policy>.<knob>" },
	{ "pdelay.form", "sometimes", "pdelay.form: 'sometimes' is not one of auto|intrusive|nonintrusive" },
	{ "pdelay.form", "intrusive", NULL },
	{ "adaptive.threshold", "0", "adaptive.threshold: 0 is out of range (1..1000000)" },
	{ "adaptive.threshold", "7x", "is not a whole number" },
	{ "adaptive.threshold", "7", NULL },
	{ "adaptive.window", "1s", NULL },
};

static bool described(const char *line)
{
	for (uint32_t i = 0; sched_param_describe(i); i++)
		if (!strncmp(sched_param_describe(i), line, strlen(line)))
			return true;
	return false;
}

int main(void)
{
	char names[] = SCHED_ALL_NAMES;
	uint32_t files = 0;

	fake_setup(2, NULL);
	for (char *n = strtok(names, " "); n; n = strtok(NULL, " "), files++) {
		CHECK(sched_policy_find(n) != NULL);
		if (!sched_policy_find(n))
			fprintf(stderr, "  sched/policy/%s.c registers no policy '%s'\n", n, n);
	}
	CHECK(files >= 6);
	CHECK_EQ(sched_policy_count(), files);

	CHECK(described("pdelay.bound=1ms (10us..100ms) "));
	CHECK(described("pdelay.form=auto (auto|intrusive|nonintrusive) "));
	CHECK(described("adaptive.threshold=20 (1..1000000) "));
	CHECK(described("relaxed.skew=3ms "));
	CHECK(described("free.dyield=on (off|on|only) "));
	CHECK(described("pdelay.evidence=preempt (kernel|irqoff|preempt) "));
	set("pdelay.bound", "500us", NULL);
	CHECK(described("pdelay.bound=500us "));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		set(cases[i].knob, cases[i].value, cases[i].want_err);
	CHECK(described("adaptive.window=1s "));
	/* A failed set leaves the value alone; sched_init resets them all. */
	CHECK(described("pdelay.bound=500us "));
	fake_setup(2, NULL);
	CHECK(described("pdelay.bound=1ms "));
	CHECK(described("pdelay.form=auto "));
	CHECK(described("adaptive.threshold=20 "));
	CHECK(sched_param_describe(1000) == NULL);
	return check_done("test_sched_params");
}
