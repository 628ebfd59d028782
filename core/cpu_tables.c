/* Per-pCPU GDT and TSS, and the one IDT all pCPUs share. */
#include "boot/boot_defs.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "core/mm.h"
#include "core/stack.h"
#include "core/log.h"
#include "hw/x86.h"

#define SEL_TSS 0x18

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
} PACKED;

static struct idt_gate idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_stubs[256];

struct pcpu pcpus[MAX_PCPUS];
unsigned npcpus;

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = trap_stubs[v];
		idt[v] = (struct idt_gate){
			.off0 = (uint16_t)a, .sel = BOOT_CS64, .ist = 0,
			.type = 0x8E,   /* present, DPL0, 64-bit interrupt gate */
			.off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32),
		};
	}
	/* Separate known-good stacks for the faults that may hit a bad stack. */
	idt[8].ist = IST_DF;
	idt[2].ist = IST_NMI;
	idt[18].ist = IST_MC;
}

static uint64_t alloc_stack(size_t size)
{
	uint64_t p = page_alloc_contig(size / PAGE_SIZE);
	if (!p)
		panic("out of memory for a %zu-byte stack", size);
	stack_paint((uint64_t *)p, (uint64_t *)(p + size));
	return p + size;
}

void cpu_tables_init(struct pcpu *p)
{
	p->self = p;
	p->gdt[0] = 0;
	p->gdt[1] = 0x00af9a000000ffffull;      /* 0x08 64-bit code */
	p->gdt[2] = 0x00cf92000000ffffull;      /* 0x10 data */
	uint64_t base = (uint64_t)&p->tss, limit = sizeof(p->tss) - 1;
	p->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	p->gdt[4] = base >> 32;
	memset(&p->tss, 0, sizeof(p->tss));
	p->tss.iomap_base = sizeof(p->tss);     /* no I/O bitmap */
	p->tss.ist[IST_DF - 1] = alloc_stack(IST_STACK_SIZE);
	p->tss.ist[IST_NMI - 1] = alloc_stack(IST_STACK_SIZE);
	p->tss.ist[IST_MC - 1] = alloc_stack(IST_STACK_SIZE);

	struct { uint16_t limit; uint64_t base; } PACKED gdtr = { sizeof(p->gdt) - 1, (uint64_t)p->gdt };
	struct { uint16_t limit; uint64_t base; } PACKED idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile(
		"lgdt %0\n"
		"pushq $0x08\n"
		"leaq 1f(%%rip), %%rax\n"
		"pushq %%rax\n"
		"lretq\n"
		"1: movl $0x10, %%eax\n"
		"movl %%eax, %%ds\n movl %%eax, %%es\n movl %%eax, %%ss\n"
		"xorl %%eax, %%eax\n movl %%eax, %%fs\n movl %%eax, %%gs\n"
		"ltr %w1\n"
		"lidt %2\n"
		:: "m"(gdtr), "r"((uint16_t)SEL_TSS), "m"(idtr) : "rax", "memory");
	/* Loading GS cleared GS.base; point it at this pCPU's data now. */
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}
