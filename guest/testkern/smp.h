/* The application processors the smp test started, as workers for later
 * tests: each parks in `cli; hlt` and, woken by an NMI (or a PV kick),
 * runs the job posted for it, then parks again. */
#ifndef TK_SMP_H
#define TK_SMP_H
#include <stdbool.h>
#include <stdint.h>
#include "guest/testkern/smp_defs.h"

typedef void (*ap_job_fn)(uint32_t slot);

/* APs started so far (0 until the smp test ran); their slots are 0..n-1. */
uint32_t ap_count(void);
uint32_t ap_apic_id(uint32_t slot);
/* Post fn for the AP in slot and wake it with NMIs until it has taken the
 * job (it runs with interrupts off). False if it never did. */
bool ap_start_job(uint32_t slot, ap_job_fn fn);
/* Wait (at most spin pauses) until its last job returned. */
bool ap_wait_job(uint32_t slot, uint32_t spin);
/* Times each AP came out of its parking HLT (any reason). */
extern volatile uint32_t ap_wakes[AP_MAX];

#endif
