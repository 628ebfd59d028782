/* Multiboot v1 entry. The loader (GRUB, QEMU -kernel, the lhv hypervisor)
 * enters _start in 32-bit protected mode, paging off, EAX = 0x2BADB002,
 * EBX = physical address of the Multiboot information. Per the spec, GDTR,
 * IDTR and ESP are unusable, so we load our own GDT and stack first. */

#include "guest/testkern/smp_defs.h"

#define MB_MAGIC 0x1BADB002
/* bit 0: page-align modules (none are used, harmless); bit 1: we want
 * mem_lower/mem_upper and, where the loader has one, the memory map. */
#define MB_FLAGS 0x00000003

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	lgdt gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %cx
	movw %cx, %ds
	movw %cx, %es
	movw %cx, %fs
	movw %cx, %gs
	movw %cx, %ss
	movl $bsp_stack_top, %esp
	xorl %ebp, %ebp
	pushl %ebx              /* kmain(magic, mbi) */
	pushl %eax
	call kmain
2:	cli
	hlt
	jmp 2b

	/* Flat 4 GiB segments; also used by the APs (trampoline.S). Accessed
	 * bits preset so the CPU never needs to write the table. The ring-3
	 * pair and the TSS serve user.S (a hypercall from CPL 3); user.S
	 * fills in the TSS descriptor. */
	.data
	.align 8
	.globl gdt, gdt_end, gdt_tss
gdt:
	.quad 0
	.quad 0x00CF9B000000FFFF /* 0x08: code, 32-bit, ring 0 */
	.quad 0x00CF93000000FFFF /* 0x10: data, 32-bit, ring 0 */
	.quad 0x00CFFB000000FFFF /* 0x18: code, 32-bit, ring 3 */
	.quad 0x00CFF3000000FFFF /* 0x20: data, 32-bit, ring 3 */
gdt_tss:
	.quad 0                  /* 0x28: the BSP's TSS (user.S) */
gdt_end:
	.if gdt_end - gdt - 1 != GDT_LIMIT
	.error "GDT_LIMIT in smp_defs.h does not match the GDT"
	.endif
	.align 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.align 16
	.skip 16384
bsp_stack_top:

	.section .note.GNU-stack, "", @progbits
