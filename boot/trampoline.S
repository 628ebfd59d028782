/* Application-processor start-up code. The boot processor copies this blob
 * to TRAMPOLINE_BASE and sends INIT-SIPI-SIPI with vector TRAMPOLINE_BASE>>12;
 * the AP starts in real mode at CS:IP = 0x0800:0000, goes through 32-bit
 * protected mode to long mode on the boot page tables, and jumps to the C
 * entry with its own stack. The BSP fills the tr_* slots before each start. */
#include "boot/boot_defs.h"

#define REL(x) (TRAMPOLINE_BASE + (x) - trampoline_start)

	.section .rodata
	.balign 16
	.globl trampoline_start, trampoline_end
	.globl tr_cr3, tr_stack, tr_entry, tr_arg
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tr_gdt_ptr - trampoline_start
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $0x08, $REL(tr_pm32)

	.code32
tr_pm32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $(CR4_PAE + CR4_PGE), %eax
	movl %eax, %cr4
	movl REL(tr_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG + CR0_WP), %eax
	movl %eax, %cr0
	ljmpl $0x18, $REL(tr_lm64)

	.code64
tr_lm64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq REL(tr_stack), %rsp
	movq REL(tr_arg), %rdi
	movq REL(tr_entry), %rax
	xorl %ebp, %ebp
	jmpq *%rax

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff        /* 0x08 32-bit code */
	.quad 0x00cf92000000ffff        /* 0x10 data */
	.quad 0x00af9a000000ffff        /* 0x18 64-bit code */
tr_gdt_ptr:
	.short tr_gdt_ptr - tr_gdt - 1
	.long REL(tr_gdt)
	.balign 8
tr_cr3:   .quad 0
tr_stack: .quad 0
tr_entry: .quad 0
tr_arg:   .quad 0
trampoline_end:
