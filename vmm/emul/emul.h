/* Shared x86 emulation: what every backend's exits need, implemented once.
 * The run loop (vmm/run/) calls emul_exit() with each neutral exit and
 * emul_inject_events() before each entry; the files of this folder reach
 * the guest only through struct vcpu and the backend's accessors. */
#ifndef VMM_EMUL_EMUL_H
#define VMM_EMUL_EMUL_H
#include "vmm/vm/backend.h"
#include "vmm/dev/vlapic.h"

/* Why an exit handler sends the vCPU back to the run loop. */
enum vcpu_run_result {
	RUN_PREEMPT,      /* slice over or kicked: requeue */
	RUN_HALT,         /* guest halted with nothing pending */
	RUN_STOP,         /* the VM is stopping (or failed) */
	RUN_INIT,         /* INIT received: wait for SIPI */
	RUN_SPIN,         /* PAUSE-loop exit: the guest spins, offer the pCPU */
	RUN_YIELD,        /* a directed yield (PV kick or sched yield): offer the pCPU */
};
#define RUN_RESUME (-1)   /* re-enter the guest */

/* exit.c: handle one exit of v (on its pCPU). RUN_RESUME, or a
 * vcpu_run_result for the run loop. */
int emul_exit(struct vcpu *v, const struct vm_exit *e);
/* A handler raises an exception in the guest (delivered at the next entry;
 * a second one before that replaces the first, as no handler raises two). */
void emul_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/* Retire the exiting instruction (its length from e, else decoded). */
void emul_skip(struct vcpu *v, const struct vm_exit *e);
/* Stop v's VM because of what its guest did, with a state dump first. */
int emul_stop_vm(struct vcpu *v, enum vm_stop_reason why, const char *what);

/* insn.c: the instruction at the guest's RIP, for exits the hardware did
 * not describe. The length of the exiting instruction, or 0 with the VM
 * stopped (cannot fetch or decode it). */
unsigned emul_insn_len(struct vcpu *v);
/* A CR/DR exit with gpr VM_EXIT_GPR_UNDECODED completed from the instruction into *out
 * (operands and length); false with the VM stopped when it is not the
 * instruction that exited or cannot be decoded. */
bool emul_decode_cr(struct vcpu *v, const struct vm_exit *e, struct vm_exit *out);
bool emul_decode_dr(struct vcpu *v, const struct vm_exit *e, struct vm_exit *out);
/* The length of a VMCALL or VMMCALL at RIP, else 0 (never stops the VM). */
unsigned emul_hypercall_insn(struct vcpu *v);

/* inject.c: choose the event to deliver at the next entry (SDM 6.9, APM
 * 8.5: an interrupted delivery first, then an exception from a handler,
 * NMI, then the highest LAPIC interrupt the guest can take) and ask for a
 * window exit for whatever has to wait. Inline: before nearly every entry
 * there is nothing to do, and this runs before every entry. */
void emul_inject_slow(struct vcpu *v);
static inline void emul_inject_events(struct vcpu *v)
{
	if (v->reinject.valid || v->exc.valid || v->nmi_pending || v->windows ||
	    vlapic_pending(v))
		emul_inject_slow(v);
}

/* fpu.c: XSAVE state of the guest, switched around each run of entries;
 * XSETBV. fpu_host_init once on the boot processor; fpu_xsavec_ok says
 * whether guests may be offered XSAVEC (it works as the SDM says). */
void fpu_host_init(void);
extern bool fpu_xsavec_ok;
int fpu_vcpu_init(struct vcpu *v);
void fpu_vcpu_destroy(struct vcpu *v);
void fpu_vcpu_reset(struct vcpu *v);
void fpu_load(struct vcpu *v);
void fpu_save(struct vcpu *v);
/* XSETBV with the guest's ECX and EDX:EAX; false = #GP. */
bool fpu_xsetbv(struct vcpu *v, uint32_t index, uint64_t val);

/* cpuid.c: CPUID as the guest sees it (OSXSAVE included). */
void emul_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* CR4 bits the guest's CPUID lets it set. */
uint64_t emul_cr4_allowed(struct vcpu *v);

/* msr.c: RDMSR/WRMSR semantics; false = #GP. */
bool emul_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool emul_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* The vCPU's IA32_MISC_ENABLE (its LIMIT CPUID and XD DISABLE bits change
 * CPUID and EFER). */
uint64_t emul_misc_enable(const struct vcpu *v);

/* cr.c: control and debug registers, EFER; false = #GP. */
bool emul_write_cr0(struct vcpu *v, uint64_t val);
bool emul_write_cr4(struct vcpu *v, uint64_t val);
/* MOV to CR3 (and a task switch's CR3 load): PAE PDPTEs included. */
bool emul_write_cr3(struct vcpu *v, uint64_t val);
bool emul_write_efer(struct vcpu *v, uint64_t val);
/* A MOV CR / CLTS / LMSW exit: RUN_RESUME (the instruction retired or a
 * #GP/#UD was raised). */
int emul_cr_access(struct vcpu *v, const struct vm_exit *e);
int emul_dr_access(struct vcpu *v, const struct vm_exit *e);

/* task.c: a task-switch exit (CALL/JMP/IRET to a task, or an event
 * through a task gate): RUN_RESUME, or RUN_STOP for what is not
 * emulated (16-bit TSSes). */
int emul_task_switch(struct vcpu *v, const struct vm_exit *e);
/* A vCPU's debug registers at reset (INIT, creation). */
void emul_dr_reset(struct vcpu *v);

/* reset.c: reset v to start state s (vmm/vm/backend.h builds them):
 * INIT/SIPI, creation. */
void emul_vcpu_reset(struct vcpu *v, const struct vcpu_boot_state *s);

/* The guest's execution mode, for instruction fetch and decode. */
struct guest_mode {
	uint64_t rip, cs_base;
	unsigned code_bits;      /* 16, 32 or 64 */
	uint64_t cr0, cr3, cr4, efer;
	unsigned cpl;
};
void emul_guest_mode(struct vcpu *v, struct guest_mode *m);

/* mmio.c: an access to guest-physical gpa that is not RAM, by the
 * instruction at the guest's RIP. Fetches and decodes it, emulates the
 * device access and the register update. Returns the instruction length
 * (> 0) to skip, or 0 when the VM was stopped (not a device, or an
 * undecodable instruction). */
unsigned emul_mmio(struct vcpu *v, uint64_t gpa);

#endif
