/* hvsim's command line (sched/sim/args.h). */
#include "sched/sim/args.h"
#include "sched/sched.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"usage: hvsim --pcpus P --vms N[,N...] [options]\n"
"Discrete-event simulation of P pCPUs running VMs of N vCPUs under a\n"
"scheduling policy of sched/, with synthetic guest workloads.\n"
"  --pcpus P          physical CPUs (1..65536)\n"
"  --vms N[xK][:W],.. vCPUs of each VM (NxK: K VMs of N vCPUs) and its\n"
"                     workload W: spin (spinlocks, default), cpu (no locks),\n"
"                     barrier (threads meeting at barriers)\n"
"  --sched NAME       policy (default: the build's default)\n"
"  --knob P.K=V       set policy P's knob K (repeatable; see below)\n"
"  --seconds S        simulated time (default 10)\n"
"  --seed N           random seed (default 1)\n"
"  --weights W,...    per-VM weight (one value: all VMs; default 256)\n"
"  --caps C,...       per-VM cap in % of one pCPU (0 = none)\n"
"  --vcpu-cap V.C=PCT cap of vCPU C of VM V in % of one pCPU (repeatable)\n"
"  --pin V[.C]=L[-H]  vCPU C (all of VM V) may run on pCPUs L..H; repeated\n"
"                     pins of a vCPU add up\n"
"  --slice T          time slice (default unit ms; ns/us/ms/s suffixes)\n"
"spin workload:\n"
"  --lock ticket|tas|pv  spinlock: FIFO ticket, test-and-set, or paravirtual\n"
"                     (FIFO; spin --pv-spin, then halt until the unlocker's\n"
"                     kick); default ticket\n"
"  --locks N          spinlocks per VM (default 1)\n"
"  --compute T        mean compute time between critical sections (100us)\n"
"  --hold T           mean lock hold time (10us)\n"
"  --sleep-prob X     chance to HLT after a critical section (0)\n"
"  --sleep T          mean HLT duration (1ms)\n"
"  --kernel-frac X    compute phases spent in kernel mode (0.2)\n"
"  --irqoff-frac X    critical sections with interrupts off (0.5)\n"
"  --pv-spin T        pv lock spin threshold (2^15 iterations of 10 ns: 327680ns)\n"
"  --hints H,...      per VM (one value: all): none, cs (lhv's critical-section\n"
"                     count and LHV_YIELD), spin (LHV_SPIN reports), cs+spin\n"
"  --report T         --hints spin: report a spin this long (327680ns)\n"
"  --ple T            PAUSE-loop exit window: a spin this long exits (and\n"
"                     the window doubles until the vCPU is next dispatched,\n"
"                     as KVM's grow/shrink); 0 = off (default)\n"
"barrier workload:\n"
"  --threads N        guest threads per vCPU (2)\n"
"  --work T           work of a thread between barriers (50ms)\n"
"  --agent T          balloon agent period (10ms)\n"
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

/* Comma list of unsigned values. */
static int parse_list(const char *s, uint32_t *out, uint32_t max, uint32_t *count)
{
	char buf[65536];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*count = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t v;
		if (parse_u64(tok, &v) || v > 0xffffffffu || *count >= max)
			return -1;
		out[(*count)++] = (uint32_t)v;
	}
	return *count ? 0 : -1;
}

static const char *const workloads[] = { "spin", "cpu", "barrier" };
static const char *const lock_names[] = { "ticket", "tas", "pv" };
const char *sim_workload_name(enum sim_workload w) { return workloads[w]; }
const char *sim_lock_name(enum sim_lock_kind k) { return lock_names[k]; }

/* --vms: N[xK][:workload],... */
static int parse_vms(const char *s, struct sim_config *c)
{
	char buf[65536];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	c->nr_vms = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint64_t n, rep = 1;
		int wl = SIM_WL_SPIN;
		char *colon = strchr(tok, ':'), *x;
		if (colon) {
			*colon = 0;
			for (wl = 0; wl < 3 && strcmp(colon + 1, workloads[wl]); wl++)
				;
			if (wl == 3)
				return -1;
		}
		if ((x = strchr(tok, 'x'))) {
			*x = 0;
			if (parse_u64(x + 1, &rep) || !rep)
				return -1;
		}
		if (parse_u64(tok, &n) || n > 0xffffffffu)
			return -1;
		for (uint64_t i = 0; i < rep; i++) {
			if (c->nr_vms >= SIM_MAX_VMS)
				return -1;
			c->workload[c->nr_vms] = (uint8_t)wl;
			c->vcpus[c->nr_vms++] = (uint32_t)n;
		}
	}
	return c->nr_vms ? 0 : -1;
}

