/* Real-mode probe of the realmode test (h_fatal.c), copied to RM_BASE and
 * started on an AP by a SIPI: it points the IVT's #GP entry at its own
 * handler and executes RDMSR of an MSR nobody has. A real-mode #GP pushes
 * FLAGS, CS and IP and no error code; the handler steps IP over the RDMSR
 * and counts. Code in the copy uses addresses relative to RM_BASE only. */
#define RM_BASE 0x9000
#define RM_GP_COUNT 0x9ff0
#define RM_DONE 0x9ff4
#define REL(x) ((x) - rm_probe_start)

	.text
	.code16
	.globl rm_probe_start, rm_probe_end
rm_probe_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %ss
	movw $0x9e00, %sp
	movw $REL(rm_gp), 13 * 4
	movw $(RM_BASE >> 4), 13 * 4 + 2
	movl $0x12345678, %ecx
	rdmsr
	lock incl RM_DONE
1:	cli
	hlt
	jmp 1b
rm_gp:
	pushw %bp
	movw %sp, %bp
	addw $2, 2(%bp)         /* IP of the frame: past the 2-byte RDMSR */
	popw %bp
	lock incl RM_GP_COUNT
	iretw
rm_probe_end:

	.section .note.GNU-stack, "", @progbits
