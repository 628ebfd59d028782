/* Neutral VM exits: what a hardware backend turns its exit into, and what
 * the generic exit handlers (vmm/emul/exit.c) act on. A backend decodes
 * its hardware's exit reason and qualification into one of these and
 * handles nothing else itself except what only it can (host interrupts and
 * NMIs, its own window exits). The instruction semantics live once, in
 * vmm/emul/. */
#ifndef VMM_VM_EXIT_H
#define VMM_VM_EXIT_H
#include "core/lib.h"

enum vm_exit_code {
	VMEXIT_HOST_INTR,     /* a host interrupt, dispatched by the backend: re-enter */
	VMEXIT_WINDOW,        /* the interrupt/NMI window asked for opened: re-enter */
	VMEXIT_PREEMPT,       /* the slice deadline passed (e.g. VMX preemption timer) */
	VMEXIT_CPUID,
	VMEXIT_RDMSR,         /* MSR number in RCX */
	VMEXIT_WRMSR,         /* MSR number in RCX, value in EDX:EAX */
	VMEXIT_IO,            /* u.io */
	VMEXIT_NPF,           /* nested page fault (EPT violation): u.npf */
	VMEXIT_HLT,
	VMEXIT_PAUSE,         /* PAUSE-loop exit / pause filter */
	VMEXIT_HYPERCALL,     /* VMCALL or VMMCALL */
	VMEXIT_CR,            /* u.cr */
	VMEXIT_DR,            /* u.dr */
	VMEXIT_XSETBV,
	VMEXIT_EXCEPTION,     /* a guest exception the backend intercepted: u.exc */
	VMEXIT_INIT,          /* INIT signal */
	VMEXIT_SHUTDOWN,      /* triple fault */
	VMEXIT_UD,            /* an instruction the guest may not use: inject #UD */
	VMEXIT_SKIP,          /* an instruction that does nothing for a guest (INVD, WBINVD) */
	VMEXIT_TASK_SWITCH,   /* u.ts */
	VMEXIT_RDPMC,         /* RDPMC (counter in ECX) */
	VMEXIT_ERROR,         /* the backend cannot run this guest on (failed entry,
			       * misconfiguration): u.text says why */
	VMEXIT_UNHANDLED,     /* an exit the backend does not decode: u.text names it */
	VMEXIT_NR
};

/* Names for the exit counters of the power-off summary. */
const char *vm_exit_name(unsigned code);

enum vm_exit_cr_op { CR_OP_WRITE, CR_OP_READ, CR_OP_CLTS, CR_OP_LMSW };

struct vm_exit_io {
	uint16_t port;
	uint8_t size;                 /* 1, 2 or 4 */
	bool in, string, rep;
};
struct vm_exit_npf {
	uint64_t gpa;
	bool write, fetch;
};
/* The gpr of a CR or DR exit whose hardware named only the register and
 * the direction (AMD-V without decode assists): the generic handler
 * decodes the instruction for the operands (and CLTS/LMSW). */
#define VM_EXIT_GPR_UNDECODED 0xff

struct vm_exit_cr {
	uint8_t cr;                   /* 0, 3, 4 or 8 */
	uint8_t gpr;                  /* register number (GPR_*), or VM_EXIT_GPR_UNDECODED */
	uint8_t op;                   /* enum vm_exit_cr_op (WRITE or READ if undecoded) */
	uint16_t lmsw;                /* LMSW source operand */
};
struct vm_exit_dr {
	uint8_t dr;                   /* 0..7 */
	uint8_t gpr;                  /* or VM_EXIT_GPR_UNDECODED */
	bool write;
};
struct vm_exit_exc {
	uint8_t vector;
	bool has_error;
	uint32_t error;
	/* #DB: the DR6 status bits it reports (B0-B3, BD, BS; the backend's
	 * hardware DR6 is not the guest's), and whether it came from INT1
	 * (ICEBP: insn_len is that instruction's). */
	uint32_t dr6;
	bool int1;
};
struct vm_exit_ts {
	uint16_t selector;            /* the new task's TSS selector */
	uint8_t source;               /* 0 CALL, 1 IRET, 2 JMP, 3 task gate in the IDT */
};

struct vm_exit {
	enum vm_exit_code code;
	/* Length of the exiting instruction, 0 when the hardware did not say
	 * (then the generic code decodes it where it needs to skip it). */
	unsigned insn_len;
	union {
		struct vm_exit_io io;
		struct vm_exit_npf npf;
		struct vm_exit_cr cr;
		struct vm_exit_dr dr;
		struct vm_exit_exc exc;
		struct vm_exit_ts ts;
		const char *text;
	} u;
};

#endif
