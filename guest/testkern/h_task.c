/* task: hardware task switches (SDM 8.3). A JMP and a CALL to a TSS, a
 * JMP through a task gate in the GDT, an INT through a task gate in the
 * IDT, and a double fault delivered through a task gate (what 32-bit Linux
 * does), each checked for TR, busy bits, NT and the back link, the error
 * code on the new task's stack; and the faults of bad switches (busy
 * target, RPL above DPL, not present, limit too small). Under VT-x every
 * task switch exits; lhv emulates them (issue 14, defect 8). */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/tests.h"

struct tss32 {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_A    0x18
#define SEL_B    0x20
#define SEL_DF   0x28
#define SEL_GATE 0x30
#define SEL_SMALL 0x38
#define NT       (1u << 14)

static uint64_t gdt[8] __attribute__((aligned(8)));
static struct tss32 tss_a, tss_b, tss_df, tss_small;
static uint8_t stack_b[4096] __attribute__((aligned(16)));
static uint8_t stack_df[4096] __attribute__((aligned(16)));

volatile uint32_t task_b_runs, task_b_eflags, task_b_exit_jmp;
volatile uint16_t task_b_tr;
volatile uint32_t task_df_error, task_df_esp, task_df_runs;
extern const char task_b_entry[], task_df_entry[], task_df_resume[];

struct dtr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

static uint64_t tss_desc(const void *base, uint32_t limit)
{
	uint32_t b = (uint32_t)base;
	return (limit & 0xffff) | ((uint64_t)(b & 0xffffff) << 16) | (0x89ull << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(b >> 24) << 56);
}

static unsigned desc_type(uint16_t sel)
{
	return (unsigned)(gdt[sel >> 3] >> 40) & 0xf;
}

static void init_tss(struct tss32 *t, const void *eip, uint8_t *stack)
{
	memset(t, 0, sizeof(*t));
	uint32_t cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	t->cr3 = cr3;
	t->eip = (uint32_t)eip;
	t->eflags = 2;
	t->esp = (uint32_t)stack + 4096;
	t->cs = SEL_CODE;
	t->ss = t->ds = t->es = t->fs = t->gs = SEL_DATA;
	t->iomap = sizeof(*t);
}

/* Called by the double-fault task: make vector 13 usable again and let
 * task A resume after the instruction that faulted. */
void task_df_fix(void);
void task_df_fix(void)
{
	idt_set_gate(13, SEL_CODE, idt_stub(13), IDT_INTR_GATE);
	tss_a.eip = (uint32_t)task_df_resume;
}

static int ljmp_safe_18(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ljmp $0x18, $0") : : : "memory");
	return tk_fault_vector;
}

static int ljmp_safe_23(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ljmp $0x23, $0") : : : "memory");
	return tk_fault_vector;
}

static int ljmp_safe_20(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ljmp $0x20, $0") : : : "memory");
	return tk_fault_vector;
}

static int ljmp_safe_38(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ljmp $0x38, $0") : : : "memory");
	return tk_fault_vector;
}

enum verdict t_task(void)
{
	struct fails f = { 0 };
	struct dtr old_gdt, new_gdt = { sizeof(gdt) - 1, (uint32_t)gdt };
	__asm__ volatile("sgdt %0" : "=m"(old_gdt));
	const uint64_t *kg = (const uint64_t *)old_gdt.base;
	gdt[0] = 0;
	gdt[1] = kg[1];
	gdt[2] = kg[2];
	gdt[SEL_A >> 3] = tss_desc(&tss_a, sizeof(tss_a) - 1);
	gdt[SEL_B >> 3] = tss_desc(&tss_b, sizeof(tss_b) - 1);
	gdt[SEL_DF >> 3] = tss_desc(&tss_df, sizeof(tss_df) - 1);
	gdt[SEL_GATE >> 3] = ((uint64_t)SEL_B << 16) | (0x85ull << 40);
	gdt[SEL_SMALL >> 3] = tss_desc(&tss_small, 0x40);
	memset(&tss_a, 0, sizeof(tss_a));
	tss_a.iomap = sizeof(tss_a);
	init_tss(&tss_b, task_b_entry, stack_b);
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(new_gdt), "r"(SEL_A) : "memory");

