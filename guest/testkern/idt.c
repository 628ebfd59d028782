/* IDT: every vector has a handler, so nothing unexpected triple-faults;
 * faults of listed instructions are recovered (see idt.h). */
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tk.h"

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

struct fixup {
	uint32_t insn, resume;
};

extern const char isr_stubs[], user_return[];
extern const struct fixup __fixup_start[], __fixup_end[];

static struct idt_gate idt[256] __attribute__((aligned(8)));
static struct idt_ptr idt_desc;

volatile int tk_fault_vector = -1;
volatile uint32_t tk_fault_eflags;
volatile uint32_t tk_timer_irqs, tk_spurious_irqs, tk_other_irqs;
volatile uint32_t tk_nmis[TK_MAX_CPUS], tk_pvipis[TK_MAX_CPUS];
volatile uint32_t tk_irq_count[TK_IRQ_CPUS][256];
volatile uint32_t tk_irqonce_hold, tk_irqonce_taken, tk_irqonce_if_off, tk_irqonce_nested,
	tk_irqonce_bad_eip;

uint32_t idt_stub(unsigned vec)
{
	return (uint32_t)isr_stubs + vec * 16;
}

void idt_set_gate(unsigned vec, uint16_t sel, uint32_t offset, uint8_t type)
{
	idt[vec] = (struct idt_gate){ (uint16_t)offset, sel, 0, type, (uint16_t)(offset >> 16) };
}

void idt_init(void)
{
	/* IDT_INTR_GATE: present, DPL 0, 32-bit interrupt gate (IF cleared). */
	for (unsigned v = 0; v < 256; v++)
		idt_set_gate(v, 0x08, idt_stub(v), IDT_INTR_GATE);
	/* The way back from ring 3 (user.S): 0xee = DPL 3 interrupt gate. */
	idt_set_gate(VEC_USER_RETURN, 0x08, (uint32_t)user_return, 0xee);
	idt_desc.limit = sizeof(idt) - 1;
	idt_desc.base = (uint32_t)idt;
	idt_load();
}

void idt_load(void)
{
	__asm__ volatile("lidt %0" : : "m"(idt_desc));
}

static bool try_fixup(struct trap_frame *f)
{
	for (const struct fixup *x = __fixup_start; x < __fixup_end; x++) {
		if (x->insn == f->eip) {
			tk_fault_vector = (int)f->vector;
			tk_fault_eflags = f->eflags;
			f->eip = x->resume;
			if (f->vector == 1)
				f->eflags &= ~0x100u;   /* a listed single step: TF off */
			return true;
		}
	}
	return false;
}

static void count_irq(unsigned vec)
{
	/* The initial APIC ID from CPUID: valid in xAPIC and x2APIC mode. */
	uint32_t id = cpuid(1, 0).ebx >> 24;
	if (id < TK_IRQ_CPUS)
		__asm__ volatile("lock incl %0" : "+m"(tk_irq_count[id][vec]));
}

void isr_dispatch(struct trap_frame *f);
void isr_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_IRQONCE) {
		/* First, before anything that exits (CPUID in count_irq). */
		bool bad = false;
		if (!(f->eflags & 0x200u)) {
			tk_irqonce_if_off++;
			bad = true;
		}
		if (f->eip >= idt_stub(0) && f->eip < idt_stub(256)) {
			tk_irqonce_nested++;
			bad = true;
		}
		if (bad)
			tk_irqonce_bad_eip = f->eip;
		tk_irqonce_taken++;
		for (uint32_t i = tk_irqonce_hold; i; i--)
			cpu_relax();
		lapic_eoi();
		return;
	}
	if (f->vector >= 32 && f->vector != VEC_SPURIOUS)
		count_irq(f->vector);
	if (f->vector == VEC_TIMER) {
		tk_timer_irqs++;
		lapic_eoi();
		return;
	}
	if (f->vector == VEC_NMI) {      /* the wake-up of a parked AP, or a PV IPI */
		count_irq(VEC_NMI);
		tk_nmis[lapic_id() % TK_MAX_CPUS]++;
		return;
	}
	if (f->vector == VEC_PVIPI) {
		tk_pvipis[lapic_id() % TK_MAX_CPUS]++;
		lapic_eoi();
		return;
	}
	if (f->vector == VEC_SPURIOUS) { /* no EOI for spurious, per the SDM */
		tk_spurious_irqs++;
		return;
	}
	if (f->vector >= 32) {
		/* Nothing else is programmed; count it and acknowledge in case
		 * it came through the LAPIC. */
		tk_other_irqs++;
		lapic_eoi();
		return;
	}
	if (try_fixup(f))
		return;
	/* An exception nobody expected: the current test fails and the run
	 * ends here (its state is unknown). */
	tk_printf("TEST %s FAIL unexpected exception vector=%u error=0x%x eip=0x%x\n",
		  tk_current_test ? tk_current_test : "(none)", f->vector,
		  f->error, f->eip);
	tk_printf("TESTKERN ABORT\n");
	tk_exit(1);
}
