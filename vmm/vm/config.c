/* Guest module line parser; see vm_config.h. */
#include "vmm/vm/config.h"
#include "core/cmdline.h"
#include "core/fmt.h"

#define VMCFG_RAW_MAX 40        /* raw mem= and slice= text kept for messages */
#define VMCFG_LIST_MAX 200      /* pin= and vcpucap= lists */

/* Every problem found, joined by "; " (cut when the buffer is full). */
struct vmcfg_problems {
	char text[512];
	size_t len;
	int count;
};

static void problem(struct vmcfg_problems *p, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void problem(struct vmcfg_problems *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->count && p->len < sizeof(p->text))
		p->len += (size_t)fmt_snprintf(p->text + p->len, sizeof(p->text) - p->len, "; ");
	if (p->len < sizeof(p->text)) {
		va_start(ap, fmt);
		n = fmt_vsnprintf(p->text + p->len, sizeof(p->text) - p->len, fmt, ap);
		va_end(ap);
		p->len += (size_t)n;
	}
	p->count++;
}

static void vmcfg_warn(void *ctx, const char *msg)
{
	problem(ctx, "%s", msg);
}

/* What cmdline_apply fills in, before validation. */
struct vmcfg_raw {
	char name[VM_NAME_MAX];
	uint64_t vcpus, weight, cap;
	char mem[VMCFG_RAW_MAX], slice[VMCFG_RAW_MAX], pv[VMCFG_RAW_MAX], user_hc[VMCFG_RAW_MAX];
	char pin[VMCFG_LIST_MAX], vcpucap[VMCFG_LIST_MAX], rdrand[VMCFG_RAW_MAX];
	bool initrd, module;
	bool seen_name, seen_vcpus, seen_mem, seen_weight, seen_cap, seen_slice, seen_pv, seen_user_hc;
	bool seen_pin, seen_vcpucap, seen_rdrand;
};

/* The pv= words, in the order vm_pv_names() prints them. */
static const struct {
	const char *name;
	unsigned bit;
} pv_words[] = {
	{ "unhalt", VM_PV_UNHALT }, { "steal", VM_PV_STEAL }, { "tlb", VM_PV_TLB },
	{ "yield", VM_PV_YIELD }, { "ipi", VM_PV_IPI }, { "realtime", VM_PV_REALTIME },
};

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* "10" (ms), "10ms", "500us" -> ns; false on junk. */
static bool parse_slice(const char *s, uint64_t *ns)
{
	size_t digits = 0, len = strlen(s);
	uint64_t v, unit = 1000000;

	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits == 0 || !cmdline_parse_u64(s, digits, &v))
		return false;
	if (strcmp(s + digits, "us") == 0)
		unit = 1000;
	else if (s[digits] && strcmp(s + digits, "ms") != 0)
		return false;
	if (v > VM_SLICE_MAX_NS)        /* also keeps v * unit from wrapping */
		v = VM_SLICE_MAX_NS + 1;
	*ns = v * unit;
	return true;
}

static void check_mem(struct vmcfg_raw *r, uint64_t mem_free, struct vm_config *c,
		      struct vmcfg_problems *p)
{
	uint64_t mem;

	if (!r->seen_mem) {
		problem(p, "missing mem=<size>");
		return;
	}
	if (!cmdline_parse_size(r->mem, strlen(r->mem), &mem)) {
		problem(p, "bad value 'mem=%s' (expected a size such as 512M)", r->mem);
		return;
	}
	if (mem < VM_MEM_MIN) {
		problem(p, "mem=%s is below the minimum (%llu MiB)", r->mem,
			(unsigned long long)(VM_MEM_MIN >> 20));
		return;
	}
	if (mem > mem_free || ALIGN_UP(mem, VM_MEM_ALIGN) > mem_free ||
	    ALIGN_UP(mem, VM_MEM_ALIGN) < mem) {
		problem(p, "mem=%s exceeds free memory (%llu MiB)", r->mem,
			(unsigned long long)(mem_free >> 20));
		return;
	}
	c->mem = ALIGN_UP(mem, VM_MEM_ALIGN);
}

