/* VM entry and exit. vmx_enter(vcpu, launched) saves the host's callee-saved
 * registers, records RSP as the VMCS host RSP, loads the guest's general
 * registers and CR2 and enters; a VM exit lands at vmx_exit_entry with that
 * RSP, stores the guest registers and returns 0 from vmx_enter. If the entry
 * instruction itself fails, vmx_enter returns 1 (VM-instruction error in
 * the VMCS, SDM 30.4). Offsets come from core/asm_offsets.c. */
#include "asm_offsets.h"

#define VMCS_HOST_RSP_ENC 0x6C14

	.text
	.globl vmx_enter
vmx_enter:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                      /* the vcpu, found again at exit */
	movq $VMCS_HOST_RSP_ENC, %rax
	vmwrite %rsp, %rax
	jbe 2f
	movq VCPU_CR2(%rdi), %rax
	movq %rax, %cr2
	testl %esi, %esi                /* flags survive the movs below */
	movq VCPU_RAX(%rdi), %rax
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
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* Entry failed: the guest never ran. */
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movl $1, %eax
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, VCPU_RAX(%rdi)
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
	popq %rax
	movq %rax, VCPU_RDI(%rdi)
	movq %cr2, %rax
	movq %rax, VCPU_CR2(%rdi)
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	xorl %eax, %eax
	ret
