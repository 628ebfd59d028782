/* Hypervisor console log. Every line is written whole (lines from several
 * pCPUs never interleave) and carries a timestamp and the pCPU number:
 *   [   1.234567] cpu2: text
 * Lines starting with "HV " are a machine-readable contract (docs/console.md);
 * hv_contract() prints them without the prefix so scripts can match them at
 * the start of a line. */
#ifndef CORE_LOG_H
#define CORE_LOG_H
#include "core/lib.h"

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern enum log_level log_threshold;

void hv_log(enum log_level lvl, const char *fmt, ...) PRINTF_LIKE(2, 3);
void hv_vlog(enum log_level lvl, const char *fmt, va_list ap);
/* A contract line, e.g. hv_contract("READY pcpus=%u", n) -> "HV READY pcpus=4". */
void hv_contract(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "HV ERROR <text>": a configuration or input error (never a hypervisor bug). */
void hv_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Broken hypervisor invariant: "HV PANIC ..." with a full diagnostic, stop
 * every pCPU and power off (so an unattended test fails fast). */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
struct trap_frame;
NORETURN void panic_frame(const struct trap_frame *tf, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Wait until the UART has sent everything (before power-off). */
void log_flush(void);
/* Write a + b + newline as one line, no prefix (contract lines). */
void log_puts_raw(const char *a, const char *b);
/* GS.base now points at the pCPU data: log lines may name the pCPU. */
void log_set_gs_ready(void);

#define pr_err(...)   hv_log(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  hv_log(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  hv_log(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) hv_log(LOG_DEBUG, __VA_ARGS__)

#define BUG_ON(cond) do { if (cond) panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); } while (0)

#endif
