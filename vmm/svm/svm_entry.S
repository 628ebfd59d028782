/* VMRUN and #VMEXIT. svm_run(vcpu, vmcb_pa, host_pa) saves the host's
 * callee-saved registers, loads the guest's general registers (RAX, RSP,
 * RIP, CR2 are the VMCB's) and runs the guest with GIF clear and the
 * host's IF set: physical interrupts and NMIs then make the guest exit and
 * stay pending (APM 15.17, 15.21.1). VMLOAD/VMSAVE switch what VMRUN does
 * not (FS, GS, TR, LDTR with their hidden parts, KERNEL_GS_BASE, STAR,
 * LSTAR, CSTAR, SFMASK, SYSENTER_*: APM 15.5.2); the host's come back from
 * its VMSAVE image before any C code runs (GS holds the per-CPU pointer).
 * STGI with IF still set takes the pending host interrupt through the IDT,
 * as an interrupt anywhere else would be; then interrupts are off again.
 * Offsets come from core/asm_offsets.c. */
#include "asm_offsets.h"
#include "vmm/vm/entry_gprs.h"

	.text
	.globl svm_run
svm_run:
	HOST_PUSH_CALLEE_SAVED
	pushq %rdx                      /* the host's VMSAVE image */
	pushq %rdi                      /* the vcpu, found again at #VMEXIT */
	movq %rsi, %rax                 /* VMRUN, VMLOAD, VMSAVE take the VMCB in RAX */
	clgi
	sti
	vmload %rax
	VCPU_LOAD_GPRS %rdi
	movq VCPU_RDI(%rdi), %rdi
	vmrun %rax
	/* #VMEXIT: RAX, RSP, RFLAGS, CR0/3/4, EFER and CS/SS/DS/ES are the
	 * host's again, GIF is clear; the other registers hold the guest's. */
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi
	VCPU_STORE_GPRS %rdi
	popq %rcx
	movq %rcx, VCPU_RDI(%rdi)
	popq %rdi
	popq %rax
	vmload %rax
	stgi
	cli
	HOST_POP_CALLEE_SAVED
	ret
