/* IDT: every vector has a handler, so nothing unexpected triple-faults;
 * faults of listed instructions are recovered (see idt.h). */
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
volatile uint32_t tk_timer_irqs, tk_spurious_irqs, tk_other_irqs;
volatile uint32_t tk_nmis[TK_MAX_CPUS], tk_pvipis[TK_MAX_CPUS];

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint32_t a = (uint32_t)isr_stubs + v * 16;
		/* 0x8e: present, DPL 0, 32-bit interrupt gate (IF cleared). */
		idt[v] = (struct idt_gate){ (uint16_t)a, 0x08, 0, 0x8e,
					    (uint16_t)(a >> 16) };
	}
	/* The way back from ring 3 (user.S): 0xee = DPL 3 interrupt gate. */
	uint32_t u = (uint32_t)user_return;
	idt[VEC_USER_RETURN] = (struct idt_gate){ (uint16_t)u, 0x08, 0, 0xee, (uint16_t)(u >> 16) };
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
			f->eip = x->resume;
			return true;
		}
	}
	return false;
}

void isr_dispatch(struct trap_frame *f);
void isr_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_TIMER) {
		tk_timer_irqs++;
		lapic_eoi();
		return;
	}
	if (f->vector == VEC_NMI) {      /* the wake-up of a parked AP, or a PV IPI */
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
