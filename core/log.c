/* Console log: whole lines under one lock, "[secs.micros] cpuN: text". */
#include "core/log.h"
#include "core/fmt.h"
#include "core/percpu.h"
#include "core/spinlock.h"
#include "core/traps.h"
#include "hw/uart.h"
#include "hw/power.h"
#include "hw/lapic.h"
#include "hw/x86.h"

enum log_level log_threshold = LOG_INFO;
static spinlock_t console_lock = SPINLOCK_INIT;
static volatile int panicking = -1;     /* pCPU that panics, -1 if none */
static bool gs_ready;

unsigned cpu_id_early(void)
{
	return gs_ready || rdmsr(MSR_GS_BASE) ? this_cpu()->id : 0;
}

/* Take the console lock; a panicking pCPU gives up waiting after a while
 * (the holder may be the one that is wedged). */
static uint64_t console_acquire(void)
{
	uint64_t f = irq_save();
	if (panicking == (int)cpu_id_early()) {
		for (unsigned i = 0; i < 10000000; i++)
			if (spin_trylock(&console_lock))
				return f;
		console_lock.owner = console_lock.next;  /* break it */
		spin_lock(&console_lock);
		return f;
	}
	spin_lock(&console_lock);
	return f;
}

static void console_release(uint64_t f)
{
	spin_unlock(&console_lock);
	irq_restore(f);
}

static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[512];
	size_t n = 0;
	if (prefix) {
		uint64_t ns = time_now();
		n = (size_t)fmt_snprintf(line, sizeof(line), "[%5llu.%06llu] cpu%u: %s",
					 (unsigned long long)(ns / 1000000000ull),
					 (unsigned long long)(ns / 1000ull % 1000000ull),
					 cpu_id_early(), prefix);
	}
	n = MIN(n, sizeof(line) - 1);
	int m = fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = MIN(n + (size_t)(m < 0 ? 0 : m), sizeof(line) - 2);
	line[n++] = '\n';
	uint64_t f = console_acquire();
	uart_write(line, n);
	console_release(f);
}

void hv_vlog(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "error: ", "warning: ", "", "" };
	if (lvl > log_threshold)
		return;
	emit(tags[lvl], fmt, ap);
}

void hv_log(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hv_vlog(lvl, fmt, ap);
	va_end(ap);
}

static void contract_line(const char *prefix, const char *fmt, va_list ap)
{
	char buf[400];
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	log_puts_raw(prefix, buf);
}

void hv_contract(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	contract_line("HV ", fmt, ap);
	va_end(ap);
}

void log_puts_raw(const char *a, const char *b)
{
	uint64_t f = console_acquire();
	uart_write(a, strlen(a));
	uart_write(b, strlen(b));
	uart_write("\n", 1);
	console_release(f);
}

void hv_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	contract_line("HV ERROR ", fmt, ap);
	va_end(ap);
}

void log_flush(void)
{
	uart_drain();
}

void log_set_gs_ready(void) { gs_ready = true; }

static NORETURN void panic_common(const struct trap_frame *tf, void *ra, const char *fmt, va_list ap)
{
	irq_disable();
	int me = (int)cpu_id_early();
	int expect = -1;
	if (!__atomic_compare_exchange_n(&panicking, &expect, me, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) && expect != me) {
		/* Another pCPU is already panicking: just stop. */
		for (;;)
			halt();
	}
	char buf[400];
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	char head[48];
	fmt_snprintf(head, sizeof(head), "HV PANIC cpu%d: ", me);
	log_puts_raw(head, buf);
	if (tf)
		dump_frame(tf);
	else
		pr_err("called from %p", ra);
	machine_halt_others();
	machine_poweroff_quiet();
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_common(NULL, __builtin_return_address(0), fmt, ap);
}

void panic_frame(const struct trap_frame *tf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	panic_common(tf, NULL, fmt, ap);
}