static void check_sched(struct vmcfg_raw *r, struct vm_config *c, struct vmcfg_problems *p)
{
	if (r->seen_weight && (r->weight < 1 || r->weight > VM_WEIGHT_MAX))
		problem(p, "weight=%llu out of range (1..%u)",
			(unsigned long long)r->weight, VM_WEIGHT_MAX);
	else if (r->seen_weight)
		c->weight = (unsigned)r->weight;

	/* A cap is a share of one CPU; more than all vCPUs running flat out
	 * can never be reached. */
	if (r->seen_cap && c->vcpus && r->cap > 100ull * c->vcpus)
		problem(p, "cap=%llu out of range (0..%u for %u vcpus)",
			(unsigned long long)r->cap, 100 * c->vcpus, c->vcpus);
	else if (r->seen_cap)
		c->cap = (unsigned)r->cap;

	if (r->seen_slice) {
		uint64_t ns;
		if (!parse_slice(r->slice, &ns))
			problem(p, "bad value 'slice=%s' (expected e.g. 10, 10ms or 500us)",
				r->slice);
		else if (ns < VM_SLICE_MIN_NS || ns > VM_SLICE_MAX_NS)
			problem(p, "slice=%s out of range (100us..1000ms)", r->slice);
		else
			c->slice_ns = ns;
	}
}

/* pv=all | none | a list of pv_words[] and "all". PV TLB flush and PV sched
 * yield are only useful with steal time: the guest's flag lives in the
 * steal-time record and Linux enables both only with it (kvm.c in 6.1), so
 * asking for them alone is refused rather than silently doing nothing. */
static void check_pv(struct vmcfg_raw *r, struct vm_config *c, struct vmcfg_problems *p)
{
	if (!r->seen_pv)
		return;
	if (!strcmp(r->pv, "none")) {
		c->pv = 0;
		return;
	}
	unsigned pv = 0;
	const char *s = r->pv;
	bool bad = !*s;
	while (*s && !bad) {
		size_t n = 0;
		while (s[n] && s[n] != ',')
			n++;
		unsigned bit = 0;
		if (n == 3 && !memcmp(s, "all", 3))
			bit = VM_PV_ALL;
		for (unsigned i = 0; i < ARRAY_SIZE(pv_words) && !bit; i++)
			if (strlen(pv_words[i].name) == n && !memcmp(s, pv_words[i].name, n))
				bit = pv_words[i].bit;
		if (!bit) {
			problem(p, "bad value 'pv=%s' (expected all, none or a list of "
				"unhalt,steal,tlb,yield,ipi,realtime)", r->pv);
			return;
		}
		pv |= bit;
		s += n;
		if (*s == ',' && !*++s)
			bad = true;     /* trailing comma */
	}
	if (bad) {
		problem(p, "bad value 'pv=%s' (expected all, none or a list of "
			"unhalt,steal,tlb,yield,ipi,realtime)", r->pv);
		return;
	}
	if ((pv & (VM_PV_TLB | VM_PV_YIELD)) && !(pv & VM_PV_STEAL)) {
		problem(p, "pv=%s: %s needs steal (the guest uses it only with steal time)", r->pv,
			(pv & VM_PV_TLB) ? "tlb" : "yield");
		return;
	}
	c->pv = pv;
}

void vm_pv_names(unsigned pv, char *buf, size_t len)
{
	size_t n = 0;
	if (!len)
		return;
	buf[0] = '\0';
	for (unsigned i = 0; i < ARRAY_SIZE(pv_words); i++) {
		if (!(pv & pv_words[i].bit) || n >= len)
			continue;
		n += (size_t)fmt_snprintf(buf + n, len - n, "%s%s", n ? "," : "", pv_words[i].name);
	}
	if (!n)
		fmt_snprintf(buf, len, "none");
}

/* user_hc=none|all|<group>[,<group>...]: groups of lhv hypercalls the
 * guest's user space may make (docs/console.md). */
static void check_user_hc(struct vmcfg_raw *r, struct vm_config *c, struct vmcfg_problems *p)
{
	static const struct { const char *name; unsigned bits; } groups[] = {
		{ "none", 0 }, { "all", VM_USER_HC_ALL }, { "agent", VM_USER_HC_AGENT },
		{ "lhp", VM_USER_HC_LHP },
	};
	const char *s = r->user_hc;
	unsigned bits = 0;
	if (!r->seen_user_hc)
		return;
	for (;;) {
		size_t n = 0;
		while (s[n] && s[n] != ',')
			n++;
		unsigned i;
		for (i = 0; i < ARRAY_SIZE(groups); i++)
			if (strlen(groups[i].name) == n && !memcmp(s, groups[i].name, n))
				break;
		if (i == ARRAY_SIZE(groups)) {
			problem(p, "bad value 'user_hc=%s' (expected none, all, or a list of: agent, lhp)",
				r->user_hc);
			return;
		}
		bits |= groups[i].bits;
		if (!s[n])
			break;
		s += n + 1;
	}
	c->user_hc = bits;
}

