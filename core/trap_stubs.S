/* IDT entry stubs: push a uniform frame (error code or 0, vector, the general
 * registers) and call trap_entry(struct trap_frame *). Layout: core/traps.h. */
#include "asm_offsets.h"

	.text
/* Exceptions that push an error code: 8, 10-14, 17, 21, 29, 30. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.altmacro
	.macro stub v
	.balign 16
trap_stub_\v:
	.if !(\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
	pushq $0
	.endif
	pushq $\v
	jmp trap_common
	.endm

	.set i, 0
	.rept 256
	stub %i
	.set i, i + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	/* Align the stack for C; the frame pointer chain stays intact. */
	movq %rsp, %rbx
	andq $-16, %rsp
	cld
	call trap_entry
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp            /* vector and error code */
	iretq

	.macro stubaddr v
	.quad trap_stub_\v
	.endm
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.set i, 0
	.rept 256
	stubaddr %i
	.set i, i + 1
	.endr
