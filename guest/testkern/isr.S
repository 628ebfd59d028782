/* 256 interrupt entry stubs, 16 bytes apart (idt.c computes the addresses),
 * all funnelled into isr_dispatch(struct trap_frame *). Vectors without a
 * CPU-pushed error code push a zero so the frame layout is uniform. */

	.text
	.code32
	.align 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	cld
	movl %esp, %eax
	pushl %eax
	call isr_dispatch
	addl $4, %esp
	popal
	addl $8, %esp           /* vector and error code */
	iretl

	.section .note.GNU-stack, "", @progbits