/* A decimal number at *s (advanced past it), at most max; false on none. */
static bool list_num(const char **s, uint64_t max, uint64_t *out)
{
	size_t n = 0;
	while ((*s)[n] >= '0' && (*s)[n] <= '9')
		n++;
	if (!n || !cmdline_parse_u64(*s, n, out) || *out > max)
		return false;
	*s += n;
	return true;
}

/* pin=<p>[-<q>],... (every vCPU) or pin=<vcpu>:<p>,... (per vCPU). */
static void check_pin(struct vmcfg_raw *r, struct vm_config *c, struct vmcfg_problems *p)
{
	if (!r->seen_pin || !c->vcpus)
		return;
	bool pairs = strchr(r->pin, ':') != NULL;
	uint64_t all = 0, per[VM_MAX_VCPUS] = { 0 };
	const char *s = r->pin;
	for (;;) {
		uint64_t a, b, vc = 0;
		if (pairs && !(list_num(&s, ~0ull, &vc) && *s++ == ':'))
			goto bad;
		if (!list_num(&s, VM_PIN_MAX_PCPU, &a))
			goto bad;
		b = a;
		if (!pairs && *s == '-' && (s++, !list_num(&s, VM_PIN_MAX_PCPU, &b) || b < a))
			goto bad;
		if (pairs && vc >= c->vcpus) {
			problem(p, "pin=%s: vCPU %llu does not exist (vcpus=%u)", r->pin,
				(unsigned long long)vc, c->vcpus);
			return;
		}
		uint64_t *set = pairs ? &per[vc] : &all;
		for (uint64_t q = a; q <= b; q++)
			*set |= 1ull << q;
		if (!*s)
			break;
		if (*s++ != ',')
			goto bad;
	}
	for (unsigned i = 0; i < c->vcpus; i++)
		c->pin[i] = pairs ? per[i] : all;
	return;
bad:
	problem(p, "bad value 'pin=%s' (expected pCPUs such as 0-1,3 or vcpu:pcpu pairs such as "
		"0:2,1:3; pCPUs 0..%u)", r->pin, VM_PIN_MAX_PCPU);
}

/* vcpucap=<vcpu>:<percent>,...: a cap per vCPU, 1..100 % of one pCPU. */
static void check_vcpucap(struct vmcfg_raw *r, struct vm_config *c, struct vmcfg_problems *p)
{
	if (!r->seen_vcpucap || !c->vcpus)
		return;
	uint8_t caps[VM_MAX_VCPUS] = { 0 };
	const char *s = r->vcpucap;
	for (;;) {
		uint64_t vc, pct;
		if (!list_num(&s, ~0ull, &vc) || *s++ != ':' || !list_num(&s, 100, &pct) || !pct) {
			problem(p, "bad value 'vcpucap=%s' (expected vcpu:percent pairs such as "
				"1:50, percent 1..100)", r->vcpucap);
			return;
		}
		if (vc >= c->vcpus) {
			problem(p, "vcpucap=%s: vCPU %llu does not exist (vcpus=%u)", r->vcpucap,
				(unsigned long long)vc, c->vcpus);
			return;
		}
		caps[vc] = (uint8_t)pct;
		if (!*s)
			break;
		if (*s++ != ',') {
			problem(p, "bad value 'vcpucap=%s' (expected vcpu:percent pairs such as "
				"1:50, percent 1..100)", r->vcpucap);
			return;
		}
	}
	memcpy(c->vcpu_cap, caps, sizeof(caps));
}

static void check_kernel(struct vmcfg_raw *r, uint64_t mem_free, struct vm_config *c,
			 struct vmcfg_problems *p)
{
	if (!r->seen_vcpus)
		problem(p, "missing vcpus=<N>");
	else if (r->vcpus < 1 || r->vcpus > VM_MAX_VCPUS)
		problem(p, "vcpus=%llu out of range (1..%u)",
			(unsigned long long)r->vcpus, VM_MAX_VCPUS);
	else
		c->vcpus = (unsigned)r->vcpus;
	check_mem(r, mem_free, c, p);
	check_sched(r, c, p);
	check_pv(r, c, p);
	check_user_hc(r, c, p);
	check_pin(r, c, p);
	check_vcpucap(r, c, p);
	/* rdrand=off hides the guest's hardware random numbers: under an
	 * emulator whose RDRAND is the host's rand() (Bochs) a guest then
	 * draws its entropy from the virtual clock and runs repeat exactly. */
	if (r->seen_rdrand && strcmp(r->rdrand, "on") && strcmp(r->rdrand, "off"))
		problem(p, "bad value 'rdrand=%s' (expected on or off)", r->rdrand);
	else
		c->no_rdrand = r->seen_rdrand && !strcmp(r->rdrand, "off");
}