/* --hints: none|cs|spin|cs+spin per VM. */
static int parse_hints(const char *s, uint8_t *out, uint32_t *count)
{
	char buf[65536];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*count = 0;
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
		uint8_t h = !strcmp(tok, "none") ? 0 : !strcmp(tok, "cs") ? SIM_HINT_CS :
			    !strcmp(tok, "spin") ? SIM_HINT_SPIN :
			    !strcmp(tok, "cs+spin") || !strcmp(tok, "spin+cs") ? SIM_HINT_CS | SIM_HINT_SPIN : 0xff;
		if (h == 0xff || *count >= SIM_MAX_VMS)
			return -1;
		out[(*count)++] = h;
	}
	return *count ? 0 : -1;
}

/* "V[.C]=REST": *vm, *vcpu (SIM_ALL_VCPUS without .C), *rest. */
static int parse_target(char *s, bool need_vcpu, uint32_t *vm, uint32_t *vcpu, char **rest)
{
	char *eq = strchr(s, '='), *dot = strchr(s, '.');
	uint64_t a, b = SIM_ALL_VCPUS;
	if (!eq || (dot && dot > eq) || (need_vcpu && !dot))
		return -1;
	*eq = 0;
	if (dot) {
		*dot = 0;
		if (parse_u64(dot + 1, &b) || b >= SIM_ALL_VCPUS)
			return -1;
	}
	if (parse_u64(s, &a) || a >= SIM_MAX_VMS)
		return -1;
	*vm = (uint32_t)a;
	*vcpu = (uint32_t)b;
	*rest = eq + 1;
	return 0;
}

static int parse_pin(const char *s, struct sim_config *c)
{
	char buf[128], *rest, *dash;
	uint64_t lo, hi;
	struct sim_pin *p = &c->pins[c->nr_pins];
	if (strlen(s) >= sizeof(buf) || c->nr_pins >= SIM_MAX_PINS)
		return -1;
	strcpy(buf, s);
	if (parse_target(buf, false, &p->vm, &p->vcpu, &rest))
		return -1;
	if ((dash = strchr(rest, '-')))
		*dash = 0;
	if (parse_u64(rest, &lo) || (dash ? parse_u64(dash + 1, &hi) : (hi = lo, 0)) || lo > hi || hi > 65535)
		return -1;
	p->lo = (uint32_t)lo;
	p->hi = (uint32_t)hi;
	c->nr_pins++;
	return 0;
}

static int parse_vcap(const char *s, struct sim_config *c)
{
	char buf[128], *rest;
	uint64_t cap;
	struct sim_vcap *v = &c->vcaps[c->nr_vcaps];
	if (strlen(s) >= sizeof(buf) || c->nr_vcaps >= SIM_MAX_PINS)
		return -1;
	strcpy(buf, s);
	if (parse_target(buf, true, &v->vm, &v->vcpu, &rest) || parse_u64(rest, &cap) || !cap || cap > 100)
		return -1;
	v->cap = (uint32_t)cap;
	c->nr_vcaps++;
	return 0;
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
	c->kernel_frac = 0.2;
	c->irqoff_frac = 0.5;
	c->pv_spin_ns = 32768 * 10;
	c->report_ns = 32768 * 10;
	c->threads = 2;
	c->work_ns = 50e6;
	c->agent_ns = 10000000;
	c->jitter_ns = 20e3;
	c->long_wait_ns = 1000000;
}

static uint32_t tmp_list[SIM_MAX_VMS];
static uint8_t tmp_hints[SIM_MAX_VMS];

/* Per-VM list: one value for all VMs or exactly one per VM. */
static int per_vm(const char *opt, const char *val, uint32_t n, uint32_t got)
{
	if (got != 1 && got != n)
		return bad(opt, val, "needs one value or one per VM");
	return 0;
}

