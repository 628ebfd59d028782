/* The kernel's IDT and its fault-recovery table.
 *
 * A test that expects an instruction to fault (rdmsr of an unknown MSR, a
 * VMCALL without a hypervisor) emits the instruction with FIXUP(): its
 * address and the address to resume at go into the .fixup_tab section. On an
 * exception at a listed address, the handler records the vector in
 * tk_fault_vector and resumes at the listed continuation instead of failing
 * the run. Any other exception fails the current test and ends the run. */
#ifndef TK_IDT_H
#define TK_IDT_H
#include <stdint.h>

struct trap_frame {
	uint32_t edi, esi, ebp, esp_unused, ebx, edx, ecx, eax; /* pushal */
	uint32_t vector, error;
	uint32_t eip, cs, eflags;                                /* CPU */
};

#define VEC_GP 13
#define VEC_UD 6
#define VEC_NMI 2
#define VEC_TIMER 0x40     /* LAPIC timer (hlt test) */
#define VEC_PVIPI 0x42     /* fixed IPIs of the pvipi test */
#define VEC_USER_RETURN 0x80 /* int $0x80 from ring 3 (user.S) */
#define TK_MAX_CPUS 64     /* counters per LAPIC ID (modulo) */
#define VEC_SPURIOUS 0xff  /* LAPIC spurious vector (SVR) */

/* "1:" is the instruction that may fault, "2:" where to go on. */
#define FIXUP(insn)                                   \
	"1: " insn "\n2:\n"                           \
	".pushsection .fixup_tab, \"a\"\n"            \
	".long 1b, 2b\n"                              \
	".popsection\n"

/* -1 when no listed instruction faulted since the last reset. */
extern volatile int tk_fault_vector;

/* Counters kept by the handler (the hlt test reads them). */
extern volatile uint32_t tk_timer_irqs, tk_spurious_irqs, tk_other_irqs;
/* NMIs and VEC_PVIPI interrupts taken, per LAPIC ID of the CPU. */
extern volatile uint32_t tk_nmis[TK_MAX_CPUS], tk_pvipis[TK_MAX_CPUS];

void idt_init(void);  /* build the table once (BSP) */
void idt_load(void);  /* lidt on this CPU */

#endif
