/* AP start-up. tramp_start..tramp_end is copied to TRAMP_BASE; a SIPI with
 * vector TRAMP_BASE >> 12 starts the AP there in real mode (CS = vector << 8,
 * IP = 0). It loads the kernel's GDT, enables protection (and clears CD/NW,
 * which INIT sets) and jumps to ap_pm32 in the kernel image above 1 MiB.
 * Code in the copy may only use addresses relative to TRAMP_BASE. */
#include "guest/testkern/smp_defs.h"

#define REL(x) (TRAMP_BASE + (x) - tramp_start)

	.text
	.code16
	.globl tramp_start, tramp_end
tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdtr)
	movl %cr0, %eax
	andl $0x9fffffff, %eax  /* CD, NW off: INIT leaves caching disabled */
	orl $1, %eax            /* PE */
	movl %eax, %cr0
	ljmpl $0x08, $ap_pm32
	.align 4
	.word 0
tramp_gdtr:
	.word GDT_LIMIT
	.long gdt
tramp_end:

	/* Protected mode, still on no stack: count the start with lock xadd
	 * (its number is the slot), take the stack of this APIC ID (an AP
	 * started again reuses its own: INIT ended the old run), enter C. */
	.code32
ap_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $1, %eax
	lock xaddl %eax, ap_next_slot
	movl 0xfee00020, %ecx   /* LAPIC ID register */
	shrl $24, %ecx
	cmpl $AP_MAX, %ecx
	jae 1f
	leal 1(%ecx), %edx
	shll $AP_STACK_SHIFT, %edx
	leal ap_stacks(%edx), %esp
	xorl %ebp, %ebp
	pushl %ecx              /* ap_main(slot, apic_id) */
	pushl %eax
	call ap_main
1:	cli                     /* out of slots (or ap_main returned): park */
	hlt
	jmp 1b

	.section .note.GNU-stack, "", @progbits
