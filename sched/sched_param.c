/* Policy knobs: "policy.name=value" from the hypervisor's command line or
 * hvsim --knob, checked against each policy's table (struct sched_param). */
#include "sched/sched_internal.h"
#include "core/fmt.h"

#define S sched_g

static const struct {
	const char *sfx;
	uint64_t ns;
} units[] = { { "s", 1000000000ull }, { "ms", 1000000ull }, { "us", 1000ull }, { "ns", 1 } };

/* A time in the largest unit that divides it: "1ms", "250us", "7ns". */
static const char *fmt_time(char *buf, size_t len, uint64_t ns)
{
	size_t u = 0;
	while (ns && ns % units[u].ns)
		u++;
	fmt_snprintf(buf, len, "%llu%s", (unsigned long long)(ns / units[u].ns), units[u].sfx);
	return buf;
}

static const char *fmt_value(char *buf, size_t len, const struct sched_param *p, uint64_t v)
{
	if (p->type == SCHED_PARAM_TIME)
		return fmt_time(buf, len, v);
	if (p->type == SCHED_PARAM_ENUM)
		return p->choices[v];
	fmt_snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* Decimal digits, then (times) a unit. false on junk or overflow. */
static bool parse_value(const struct sched_param *p, const char *s, uint64_t *out)
{
	if (p->type == SCHED_PARAM_ENUM) {
		for (uint64_t i = 0; p->choices[i]; i++) {
			if (!strcmp(p->choices[i], s)) {
				*out = i;
				return true;
			}
		}
		return false;
	}
	uint64_t v = 0;
	const char *c = s;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (c == s)
		return false;
	if (p->type == SCHED_PARAM_UINT) {
		*out = v;
		return !*c;
	}
	for (size_t u = 0; u < ARRAY_SIZE(units); u++) {
		if (!strcmp(c, units[u].sfx)) {
			if (v > UINT64_MAX / units[u].ns)
				return false;
			*out = v * units[u].ns;
			return true;
		}
	}
	return false;
}

/* "a|b|c" for an enum knob. */
static const char *choices(char *buf, size_t len, const struct sched_param *p)
{
	size_t n = 0;

	buf[0] = 0;
	for (const char *const *c = p->choices; *c; c++)
		n += (size_t)fmt_snprintf(buf + MIN(n, len), len - MIN(n, len), "%s%s", n ? "|" : "", *c);
	return buf;
}

static const char *knob_names(const struct sched_ops *ops)
{
	static char names[160];
	size_t len = 0;

	names[0] = 0;
	for (const struct sched_param *p = ops->params; p && p->name; p++)
		len += (size_t)fmt_snprintf(names + MIN(len, sizeof(names)), sizeof(names) - MIN(len, sizeof(names)),
					    "%s%s", len ? ", " : "", p->name);
	return len ? names : "none";
}

static int bad(const char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(S.err, sizeof(S.err), fmt, ap);
	va_end(ap);
	*err = S.err;
	return -1;
}

int sched_set_param(const char *knob, const char *value, const char **err)
{
	const char *dot = strchr(knob, '.');
	char pol[32];

	if (!dot || dot == knob || (size_t)(dot - knob) >= sizeof(pol))
		return bad(err, "knob '%s': expected <policy>.<knob>, e.g. pdelay.bound", knob);
	memcpy(pol, knob, (size_t)(dot - knob));
	pol[dot - knob] = 0;
	const struct sched_ops *ops = sched_policy_find(pol);
	if (!ops)
		return bad(err, "knob '%s': unknown scheduler '%s' (available: %s)", knob, pol, sched_policy_names());
	const struct sched_param *p = ops->params;
	while (p && p->name && strcmp(p->name, dot + 1))
		p++;
	if (!p || !p->name)
		return bad(err, "unknown knob '%s' (%s knobs: %s)", knob, pol, knob_names(ops));
	uint64_t v;
	char lo[24], hi[24], list[80];
	if (!parse_value(p, value, &v)) {
		if (p->type == SCHED_PARAM_ENUM)
			return bad(err, "%s: '%s' is not one of %s", knob, value, choices(list, sizeof(list), p));
		return bad(err, "%s: '%s' is not %s", knob, value,
			   p->type == SCHED_PARAM_TIME ? "a time (a whole number with ns, us, ms or s)"
						       : "a whole number");
	}
	if (p->type != SCHED_PARAM_ENUM && (v < p->min || v > p->max))
		return bad(err, "%s: %s is out of range (%s..%s)", knob, value,
			   fmt_value(lo, sizeof(lo), p, p->min), fmt_value(hi, sizeof(hi), p, p->max));
	*p->value = v;
	return 0;
}

void sched_params_reset(void)
{
	for (uint32_t i = 0; i < sched_policy_count(); i++)
		for (const struct sched_param *p = sched_policy(i)->params; p && p->name; p++)
			*p->value = p->def;
}

const char *sched_param_describe(uint32_t i)
{
	static char line[200];

	for (uint32_t k = 0; k < sched_policy_count(); k++) {
		const struct sched_ops *ops = sched_policy(k);
		for (const struct sched_param *p = ops->params; p && p->name; p++) {
			if (i--)
				continue;
			char cur[24], lo[24], hi[24], range[80];
			if (p->type == SCHED_PARAM_ENUM)
				choices(range, sizeof(range), p);
			else
				fmt_snprintf(range, sizeof(range), "%s..%s", fmt_value(lo, sizeof(lo), p, p->min),
					     fmt_value(hi, sizeof(hi), p, p->max));
			fmt_snprintf(line, sizeof(line), "%s.%s=%s (%s) %s", ops->name, p->name,
				     fmt_value(cur, sizeof(cur), p, *p->value), range, p->help);
			return line;
		}
	}
	return NULL;
}
