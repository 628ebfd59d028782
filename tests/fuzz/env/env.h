/* Stub environment for device models built on the host by the fuzz targets
 * (vmm/dev/vlapic.c, vmm/dev/vpit.c): a simulated nanosecond clock, the
 * one-shot timers of core/timer.h on it, a TSC, kzalloc/kfree, and records
 * of what the models call outside themselves (vCPU kicks, IOAPIC EOIs, IRQ
 * pulses). Single-threaded: spinlocks are the real ticket locks (a model
 * that took its own lock twice would spin forever, which libFuzzer reports
 * as a timeout), interrupt masking is a no-op (env/hw/x86.h). */
#ifndef TESTS_FUZZ_ENV_H
#define TESTS_FUZZ_ENV_H
#include "core/lib.h"
#include "core/timer.h"

#define ENV_MAX_TIMERS 16
#define ENV_MAX_EOIS   64

struct env {
	uint64_t now;                   /* ns, what time_now() returns */
	uint64_t tsc_khz;               /* rdtsc() = now * tsc_khz / 10^6 */
	struct timer *timers[ENV_MAX_TIMERS];
	unsigned ntimers;
	uint64_t fired;                 /* timer callbacks run */
	uint64_t kicks;
	unsigned neois;                 /* vioapic_eoi() calls, vectors kept */
	uint8_t eoi_vec[ENV_MAX_EOIS];
	uint64_t pulses[32];            /* vm_irq_pulse() per GSI */
	uint64_t last_pulse_ns[32];
	bool pulse_seen[32];
};
extern struct env env;

/* Forget everything (between fuzz inputs); timers still armed are dropped. */
void env_reset(uint64_t now, uint64_t tsc_khz);
/* Is t armed, and for when? */
bool env_timer_armed(const struct timer *t, uint64_t *deadline);
/* Advance the clock to `to`, running every timer that falls due in order.
 * exact: each callback sees time_now() equal to its deadline (a timer
 * interrupt on time); otherwise it sees `to` (the pCPU came back late).
 * Returns the number of callbacks run, stopping after max_fires (the
 * caller treats reaching it as a timer storm). */
uint64_t env_advance(uint64_t to, bool exact, uint64_t max_fires);
/* Forget t (its owner is being freed). */
void env_timer_forget(struct timer *t);

#endif
