/* The trace's records and their text form on the wire (pure: host-tested
 * in tests/unit/vmm/obs/test_trace_fmt.c; scripts/lhv-trace.py reads it).
 * docs/experiments.md ("The trace") is the format's description for
 * readers; TRACE_FMT_VERSION changes with any change here.
 *
 * Wire lines (port 0xE9), fields in lower-case hex without leading zeros:
 *   lhvtrace <version> pcpus=<n> tsc_khz=<k> policy=<name>   once, first
 *   V <vm> <nvcpus> <name>                                  the VM table
 *   <T> <pcpu> <seq> <ns> <vm> <vcpu> <flags> <a> <b> <c>   a record
 *   Y <vm> <symbol line from the guest agent>               kernel symbols
 * <T> is the record type letter below; seq counts each pCPU's records from
 * 0, so a gap shows records lost to a full ring (an X record says how
 * many). */
#ifndef VMM_OBS_TRACE_FMT_H
#define VMM_OBS_TRACE_FMT_H
#include "core/lib.h"

#define TRACE_FMT_VERSION 1

enum trace_type {
	TR_DISPATCH = 'D',  /* vcpu starts running on pcpu */
	TR_DESCHED = 'P',   /* vcpu left pcpu: flags = TR_WHY_*, a = LHP_C_* class,
			     * b = RIP, c = raw __preempt_count (0 if unknown) */
	TR_LHP = 'L',       /* a CS preemption resolved: flags 1 = harmful (a sibling
			     * ran), a = sibling run time in us, b = RIP, c = preemption ns */
	TR_SPIN = 'S',      /* spin episode closed at ns: flags 1 = extended,
			     * a = PAUSE-loop exits, b = RIP of the first, c = length ns */
	TR_PVWAIT = 'W',    /* PV halt ended at ns: flags 1 = extended, c = length ns */
	TR_HALT = 'H',      /* HLT exit: flags 1 = PV halt, b = RIP */
	TR_KICK = 'K',      /* vm/vcpu kicked vcpu a of its VM */
	TR_MARK = 'M',      /* guest agent mark: flags 1 begin, 2 end; b, c = label bytes 0-15 */
	TR_POLICY = 'C',    /* policy event: flags = TR_POL_*, a = value */
	TR_DROP = 'X',      /* a records of this pcpu were lost (ring full) */
};

/* Why a vCPU left its pCPU (TR_DESCHED flags). */
enum trace_why {
	TR_WHY_PREEMPT = 1, /* taken off while runnable (involuntary) */
	TR_WHY_YIELD = 2,   /* PAUSE-loop exit, and another vCPU ran */
	TR_WHY_HALT = 3,    /* HLT */
	TR_WHY_INIT = 4,    /* INIT: waits for SIPI */
	TR_WHY_STOP = 5,    /* its VM stopped */
	TR_WHY_BLOCK = 6,   /* dispatched for nothing, blocked again */
};

/* Policy events (TR_POLICY flags): for the policies of sched/ that report them. */
enum trace_policy {
	TR_POL_DELAY = 1,        /* a preemption was delayed; a = us granted */
	TR_POL_COSTOP = 2,       /* the vCPU was co-stopped */
	TR_POL_COSTART = 3,      /* ... and started again */
	TR_POL_MODE = 4,         /* the VM changed mode: a = new mode */
};

struct trace_rec {
	uint64_t ns;
	uint8_t type, flags, vm, vcpu;
	uint32_t a;
	uint64_t b, c;
};

/* The longest line trace_fmt_rec writes, with its newline. */
#define TRACE_LINE_MAX 96

/* Write the wire line of r (from `pcpu`, sequence number `seq`) into buf
 * (at least TRACE_LINE_MAX bytes), newline included; returns its length. */
size_t trace_fmt_rec(char *buf, unsigned pcpu, uint64_t seq, const struct trace_rec *r);

/* Is c allowed in a guest agent's symbol line (printable ASCII)? */
static inline bool trace_sym_char_ok(char c)
{
	return c >= 0x20 && c < 0x7f;
}

#endif
