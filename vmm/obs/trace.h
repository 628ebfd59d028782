/* The hypervisor's event trace (hypervisor option trace=1): per-pCPU ring
 * buffers of fixed-size records, drained as text lines (trace_fmt.h)
 * through I/O port 0xE9, which Bochs (port_e9_hack) and QEMU (-debugcon)
 * write to a host file at no cost to the guests' console. Each pCPU is the
 * only producer of its ring; drains are serialised by one lock, so lines
 * never interleave. A full ring drops records and says how many (TR_DROP):
 * the trace is bounded (TRACE_RING_RECS per pCPU between drains) and never
 * slows the scheduler down by more than one drain batch per decision. */
#ifndef VMM_OBS_TRACE_H
#define VMM_OBS_TRACE_H
#include "vmm/obs/trace_fmt.h"

#define TRACE_PORT       0xE9
#define TRACE_RING_RECS  8192u   /* per pCPU: 256 KiB */
#define TRACE_DRAIN_MIN  64u     /* a scheduling point drains from this many ... */
#define TRACE_DRAIN_MAX  256u    /* ... at most this many (about 12 KiB of OUTs) */

/* trace=1 on the hypervisor command line (boot/main.c's table). */
extern bool trace_opt;

/* Allocate the rings of n pCPUs and write the header and the VM table
 * (on the BSP, before the run loops start). Without trace=1, or if the
 * memory cannot be had (then a warning), tracing stays off. */
void trace_init(unsigned n, const char *policy);
bool trace_on(void);

/* Record r on the calling pCPU (any context; interrupts are masked
 * around the ring update). */
void trace_emit(const struct trace_rec *r);

/* Drain the calling pCPU's ring: if at least TRACE_DRAIN_MIN records wait,
 * up to TRACE_DRAIN_MAX of them; skipped if another pCPU is draining. */
void trace_drain_some(void);
/* Drain the calling pCPU's ring completely (before idling). */
void trace_drain_own(void);
/* Drain every ring completely (power-off: nothing produces any more). */
void trace_drain_all(void);

/* Write lines of text from VM vm (the guest agent's symbols) as "Y <vm>
 * <line>" wire lines. text must hold whole lines of printable ASCII, each
 * ending in '\n' (the caller checked). */
void trace_text(unsigned vm, const char *text, size_t len);

#endif
