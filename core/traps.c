/* Exceptions and interrupts taken in the hypervisor itself. An exception is a
 * hypervisor bug (guest faults arrive as VM exits, not here), so it panics
 * with the full frame, unless the faulting instruction has a fixup entry
 * (rdmsr_safe and friends). */
#include "core/traps.h"
#include "core/log.h"
#include "core/percpu.h"
#include "hw/lapic.h"
#include "hw/x86.h"

struct ex_entry { uint64_t fault_rip, fixup_rip; };
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static irq_handler_t irq_handlers[256];

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV", "#VC", "#SX security", "reserved 31",
};

void irq_register(unsigned vector, irq_handler_t fn)
{
	BUG_ON(vector < 32 || vector > 255);
	irq_handlers[vector] = fn;
}

void irq_dispatch(unsigned vector)
{
	this_cpu()->irq_count++;
	if (vector == VEC_SPURIOUS)
		return;                 /* spurious interrupts take no EOI */
	if (vector < 256 && irq_handlers[vector])
		irq_handlers[vector](vector);
	else
		pr_warn("unexpected interrupt vector %u", vector);
	lapic_eoi();
}

static bool try_fixup(struct trap_frame *tf)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->fault_rip == tf->rip) {
			tf->rip = e->fixup_rip;
			return true;
		}
	}
	return false;
}

void dump_frame(const struct trap_frame *tf)
{
	pr_err("RIP=%016llx CS=%04llx RFLAGS=%08llx RSP=%016llx SS=%04llx",
	       (unsigned long long)tf->rip, (unsigned long long)tf->cs,
	       (unsigned long long)tf->rflags, (unsigned long long)tf->rsp,
	       (unsigned long long)tf->ss);
	pr_err("RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx",
	       (unsigned long long)tf->rax, (unsigned long long)tf->rbx,
	       (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	pr_err("RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx",
	       (unsigned long long)tf->rsi, (unsigned long long)tf->rdi,
	       (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
	pr_err("R9 =%016llx R10=%016llx R11=%016llx R12=%016llx",
	       (unsigned long long)tf->r9, (unsigned long long)tf->r10,
	       (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	pr_err("R13=%016llx R14=%016llx R15=%016llx",
	       (unsigned long long)tf->r13, (unsigned long long)tf->r14,
	       (unsigned long long)tf->r15);
	pr_err("CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	/* Walk the frame-pointer chain while it stays inside mapped low memory. */
	uint64_t *fp = (uint64_t *)tf->rbp;
	for (int i = 0; i < 12 && fp && (uint64_t)fp < GiB(4) && IS_ALIGNED((uint64_t)fp, 8); i++) {
		pr_err("  called from %016llx", (unsigned long long)fp[1]);
		fp = (uint64_t *)fp[0];
	}
}

void trap_entry(struct trap_frame *tf)
{
	if (tf->vector == 2) {
		/* NMIs are only sent to stop a pCPU (panic, power-off). */
		this_cpu()->stopped = true;
		for (;;)
			halt();
	}
	if (tf->vector >= 32) {
		irq_dispatch((unsigned)tf->vector);
		return;
	}
	if (try_fixup(tf))
		return;
	panic_frame(tf, "exception %llu (%s) error=%#llx",
		    (unsigned long long)tf->vector, exc_names[tf->vector],
		    (unsigned long long)tf->error);
}

bool rdmsr_safe(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;
	int ok = 1;
	__asm__ volatile("1: rdmsr\n"
			 "2:\n"
			 ".pushsection .ex_table, \"a\"\n .quad 1b, 3f\n .popsection\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: xorl %2, %2\n jmp 2b\n .popsection"
			 : "+a"(lo), "+d"(hi), "+r"(ok) : "c"(msr));
	*v = ((uint64_t)hi << 32) | lo;
	return ok;
}

bool wrmsr_safe(uint32_t msr, uint64_t v)
{
	int ok = 1;
	__asm__ volatile("1: wrmsr\n"
			 "2:\n"
			 ".pushsection .ex_table, \"a\"\n .quad 1b, 3f\n .popsection\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: xorl %0, %0\n jmp 2b\n .popsection"
			 : "+r"(ok) : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
	return ok;
}
