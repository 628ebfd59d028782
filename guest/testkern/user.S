/* One hypercall from CPL 3, for the hcall test: the hypervisor must refuse
 * it (KVM returns -KVM_EPERM to user mode). Paging is off, so ring 3 sees
 * all memory through the flat ring-3 segments; the way back to ring 0 is
 * `int $0x80` through a DPL-3 gate (idt.c) that lands on user_return with
 * the TSS's ring-0 stack, which just restores the kernel stack saved here.
 *
 *   uint32_t user_hypercall(uint32_t nr, uint32_t a0, uint32_t a1,
 *                           uint32_t a2, uint32_t a3, uint32_t vmmcall);
 *
 * BSP only (one TSS). Interrupts stay off throughout. */

#define USER_CS 0x1b
#define USER_DS 0x23
#define TSS_SEL 0x28

	.text
	.code32
	.globl user_hypercall, user_return, user_setup
user_setup:
	/* TSS: SS0:ESP0 = the kernel data segment and a stack of its own. */
	movl $user_kstack_top, tss + 4
	movl $0x10, tss + 8
	movw $104, tss + 102    /* I/O bitmap base past the end: no bitmap */
	/* Descriptor: base tss, limit 103, 32-bit available TSS, present. */
	movl $tss, %eax
	movw $103, gdt_tss
	movw %ax, gdt_tss + 2
	shrl $16, %eax
	movb %al, gdt_tss + 4
	movb $0x89, gdt_tss + 5
	movb $0, gdt_tss + 6
	movb %ah, gdt_tss + 7
	movw $TSS_SEL, %ax
	ltr %ax
	ret

user_hypercall:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl %esp, user_ksp
	movl 40(%esp), %edi     /* vmmcall? */
	movl 20(%esp), %eax
	movl 24(%esp), %ebx
	movl 28(%esp), %ecx
	movl 32(%esp), %edx
	movl 36(%esp), %esi
	pushl $USER_DS
	pushl $user_stack_top
	pushl $0x2              /* EFLAGS: IF clear, IOPL 0 */
	pushl $USER_CS
	testl %edi, %edi
	jnz 1f
	pushl $user_vmcall
	iretl
1:	pushl $user_vmmcall
	iretl

user_vmcall:
	vmcall
	int $0x80
user_vmmcall:
	.byte 0x0f, 0x01, 0xd9  /* vmmcall */
	int $0x80

	/* Ring 0 again, on user_kstack: EAX is the hypercall's result. */
user_return:
	movw $0x10, %di
	movw %di, %ds
	movw %di, %es
	movw %di, %fs
	movw %di, %gs
	movl user_ksp, %esp
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.bss
	.align 16
user_ksp:
	.long 0
	.align 16
tss:
	.skip 104
	.align 16
	.skip 1024
user_stack_top:
	.skip 1024
user_kstack_top:

	.section .note.GNU-stack, "", @progbits
