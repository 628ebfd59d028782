/* Stub environment for the device-model fuzz targets; see env.h. */
#include <stdio.h>
#include <stdlib.h>
#include "tests/fuzz/env/env.h"
#include "core/log.h"
#include "core/mm.h"
#include "hw/tsc.h"
#include "hw/x86.h"
#include "vmm/dev/vdev.h"

struct env env;

_Noreturn void env_no_hw(const char *what)
{
	fprintf(stderr, "FUZZ ENV: a device model executed %s\n", what);
	abort();
}

void env_reset(uint64_t now, uint64_t tsc_khz)
{
	memset(&env, 0, sizeof(env));
	env.now = now;
	env.tsc_khz = tsc_khz ? tsc_khz : 1000000;
}

uint64_t time_now(void) { return env.now; }

uint64_t env_rdtsc(void)
{
	return (uint64_t)((unsigned __int128)env.now * env.tsc_khz / 1000000u);
}

/* The hypervisor's conversions (hw/tsc.c) at env.tsc_khz. */
uint64_t tsc_to_ns(uint64_t ticks)
{
	uint64_t mult = (1000000ull << 32) / env.tsc_khz;
	return (uint64_t)(((unsigned __int128)ticks * mult) >> 32);
}
uint64_t ns_to_tsc(uint64_t ns) { return (uint64_t)((unsigned __int128)ns * env.tsc_khz / 1000000u); }
uint64_t tsc_khz_get(void) { return env.tsc_khz; }

void udelay(uint64_t us) { (void)us; env_no_hw("udelay"); }

static bool registered(const struct timer *t)
{
	for (unsigned i = 0; i < env.ntimers; i++)
		if (env.timers[i] == t)
			return true;
	return false;
}

static void add_timer(struct timer *t)
{
	if (registered(t))
		return;
	if (env.ntimers == ENV_MAX_TIMERS) {
		fprintf(stderr, "FUZZ ENV: more than %d timers\n", ENV_MAX_TIMERS);
		abort();
	}
	env.timers[env.ntimers++] = t;
}

void timer_init(struct timer *t, void (*fn)(struct timer *, void *), void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
	t->cpu = -1;
	add_timer(t);
}

void timer_set(struct timer *t, uint64_t deadline_ns)
{
	add_timer(t);
	t->deadline = deadline_ns;
	t->cpu = 0;
}

void timer_cancel(struct timer *t)
{
	t->cpu = -1;
}

void timer_expire(void) { env_no_hw("timer_expire"); }

void env_timer_forget(struct timer *t)
{
	for (unsigned i = 0; i < env.ntimers; i++)
		if (env.timers[i] == t) {
			env.timers[i] = env.timers[--env.ntimers];
			return;
		}
}

bool env_timer_armed(const struct timer *t, uint64_t *deadline)
{
	if (t->cpu < 0)
		return false;
	if (deadline)
		*deadline = t->deadline;
	return true;
}

uint64_t env_advance(uint64_t to, bool exact, uint64_t max_fires)
{
	uint64_t n = 0;

	if (to < env.now)
		to = env.now;
	while (n < max_fires) {
		struct timer *due = NULL;
		for (unsigned i = 0; i < env.ntimers; i++) {
			struct timer *t = env.timers[i];
			if (t->cpu >= 0 && t->deadline <= to && (!due || t->deadline < due->deadline))
				due = t;
		}
		if (!due)
			break;
		if (!exact)
			env.now = to;
		else if (due->deadline > env.now)
			env.now = due->deadline;
		due->cpu = -1;          /* off the queue before its callback, as timer_expire does */
		due->fn(due, due->arg);
		env.fired++;
		n++;
	}
	if (n < max_fires)
		env.now = to;
	return n;
}

void *kzalloc(size_t size) { return calloc(1, size); }
void *kmalloc(size_t size) { return malloc(size); }
void kfree(void *p) { free(p); }

void vcpu_kick(struct vcpu *v) { (void)v; env.kicks++; }

void vioapic_eoi(struct vm *vm, uint8_t vector)
{
	(void)vm;
	if (env.neois < ENV_MAX_EOIS)
		env.eoi_vec[env.neois] = vector;
	env.neois++;
}

void vm_irq_pulse(struct vm *vm, unsigned gsi)
{
	(void)vm;
	if (gsi >= 32)
		env_no_hw("vm_irq_pulse on a GSI above 31");
	env.pulses[gsi]++;
	env.last_pulse_ns[gsi] = env.now;
	env.pulse_seen[gsi] = true;
}

void vm_irq_set(struct vm *vm, unsigned gsi, bool level) { (void)vm; (void)gsi; (void)level; }

/* The console: the models under test must not need it; keep quiet. */
enum log_level log_threshold = LOG_ERR;
void hv_log(enum log_level lvl, const char *fmt, ...) { (void)lvl; (void)fmt; }
void log_puts_raw(const char *a, const char *b) { (void)a; (void)b; }
NORETURN void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "FUZZ ENV: panic: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
