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
#define VEC_IRQONCE 0x43   /* periodic LAPIC timer of the irqonce test */
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
/* The EFLAGS image the last such fault pushed. */
extern volatile uint32_t tk_fault_eflags;

/* Counters kept by the handler (the hlt test reads them). */
extern volatile uint32_t tk_timer_irqs, tk_spurious_irqs, tk_other_irqs;
/* NMIs and VEC_PVIPI interrupts taken, per LAPIC ID of the CPU. */
extern volatile uint32_t tk_nmis[TK_MAX_CPUS], tk_pvipis[TK_MAX_CPUS];

/* The irqonce test (t_irqonce.c): PAUSEs its handler holds for; the
 * interrupts taken, those whose frame has IF clear, those on top of an
 * interrupt stub, and the EIP of the last bad frame. */
extern volatile uint32_t tk_irqonce_hold, tk_irqonce_taken, tk_irqonce_if_off, tk_irqonce_nested,
	tk_irqonce_bad_eip;

/* Interrupts (vector >= 32, and NMIs as vector 2) taken by each APIC ID
 * below TK_IRQ_CPUS, per vector: what the hostile tests count. */
#define TK_IRQ_CPUS 4
extern volatile uint32_t tk_irq_count[TK_IRQ_CPUS][256];
/* Set the gate of one vector (the task-switch test puts task gates in). */
void idt_set_gate(unsigned vec, uint16_t sel, uint32_t offset, uint8_t type);
/* The handler's address for vec and the gate type the table started with. */
uint32_t idt_stub(unsigned vec);
#define IDT_INTR_GATE 0x8e

void idt_init(void);  /* build the table once (BSP) */
void idt_load(void);  /* lidt on this CPU */

#endif