/* An initrd or module line: a VM's name and (module only) a string. */
static void check_attached(struct vmcfg_raw *r, const char *tail, struct vmcfg_problems *p)
{
	static const char *const names[] = { "vcpus", "mem", "weight", "cap", "slice", "pv", "user_hc",
					     "pin", "vcpucap", "rdrand" };
	const bool seen[] = { r->seen_vcpus, r->seen_mem, r->seen_weight,
			      r->seen_cap, r->seen_slice, r->seen_pv, r->seen_user_hc,
			      r->seen_pin, r->seen_vcpucap, r->seen_rdrand };
	const char *what = r->initrd ? "an initrd" : "a module";

	if (r->initrd && r->module)
		problem(p, "a line is either 'initrd' or 'module'");
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (seen[i])
			problem(p, "option '%s' not allowed on %s line", names[i], what);
	if (tail && r->initrd)
		problem(p, "a guest command line is not allowed on an initrd line");
}

/* Copy the text after "--" without trailing blanks. */
static void copy_tail(const char *tail, struct vm_config *c, struct vmcfg_problems *p)
{
	size_t len = strlen(tail);

	while (len && (tail[len - 1] == ' ' || tail[len - 1] == '\t' ||
		       tail[len - 1] == '\n' || tail[len - 1] == '\r'))
		len--;
	if (len >= sizeof(c->cmdline)) {
		problem(p, "guest command line too long: %zu characters (at most %zu)",
			len, sizeof(c->cmdline) - 1);
		return;
	}
	memcpy(c->cmdline, tail, len);
	c->cmdline[len] = '\0';
	c->has_cmdline = true;
}

int vm_config_parse(const char *line, uint64_t mem_free, struct vm_config *c,
		    char *err, size_t errlen)
{
	struct vmcfg_raw r;
	struct vmcfg_problems p;
	const char *tail = NULL;
	const struct opt_desc opts[] = {
		{ "vm", OPT_STR, r.name, sizeof(r.name), 0, 0, &r.seen_name },
		{ "vcpus", OPT_U64, &r.vcpus, 0, 0, 0, &r.seen_vcpus },
		{ "mem", OPT_STR, r.mem, sizeof(r.mem), 0, 0, &r.seen_mem },
		{ "weight", OPT_U64, &r.weight, 0, 0, 0, &r.seen_weight },
		{ "cap", OPT_U64, &r.cap, 0, 0, 0, &r.seen_cap },
		{ "slice", OPT_STR, r.slice, sizeof(r.slice), 0, 0, &r.seen_slice },
		{ "pv", OPT_STR, r.pv, sizeof(r.pv), 0, 0, &r.seen_pv },
		{ "user_hc", OPT_STR, r.user_hc, sizeof(r.user_hc), 0, 0, &r.seen_user_hc },
		{ "pin", OPT_STR, r.pin, sizeof(r.pin), 0, 0, &r.seen_pin },
		{ "vcpucap", OPT_STR, r.vcpucap, sizeof(r.vcpucap), 0, 0, &r.seen_vcpucap },
		{ "rdrand", OPT_STR, r.rdrand, sizeof(r.rdrand), 0, 0, &r.seen_rdrand },
		{ "initrd", OPT_FLAG, &r.initrd, 0, 0, 0, NULL },
		{ "module", OPT_FLAG, &r.module, 0, 0, 0, NULL },
	};
	bool named;

	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	memset(c, 0, sizeof(*c));
	c->weight = VM_WEIGHT_DEFAULT;
	c->pv = VM_PV_ALL;
	cmdline_apply(line, opts, ARRAY_SIZE(opts), vmcfg_warn, &p, &tail);

	named = r.seen_name && name_ok(r.name);
	if (named)
		memcpy(c->name, r.name, sizeof(c->name));
	else if (r.seen_name)
		problem(&p, "bad vm name '%s' (expected 1-31 of A-Z a-z 0-9 _ -)", r.name);
	else
		problem(&p, "missing vm=<name>");

	c->is_initrd = r.initrd;
	c->is_module = r.module && !r.initrd;
	if (r.initrd || r.module)
		check_attached(&r, tail, &p);
	else
		check_kernel(&r, mem_free, c, &p);
	if (tail && !r.initrd)
		copy_tail(tail, c, &p);

	if (!p.count)
		return 0;
	if (errlen)
		fmt_snprintf(err, errlen, "%s%s%s%s", named ? "vm=" : "",
			     named ? c->name : "", named ? ": " : "", p.text);
	return -1;
}