	/* JMP to task B, which JMPs back. */
	task_b_exit_jmp = 1;
	__asm__ volatile("ljmp $0x20, $0" : : : "memory", "eax");
	if (task_b_runs != 1 || task_b_tr != SEL_B)
		fail_note(&f, "JMP: task B ran %u times, TR 0x%x", task_b_runs, task_b_tr);
	if (task_b_eflags & NT)
		fail_note(&f, "JMP: NT set in task B");
	if (desc_type(SEL_B) != 9 || desc_type(SEL_A) != 0xb)
		fail_note(&f, "JMP: types A 0x%x B 0x%x, want 0xb and 9", desc_type(SEL_A), desc_type(SEL_B));
	/* CALL to task B, which IRETs back through its link. */
	task_b_exit_jmp = 0;
	__asm__ volatile("lcall $0x20, $0" : : : "memory", "eax");
	if (task_b_runs != 2 || !(task_b_eflags & NT) || tss_b.link != SEL_A)
		fail_note(&f, "CALL: runs %u, B's EFLAGS 0x%x (NT), link 0x%x", task_b_runs,
			  task_b_eflags, tss_b.link);
	if (desc_type(SEL_B) != 9)
		fail_note(&f, "CALL/IRET: B's type 0x%x, want 9", desc_type(SEL_B));
	/* JMP through a task gate in the GDT. */
	task_b_exit_jmp = 1;
	__asm__ volatile("ljmp $0x30, $0" : : : "memory", "eax");
	if (task_b_runs != 3 || task_b_tr != SEL_B)
		fail_note(&f, "JMP via task gate: runs %u, TR 0x%x", task_b_runs, task_b_tr);
	/* INT through a task gate in the IDT. */
	task_b_exit_jmp = 0;
	idt_set_gate(0x61, SEL_B, 0, 0x85);
	__asm__ volatile("int $0x61" : : : "memory", "eax");
	if (task_b_runs != 4 || !(task_b_eflags & NT))
		fail_note(&f, "INT via task gate: runs %u, B's EFLAGS 0x%x", task_b_runs, task_b_eflags);
	idt_set_gate(0x61, SEL_CODE, idt_stub(0x61), IDT_INTR_GATE);
	/* Bad switches fault in task A. */
	int vec;
	if ((vec = ljmp_safe_18()) != 13)
		fail_note(&f, "JMP to the busy current TSS: vector %d, want #GP", vec);
	if ((vec = ljmp_safe_23()) != 13)
		fail_note(&f, "JMP to TSS B with RPL 3: vector %d, want #GP", vec);
	gdt[SEL_B >> 3] &= ~(1ull << 47);
	if ((vec = ljmp_safe_20()) != VEC_NP)
		fail_note(&f, "JMP to a not-present TSS: vector %d, want #NP", vec);
	gdt[SEL_B >> 3] |= 1ull << 47;
	if ((vec = ljmp_safe_38()) != VEC_TS)
		fail_note(&f, "JMP to a TSS with limit 0x40: vector %d, want #TS", vec);
	/* A double fault (a #GP whose gate is not present: #NP, then #DF)
	 * through a task gate. */
	init_tss(&tss_df, task_df_entry, stack_df);
	idt_set_gate(8, SEL_DF, 0, 0x85);
	idt_set_gate(13, SEL_CODE, idt_stub(13), IDT_INTR_GATE & 0x7f);
	__asm__ volatile("movw $0x1230, %%ax\n"
			 "movw %%ax, %%ds\n"
			 ".globl task_df_resume\n"
			 "task_df_resume:\n"
			 "movw $0x10, %%ax\n"
			 "movw %%ax, %%ds\n" : : : "memory", "eax");
	idt_set_gate(8, SEL_CODE, idt_stub(8), IDT_INTR_GATE);
	idt_set_gate(13, SEL_CODE, idt_stub(13), IDT_INTR_GATE);
	if (task_df_runs != 1 || task_df_error != 0 ||
	    task_df_esp != (uint32_t)stack_df + 4096 - 4)
		fail_note(&f, "double fault via task gate: runs %u, error 0x%x, ESP 0x%x (want 0x%x)",
			  task_df_runs, task_df_error, task_df_esp, (uint32_t)stack_df + 4096 - 4);
	if (tss_df.link != SEL_A)
		fail_note(&f, "double-fault task: back link 0x%x, want 0x%x", tss_df.link, SEL_A);
	__asm__ volatile("lgdt %0; clts" : : "m"(old_gdt) : "memory");
	return fail_verdict(&f);
}
