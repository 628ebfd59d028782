#include "sched/sim/args.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"usage: hvsim --pcpus P --vms N[,N...] [options]\n"
"Discrete-event simulation of P pCPUs running VMs of N vCPUs under a\n"
"scheduling policy of sched/, with a synthetic spinlock workload.\n"
"  --pcpus P          physical CPUs (1..65536)\n"
"  --vms N,N,...      vCPUs of each VM (or NxK: K VMs of N vCPUs)\n"
"  --sched NAME       policy (default: the first compiled in)\n"
"  --seconds S        simulated time (default 10)\n"
"  --seed N           random seed (default 1)\n"
"  --weights W,...    per-VM weight (one value: all VMs; default 256)\n"
"  --caps C,...       per-VM cap in % of one pCPU (0 = none)\n"
"  --slice T          time slice (default unit ms; ns/us/ms/s suffixes)\n"
"  --lock ticket|tas  spinlock semantics (default ticket)\n"
"  --locks N          spinlocks per VM (default 1)\n"
"  --compute T        mean compute time between critical sections (100us)\n"
"  --hold T           mean lock hold time (10us)\n"
"  --sleep-prob X     chance to HLT after a critical section (0)\n"
"  --sleep T          mean HLT duration (1ms)\n"
"  --jitter T         timer interrupt latency, uniform 0..T (20us)\n"
"  --long-wait T      threshold of a long lock wait (1ms)\n"
"  --check            check scheduler invariants at every time step\n"
"  --per-vcpu         print a line per vCPU\n"
"Durations default to ms for --slice and us otherwise.\n"
"The last output line is one JSON object with the results.\n";

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "hvsim: %s '%s': %s (try --help)\n", opt, val ? val : "", why);
	return -1;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= 0) || v > 1e15)
		return -1;
	*out = v;
	return 0;
}

/* "250us", "10ms", "1s", "500ns", or a bare number in `unit_ns`. */
static int parse_time(const char *s, double unit_ns, double *out_ns)
{
	static const struct { const char *sfx; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	char buf[64];
	size_t n = strlen(s);
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t k = strlen(units[i].sfx);
		if (n > k && !strcmp(buf + n - k, units[i].sfx) &&
		    ((buf[n - k - 1] >= '0' && buf[n - k - 1] <= '9') || buf[n - k - 1] == '.')) {
			buf[n - k] = 0;
			unit_ns = units[i].ns;
			break;
		}
	}
	double v;
	if (parse_double(buf, &v))
		return -1;
	*out_ns = v * unit_ns;
	return 0;
}

/* Comma list of unsigned values; "NxK" repeats N K times when allow_rep. */
static int parse_list(const char *s, uint32_t *out, uint32_t max, uint32_t *count, bool allow_rep)
{
	char buf[65536];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*count = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t v, rep = 1;
		char *x = allow_rep ? strchr(tok, 'x') : NULL;
		if (x) {
			*x = 0;
			if (parse_u64(x + 1, &rep) || !rep)
				return -1;
		}
		if (parse_u64(tok, &v) || v > 0xffffffffu)
			return -1;
		for (uint64_t i = 0; i < rep; i++) {
			if (*count >= max)
				return -1;
			out[(*count)++] = (uint32_t)v;
		}
	}
	return *count ? 0 : -1;
}

static void defaults(struct sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->duration_ns = 10000000000ull;
	c->seed = 1;
	c->lock = SIM_LOCK_TICKET;
	c->locks = 1;
	c->compute_ns = 100e3;
	c->hold_ns = 10e3;
	c->sleep_ns = 1e6;
	c->jitter_ns = 20e3;
	c->long_wait_ns = 1000000;
}

static uint32_t tmp_list[SIM_MAX_VMS];

/* Per-VM list: one value for all VMs or exactly one per VM. */
static int per_vm(const char *opt, const char *val, uint32_t n, uint32_t *dst, uint32_t got)
{
	if (got != 1 && got != n)
		return bad(opt, val, "needs one value or one per VM");
	for (uint32_t i = 0; i < n; i++)
		dst[i] = tmp_list[got == 1 ? 0 : i];
	return 0;
}

