/* For the backends' entry stubs (assembly): the host's callee-saved
 * registers (the stub is called from C and the guest clobbers them all),
 * and the guest's general registers in struct vcpu that every backend
 * switches by hand, all but RAX, RSP and RDI. RSP lives in the backend's
 * control structure, RAX in VT-x's stub comes from struct vcpu and in
 * AMD-V's from the VMCB, and RDI holds the vcpu pointer until the last
 * moment. Offsets come from core/asm_offsets.c. */
#ifndef VMM_VM_ENTRY_GPRS_H
#define VMM_VM_ENTRY_GPRS_H
#ifdef __ASSEMBLY__

.macro HOST_PUSH_CALLEE_SAVED
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro HOST_POP_CALLEE_SAVED
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
.endm

.macro VCPU_LOAD_GPRS base
	movq VCPU_RCX(\base), %rcx
	movq VCPU_RDX(\base), %rdx
	movq VCPU_RBX(\base), %rbx
	movq VCPU_RBP(\base), %rbp
	movq VCPU_RSI(\base), %rsi
	movq VCPU_R8(\base), %r8
	movq VCPU_R9(\base), %r9
	movq VCPU_R10(\base), %r10
	movq VCPU_R11(\base), %r11
	movq VCPU_R12(\base), %r12
	movq VCPU_R13(\base), %r13
	movq VCPU_R14(\base), %r14
	movq VCPU_R15(\base), %r15
.endm

.macro VCPU_STORE_GPRS base
	movq %rcx, VCPU_RCX(\base)
	movq %rdx, VCPU_RDX(\base)
	movq %rbx, VCPU_RBX(\base)
	movq %rbp, VCPU_RBP(\base)
	movq %rsi, VCPU_RSI(\base)
	movq %r8, VCPU_R8(\base)
	movq %r9, VCPU_R9(\base)
	movq %r10, VCPU_R10(\base)
	movq %r11, VCPU_R11(\base)
	movq %r12, VCPU_R12(\base)
	movq %r13, VCPU_R13(\base)
	movq %r14, VCPU_R14(\base)
	movq %r15, VCPU_R15(\base)
.endm

#endif
#endif