/* A per-VM list of numbers (--weights, --caps) into dst[n]. */
static int per_vm_u32(const char *opt, const char *val, uint32_t n, uint32_t *dst)
{
	uint32_t got;

	if (parse_list(val, tmp_list, SIM_MAX_VMS, &got))
		return bad(opt, val, "not a list of numbers");
	if (per_vm(opt, val, n, got))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		dst[i] = tmp_list[got == 1 ? 0 : i];
	return 0;
}

struct late { const char *weights, *caps, *hints; };

static int check_config(struct sim_config *c, const struct late *l)
{
	uint32_t got;

	if (!c->pcpus)
		return bad("--pcpus", "", "required (1..65536)");
	if (!c->nr_vms)
		return bad("--vms", "", "required");
	if (l->weights && per_vm_u32("--weights", l->weights, c->nr_vms, c->weight))
		return -1;
	if (l->caps && per_vm_u32("--caps", l->caps, c->nr_vms, c->cap))
		return -1;
	if (l->hints) {
		if (parse_hints(l->hints, tmp_hints, &got))
			return bad("--hints", l->hints, "not a list of none, cs, spin, cs+spin");
		if (per_vm("--hints", l->hints, c->nr_vms, got))
			return -1;
		for (uint32_t i = 0; i < c->nr_vms; i++)
			c->hints[i] = tmp_hints[got == 1 ? 0 : i];
	}
	for (uint32_t i = 0; i < c->nr_vms; i++) {
		if (!c->vcpus[i] || c->vcpus[i] > 4096)
			return bad("--vms", "", "each VM needs 1..4096 vCPUs");
		if (l->weights && (c->weight[i] < 1 || c->weight[i] > 65536))
			return bad("--weights", l->weights, "weights are 1..65536");
		if (c->cap[i] > 100 * c->vcpus[i])
			return bad("--caps", l->caps, "a cap is at most 100 * the VM's vCPUs");
	}
	for (uint32_t i = 0; i < c->nr_pins; i++) {
		const struct sim_pin *p = &c->pins[i];
		if (p->vm >= c->nr_vms || (p->vcpu != SIM_ALL_VCPUS && p->vcpu >= c->vcpus[p->vm]))
			return bad("--pin", "", "names a VM or vCPU that does not exist");
		if (p->hi >= c->pcpus)
			return bad("--pin", "", "names a pCPU that does not exist");
	}
	for (uint32_t i = 0; i < c->nr_vcaps; i++)
		if (c->vcaps[i].vm >= c->nr_vms || c->vcaps[i].vcpu >= c->vcpus[c->vcaps[i].vm])
			return bad("--vcpu-cap", "", "names a VM or vCPU that does not exist");
	return 0;
}

static int parse_time_opt(struct sim_config *c, const char *opt, const char *val)
{
	static const struct { const char *name; bool is_u64, may_be_zero; size_t off; } opts[] = {
		{ "--compute", false, false, offsetof(struct sim_config, compute_ns) },
		{ "--hold", false, false, offsetof(struct sim_config, hold_ns) },
		{ "--sleep", false, false, offsetof(struct sim_config, sleep_ns) },
		{ "--jitter", false, true, offsetof(struct sim_config, jitter_ns) },
		{ "--work", false, false, offsetof(struct sim_config, work_ns) },
		{ "--long-wait", true, false, offsetof(struct sim_config, long_wait_ns) },
		{ "--pv-spin", true, false, offsetof(struct sim_config, pv_spin_ns) },
		{ "--report", true, false, offsetof(struct sim_config, report_ns) },
		{ "--ple", true, true, offsetof(struct sim_config, ple_ns) },
		{ "--agent", true, false, offsetof(struct sim_config, agent_ns) },
	};
	double d;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(opt, opts[i].name))
			continue;
		if (parse_time(val, 1e3, &d) || d > 1e12)
			return bad(opt, val, "not a duration (e.g. 50us)");
		if (d < 1 && !opts[i].may_be_zero)
			return bad(opt, val, "must be at least 1ns");
		if (opts[i].is_u64)
			*(uint64_t *)(void *)((char *)c + opts[i].off) = (uint64_t)d;
		else
			*(double *)(void *)((char *)c + opts[i].off) = d;
		return 0;
	}
	return 1;
}

