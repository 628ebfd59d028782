/* Entry from the boot loader: multiboot2 (GRUB, real machines) or PVH (QEMU
 * -kernel). Both enter here in 32-bit protected mode with paging off and flat
 * segments. We build an identity map of the first 4 GiB, enable long mode and
 * call boot_main(kind, info_phys) on the boot stack. */
#include "boot/boot_defs.h"

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0                                   /* architecture: i386 */
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header))
	.short 0, 0                               /* end tag */
	.long 8
mb2_header_end:

	/* XEN_ELFNOTE_PHYS32_ENTRY: QEMU boots us through PVH with this. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 4, 18
	.asciz "Xen"
	.long pvh_entry

	.section .text.boot32, "ax"
	.code32
	.globl mb2_entry
mb2_entry:
	cli
	cmpl $MB2_BOOTLOADER_MAGIC, %eax
	jne 1f
	movl $BOOT_KIND_MB2, %edi
	jmp common32
1:	movl $BOOT_KIND_UNKNOWN, %edi
	jmp common32

	.globl pvh_entry
pvh_entry:
	cli
	movl $BOOT_KIND_PVH, %edi
	/* fall through */

common32:
	movl %ebx, %esi                 /* info pointer (mb2 info or hvm_start_info) */
	/* Clear .bss (page tables and stack included) before using any of it. */
	movl %edi, %edx
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl
	movl %edx, %edi
	movl $(boot_stack + BOOT_STACK_SIZE), %esp
	cld

	/* Long mode is required; without it there is nothing we can do. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages
	 * covering 0-4 GiB. The top 32 MiB (LAPIC, IOAPIC, firmware) uncached. */
	movl $(boot_pdpt + PTE_P + PTE_W), boot_pml4
	movl $0, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $(boot_pd + PTE_P + PTE_W), %eax
	movl %eax, boot_pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	movl $0, %ecx
3:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P + PTE_W + PTE_PS), %eax
	cmpl $2032, %ecx                    /* 0xFE000000 / 2 MiB */
	jb 4f
	orl $(PTE_PCD + PTE_PWT), %eax
4:	movl %eax, boot_pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 3b

	movl %cr4, %eax
	orl $(CR4_PAE + CR4_PGE), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG + CR0_PE + CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $BOOT_CS64, $long_mode_entry

no_long_mode:
	/* Say so on COM1 (no driver yet: poll THRE by hand), then stop. */
	movl $no_lm_msg, %esi
5:	lodsb
	testb %al, %al
	jz 7f
	movb %al, %bl
6:	movw $0x3fd, %dx
	inb %dx, %al
	testb $0x20, %al
	jz 6b
	movw $0x3f8, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 5b
7:	hlt
	jmp 7b

	.code64
long_mode_entry:
	movl $BOOT_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl $(boot_stack + BOOT_STACK_SIZE), %esp
	/* edi = kind, esi = info pointer: already the first two arguments. */
	movl %esi, %esi
	call boot_main
8:	cli
	hlt
	jmp 8b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff                /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff                /* 0x10: data */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt
no_lm_msg:
	.asciz "HV ERROR this CPU has no long mode (x86-64)\r\n"

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.section .bss
	.balign 16
	.globl boot_stack
boot_stack:	.skip BOOT_STACK_SIZE