static int check_config(struct sim_config *c, const char *weights, const char *caps)
{
	uint32_t got;

	if (!c->pcpus)
		return bad("--pcpus", "", "required (1..65536)");
	if (!c->nr_vms)
		return bad("--vms", "", "required");
	if (weights) {
		if (parse_list(weights, tmp_list, SIM_MAX_VMS, &got, false))
			return bad("--weights", weights, "not a list of numbers");
		if (per_vm("--weights", weights, c->nr_vms, c->weight, got))
			return -1;
	}
	if (caps) {
		if (parse_list(caps, tmp_list, SIM_MAX_VMS, &got, false))
			return bad("--caps", caps, "not a list of numbers");
		if (per_vm("--caps", caps, c->nr_vms, c->cap, got))
			return -1;
	}
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		if (!c->vcpus[i] || c->vcpus[i] > 4096)
			return bad("--vms", "", "each VM needs 1..4096 vCPUs");
		if (weights && (c->weight[i] < 1 || c->weight[i] > 65536))
			return bad("--weights", weights, "weights are 1..65536");
		if (c->cap[i] > 100 * c->vcpus[i])
			return bad("--caps", caps, "a cap is at most 100 * the VM's vCPUs");
	}
	return 0;
}

static int parse_opt(struct sim_config *c, const char *opt, const char *val,
		     const char **weights, const char **caps)
{
	uint64_t u;
	double d;

	if (!strcmp(opt, "--pcpus")) {
		if (parse_u64(val, &u) || !u || u > 65536)
			return bad(opt, val, "must be 1..65536");
		c->pcpus = (uint32_t)u;
	} else if (!strcmp(opt, "--vms")) {
		if (parse_list(val, c->vcpus, SIM_MAX_VMS, &c->nr_vms, true))
			return bad(opt, val, "not a list of vCPU counts (e.g. 4,4 or 4x512)");
	} else if (!strcmp(opt, "--sched")) {
		c->sched = val;
	} else if (!strcmp(opt, "--seconds")) {
		if (parse_double(val, &d) || d <= 0 || d > 1e6)
			return bad(opt, val, "must be > 0 and at most 1e6");
		c->duration_ns = (uint64_t)(d * 1e9);
	} else if (!strcmp(opt, "--seed")) {
		if (parse_u64(val, &u))
			return bad(opt, val, "must be an unsigned integer");
		c->seed = u;
	} else if (!strcmp(opt, "--weights")) {
		*weights = val;
	} else if (!strcmp(opt, "--caps")) {
		*caps = val;
	} else if (!strcmp(opt, "--slice")) {
		if (parse_time(val, 1e6, &d) || d < 1e5 || d > 1e10)
			return bad(opt, val, "must be 100us..10s");
		c->slice_ns = (uint64_t)d;
	} else if (!strcmp(opt, "--lock")) {
		if (!strcmp(val, "ticket"))
			c->lock = SIM_LOCK_TICKET;
		else if (!strcmp(val, "tas"))
			c->lock = SIM_LOCK_TAS;
		else
			return bad(opt, val, "must be ticket or tas");
	} else if (!strcmp(opt, "--locks")) {
		if (parse_u64(val, &u) || !u || u > 1024)
			return bad(opt, val, "must be 1..1024");
		c->locks = (uint32_t)u;
	} else if (!strcmp(opt, "--compute") || !strcmp(opt, "--hold") || !strcmp(opt, "--sleep") ||
		   !strcmp(opt, "--jitter") || !strcmp(opt, "--long-wait")) {
		if (parse_time(val, 1e3, &d) || d > 1e12)
			return bad(opt, val, "not a duration (e.g. 50us)");
		if (d < 1 && strcmp(opt, "--jitter"))
			return bad(opt, val, "must be at least 1ns");
		double *dst = !strcmp(opt, "--compute") ? &c->compute_ns : !strcmp(opt, "--hold") ? &c->hold_ns :
			      !strcmp(opt, "--sleep") ? &c->sleep_ns : &c->jitter_ns;
		if (!strcmp(opt, "--long-wait"))
			c->long_wait_ns = (uint64_t)d;
		else
			*dst = d;
	} else if (!strcmp(opt, "--sleep-prob")) {
		if (parse_double(val, &d) || d > 1)
			return bad(opt, val, "must be 0..1");
		c->sleep_prob = d;
	} else {
		return bad(opt, val, "unknown option");
	}
	return 0;
}

int sim_parse_args(int argc, char **argv, struct sim_config *c)
{
	const char *weights = NULL, *caps = NULL;

	defaults(c);
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			fputs(usage, stdout);
			return 1;
		}
		if (!strcmp(opt, "--check")) {
			c->check = true;
			continue;
		}
		if (!strcmp(opt, "--per-vcpu")) {
			c->per_vcpu = true;
			continue;
		}
		if (strncmp(opt, "--", 2))
			return bad("argument", opt, "unexpected (options start with --)");
		if (i + 1 >= argc)
			return bad(opt, "", "needs a value");
		if (parse_opt(c, opt, argv[++i], &weights, &caps))
			return -1;
	}
	return check_config(c, weights, caps);
}
