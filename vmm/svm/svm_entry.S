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

	.text
	.globl svm_run
svm_run:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx                      /* the host's VMSAVE image */
	pushq %rdi                      /* the vcpu, found again at #VMEXIT */
	movq %rsi, %rax                 /* VMRUN, VMLOAD, VMSAVE take the VMCB in RAX */
	clgi
	sti
	vmload %rax
	movq VCPU_RCX(%rdi), %rcx
	movq VCPU_RDX(%rdi), %rdx
	movq VCPU_RBX(%rdi), %rbx
	movq VCPU_RBP(%rdi), %rbp
	movq VCPU_RSI(%rdi), %rsi
	movq VCPU_R8(%rdi), %r8
	movq VCPU_R9(%rdi), %r9
	movq VCPU_R10(%rdi), %r10
	movq VCPU_R11(%rdi), %r11
	movq VCPU_R12(%rdi), %r12
	movq VCPU_R13(%rdi), %r13
	movq VCPU_R14(%rdi), %r14
	movq VCPU_R15(%rdi), %r15
	movq VCPU_RDI(%rdi), %rdi
	vmrun %rax
	/* #VMEXIT: RAX, RSP, RFLAGS, CR0/3/4, EFER and CS/SS/DS/ES are the
	 * host's again, GIF is clear; the other registers hold the guest's. */
	vmsave %rax
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rcx, VCPU_RCX(%rdi)
	movq %rdx, VCPU_RDX(%rdi)
	movq %rbx, VCPU_RBX(%rdi)
	movq %rbp, VCPU_RBP(%rdi)
	movq %rsi, VCPU_RSI(%rdi)
	movq %r8, VCPU_R8(%rdi)
	movq %r9, VCPU_R9(%rdi)
	movq %r10, VCPU_R10(%rdi)
	movq %r11, VCPU_R11(%rdi)
	movq %r12, VCPU_R12(%rdi)
	movq %r13, VCPU_R13(%rdi)
	movq %r14, VCPU_R14(%rdi)
	movq %r15, VCPU_R15(%rdi)
	popq %rcx
	movq %rcx, VCPU_RDI(%rdi)
	popq %rdi
	popq %rax
	vmload %rax
	stgi
	cli
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
