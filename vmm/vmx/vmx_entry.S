/* VM entry and exit. vmx_enter(vcpu, launched) saves the host's callee-saved
 * registers, records RSP as the VMCS host RSP, loads the guest's general
 * registers and CR2 and enters; a VM exit lands at vmx_exit_entry with that
 * RSP, stores the guest registers and returns 0 from vmx_enter. If the entry
 * instruction itself fails, vmx_enter returns 1 (VM-instruction error in
 * the VMCS, SDM 30.4). Offsets come from core/asm_offsets.c. */
#include "asm_offsets.h"
#include "vmm/vm/entry_gprs.h"

#define VMCS_HOST_RSP_ENC 0x6C14

	.text
	.globl vmx_enter
vmx_enter:
	HOST_PUSH_CALLEE_SAVED
	pushq %rdi                      /* the vcpu, found again at exit */
	movq $VMCS_HOST_RSP_ENC, %rax
	vmwrite %rsp, %rax
	jbe 2f
	movq VCPU_CR2(%rdi), %rax
	movq %rax, %cr2
	testl %esi, %esi                /* flags survive the movs below */
	movq VCPU_RAX(%rdi), %rax
	VCPU_LOAD_GPRS %rdi
	movq VCPU_RDI(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* Entry failed: the guest never ran. */
	popq %rdi
	HOST_POP_CALLEE_SAVED
	movl $1, %eax
	ret

	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, VCPU_RAX(%rdi)
	VCPU_STORE_GPRS %rdi
	popq %rax
	movq %rax, VCPU_RDI(%rdi)
	movq %cr2, %rax
	movq %rax, VCPU_CR2(%rdi)
	popq %rdi
	HOST_POP_CALLEE_SAVED
	xorl %eax, %eax
	ret
