/* Exception and interrupt entry. */
#ifndef CORE_TRAPS_H
#define CORE_TRAPS_H
#include "core/lib.h"

/* Matches the push order in core/traps.S (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

/* Interrupt vectors used by the hypervisor itself. */
#define VEC_TIMER    0xE0   /* LAPIC timer */
#define VEC_KICK     0xF0   /* "look at your scheduler / run queue" */
#define VEC_CALL     0xF1   /* cross-pCPU function call */
#define VEC_BACKEND  0xF2   /* the hardware backend's own cross-pCPU requests
			     * (VT-x: give up a VMCS another pCPU must load) */
#define VEC_SPURIOUS 0xFF

typedef void (*irq_handler_t)(unsigned vector);
void irq_register(unsigned vector, irq_handler_t fn);
/* Run the handler of an external interrupt (from the IDT, or after a VM exit
 * that acknowledged it) and EOI it. Called with interrupts off. */
void irq_dispatch(unsigned vector);

void trap_entry(struct trap_frame *tf);
void dump_frame(const struct trap_frame *tf);

#endif