static int parse_opt(struct sim_config *c, const char *opt, const char *val, struct late *l)
{
	uint64_t u;
	double d;
	int rc = parse_time_opt(c, opt, val);

	if (rc <= 0)
		return rc;
	if (!strcmp(opt, "--pcpus")) {
		if (parse_u64(val, &u) || !u || u > 65536)
			return bad(opt, val, "must be 1..65536");
		c->pcpus = (uint32_t)u;
	} else if (!strcmp(opt, "--vms")) {
		if (parse_vms(val, c))
			return bad(opt, val, "not a list of vCPU counts (e.g. 4,4 or 4x512 or 4:spin,4:cpu)");
	} else if (!strcmp(opt, "--sched")) {
		c->sched = val;
	} else if (!strcmp(opt, "--knob")) {
		if (c->nr_knobs >= SIM_MAX_KNOBS || !strchr(val, '='))
			return bad(opt, val, "expected policy.knob=value");
		c->knobs[c->nr_knobs++] = val;
	} else if (!strcmp(opt, "--seconds")) {
		if (parse_double(val, &d) || d <= 0 || d > 1e6)
			return bad(opt, val, "must be > 0 and at most 1e6");
		c->duration_ns = (uint64_t)(d * 1e9);
	} else if (!strcmp(opt, "--seed")) {
		if (parse_u64(val, &u))
			return bad(opt, val, "must be an unsigned integer");
		c->seed = u;
	} else if (!strcmp(opt, "--weights")) {
		l->weights = val;
	} else if (!strcmp(opt, "--caps")) {
		l->caps = val;
	} else if (!strcmp(opt, "--hints")) {
		l->hints = val;
	} else if (!strcmp(opt, "--pin")) {
		if (parse_pin(val, c))
			return bad(opt, val, "expected VM[.VCPU]=LO[-HI] (e.g. 0.1=2 or 1=0-3)");
	} else if (!strcmp(opt, "--vcpu-cap")) {
		if (parse_vcap(val, c))
			return bad(opt, val, "expected VM.VCPU=PCT with PCT 1..100");
	} else if (!strcmp(opt, "--slice")) {
		if (parse_time(val, 1e6, &d) || d < 1e5 || d > 1e10)
			return bad(opt, val, "must be 100us..10s");
		c->slice_ns = (uint64_t)d;
	} else if (!strcmp(opt, "--lock")) {
		for (u = 0; u < 3 && strcmp(val, lock_names[u]); u++)
			;
		if (u == 3)
			return bad(opt, val, "must be ticket, tas or pv");
		c->lock = (enum sim_lock_kind)u;
	} else if (!strcmp(opt, "--locks") || !strcmp(opt, "--threads")) {
		if (parse_u64(val, &u) || !u || u > 1024)
			return bad(opt, val, "must be 1..1024");
		*(!strcmp(opt, "--locks") ? &c->locks : &c->threads) = (uint32_t)u;
	} else if (!strcmp(opt, "--sleep-prob") || !strcmp(opt, "--kernel-frac") || !strcmp(opt, "--irqoff-frac")) {
		if (parse_double(val, &d) || d > 1)
			return bad(opt, val, "must be 0..1");
		*(!strcmp(opt, "--sleep-prob") ? &c->sleep_prob : !strcmp(opt, "--kernel-frac") ? &c->kernel_frac
											 : &c->irqoff_frac) = d;
	} else {
		return bad(opt, val, "unknown option");
	}
	return 0;
}

int sim_parse_args(int argc, char **argv, struct sim_config *c)
{
	struct late l = { 0 };

	defaults(c);
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			static struct sched_pcpu one;
			const char *err;
			fputs(usage, stdout);
			if (sched_init(&one, 1, &err)) /* knobs at their defaults */
				return 1;
			printf("Knobs (--knob; the hypervisor's policy.knob=value):\n");
			for (uint32_t k = 0; sched_param_describe(k); k++)
				printf("  %s\n", sched_param_describe(k));
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
		if (parse_opt(c, opt, argv[++i], &l))
			return -1;
	}
	return check_config(c, &l);
}
