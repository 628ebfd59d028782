/* Per-pCPU data, reached through GS.base (gs:0 holds a pointer to itself). */
#ifndef CORE_PERCPU_H
#define CORE_PERCPU_H
#include "core/lib.h"
#include "core/timer.h"

#define MAX_PCPUS 64
#define PCPU_STACK_SIZE (32 * 1024)
#define IST_STACK_SIZE  (8 * 1024)
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} PACKED;

struct pcpu {
	struct pcpu *self;            /* must stay first: this_cpu() reads gs:0 */
	unsigned id;                  /* 0 = boot processor */
	uint32_t apic_id;
	volatile bool online;
	volatile bool stopped;        /* parked by panic or power-off */
	uint64_t stack_top;
	uint64_t stack_bottom;        /* painted: core/stack.h */
	uint64_t gdt[5] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
	struct timer_queue timers;
	uint64_t irq_count;
	/* Cross-pCPU function call (core/ipi.c). */
	void (*volatile call_fn)(void *);
	void *volatile call_arg;
	/* Set by the generic VMM: what this pCPU is running. */
	void *vmm;
};

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned npcpus;              /* processors online */

static inline struct pcpu *this_cpu(void)
{
	struct pcpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}
static inline unsigned cpu_id(void) { return this_cpu()->id; }
/* Usable before GS is set up (early logging). */
unsigned cpu_id_early(void);

/* Load this pCPU's GDT, TSS, IDT and GS base. */
void cpu_tables_init(struct pcpu *p);
void idt_init(void);

#endif
