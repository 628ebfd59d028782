/* Host tests for vmm/x86_decode.c. The byte sequences and lengths in the
 * table below were produced by assembling each form with GNU as and reading
 * it back with objdump (the disassembly is kept as the entry's name), so the
 * expected lengths are the real CPU lengths, not the decoder's opinion. */
#include "tests/unit/check.h"
#include "vmm/emul/x86_decode.h"
#include <stdlib.h>

struct dcase {
	int mode;
	const char *name;
	uint8_t bytes[15];
	unsigned len;
	enum x86_mmio_kind kind;
	enum x86_alu_op alu;
	unsigned size;
	int reg;
	bool high8, has_imm;
	uint64_t imm;
	enum x86_ext ext;
	unsigned reg_size;
	bool string;
};

static const struct dcase cases[] = {
	{ 64, "movl   %eax,(%rdx)", { 0x89, 0x02 }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movq   %r9,0x10(%rax,%rbx,8)", { 0x4c, 0x89, 0x4c, 0xd8, 0x10 }, 5, X86_MMIO_WRITE, X86_ALU_NONE, 8, 9, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "movl   0x12345678(%rip),%ecx        # 0x1234567e", { 0x8b, 0x0d, 0x78, 0x56, 0x34, 0x12 }, 6, X86_MMIO_READ, X86_ALU_NONE, 4, 1, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movb   (%rsp),%ah", { 0x8a, 0x24, 0x24 }, 3, X86_MMIO_READ, X86_ALU_NONE, 1, 0, 1, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movb   (%rsp),%spl", { 0x40, 0x8a, 0x24, 0x24 }, 4, X86_MMIO_READ, X86_ALU_NONE, 1, 4, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movb   %bh,(%rdi)", { 0x88, 0x3f }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 1, 3, 1, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movb   %dil,(%rdi)", { 0x40, 0x88, 0x3f }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 1, 7, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movb   %r14b,-0x8(%rbp)", { 0x44, 0x88, 0x75, 0xf8 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 1, 14, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movw   $0x1234,%fs:0x8(%r12)", { 0x64, 0x66, 0x41, 0xc7, 0x44, 0x24, 0x08, 0x34, 0x12 }, 9, X86_MMIO_WRITE, X86_ALU_NONE, 2, -1, 0, 1, 0x1234ull, X86_EXT_NONE, 0, 0 },
	{ 64, "movq   $0xffffffffffffffff,(%rax)", { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff }, 7, X86_MMIO_WRITE, X86_ALU_NONE, 8, -1, 0, 1, 0xffffffffffffffffull, X86_EXT_NONE, 0, 0 },
	{ 64, "movl   $0x80000000,(%rax)", { 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80 }, 6, X86_MMIO_WRITE, X86_ALU_NONE, 4, -1, 0, 1, 0x80000000ull, X86_EXT_NONE, 0, 0 },
	{ 64, "movb   $0x80,0x1000(%rbx)", { 0xc6, 0x83, 0x00, 0x10, 0x00, 0x00, 0x80 }, 7, X86_MMIO_WRITE, X86_ALU_NONE, 1, -1, 0, 1, 0x80ull, X86_EXT_NONE, 0, 0 },
	{ 64, "movq   $0x12345678,0x10(%rip)        # 0x1b", { 0x48, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12 }, 11, X86_MMIO_WRITE, X86_ALU_NONE, 8, -1, 0, 1, 0x12345678ull, X86_EXT_NONE, 0, 0 },
	{ 64, "movzbl (%rsi),%eax", { 0x0f, 0xb6, 0x06 }, 3, X86_MMIO_READ, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_ZERO, 4, 0 },
	{ 64, "movzwq 0x2(%rdi),%r10", { 0x4c, 0x0f, 0xb7, 0x57, 0x02 }, 5, X86_MMIO_READ, X86_ALU_NONE, 2, 10, 0, 0, 0, X86_EXT_ZERO, 8, 0 },
	{ 64, "movsbw (%rax),%dx", { 0x66, 0x0f, 0xbe, 0x10 }, 4, X86_MMIO_READ, X86_ALU_NONE, 1, 2, 0, 0, 0, X86_EXT_SIGN, 2, 0 },
	{ 64, "movswl (%rax),%r15d", { 0x44, 0x0f, 0xbf, 0x38 }, 4, X86_MMIO_READ, X86_ALU_NONE, 2, 15, 0, 0, 0, X86_EXT_SIGN, 4, 0 },
	{ 64, "movsbq 0x11223344(%rax,%r9,2),%rsi", { 0x4a, 0x0f, 0xbe, 0xb4, 0x48, 0x44, 0x33, 0x22, 0x11 }, 9, X86_MMIO_READ, X86_ALU_NONE, 1, 6, 0, 0, 0, X86_EXT_SIGN, 8, 0 },
	{ 64, "movabsb 0x1122334455667788,%al", { 0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 9, X86_MMIO_READ, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "movabsq %rax,0x1122334455667788", { 0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 10, X86_MMIO_WRITE, X86_ALU_NONE, 8, 0, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "movabsw 0x1122334455667788,%ax", { 0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 10, X86_MMIO_READ, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 64, "addr32 movl 0x12345678,%eax", { 0x67, 0xa1, 0x78, 0x56, 0x34, 0x12 }, 6, X86_MMIO_READ, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "orl    $0x4,0x20(%rdx)", { 0x83, 0x4a, 0x20, 0x04 }, 4, X86_MMIO_RMW, X86_ALU_OR, 4, -1, 0, 1, 0x4ull, X86_EXT_NONE, 0, 0 },
	{ 64, "andl   $0xfffffffe,(%rax)", { 0x83, 0x20, 0xfe }, 3, X86_MMIO_RMW, X86_ALU_AND, 4, -1, 0, 1, 0xfffffffeull, X86_EXT_NONE, 0, 0 },
	{ 64, "andq   $0xfffffffffffffff0,(%rax)", { 0x48, 0x83, 0x20, 0xf0 }, 4, X86_MMIO_RMW, X86_ALU_AND, 8, -1, 0, 1, 0xfffffffffffffff0ull, X86_EXT_NONE, 0, 0 },
	{ 64, "addl   $0x12345678,(%rax)", { 0x81, 0x00, 0x78, 0x56, 0x34, 0x12 }, 6, X86_MMIO_RMW, X86_ALU_ADD, 4, -1, 0, 1, 0x12345678ull, X86_EXT_NONE, 0, 0 },
	{ 64, "addw   $0x1234,(%rax)", { 0x66, 0x81, 0x00, 0x34, 0x12 }, 5, X86_MMIO_RMW, X86_ALU_ADD, 2, -1, 0, 1, 0x1234ull, X86_EXT_NONE, 0, 0 },
	{ 64, "subb   $0x1,(%rcx)", { 0x80, 0x29, 0x01 }, 3, X86_MMIO_RMW, X86_ALU_SUB, 1, -1, 0, 1, 0x1ull, X86_EXT_NONE, 0, 0 },
	{ 64, "xorw   $0xfffe,(%rcx)", { 0x66, 0x83, 0x31, 0xfe }, 4, X86_MMIO_RMW, X86_ALU_XOR, 2, -1, 0, 1, 0xfffeull, X86_EXT_NONE, 0, 0 },
	{ 64, "xorl   %ecx,(%rdx)", { 0x31, 0x0a }, 2, X86_MMIO_RMW, X86_ALU_XOR, 4, 1, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "addw   %r8w,(%rax)", { 0x66, 0x44, 0x01, 0x00 }, 4, X86_MMIO_RMW, X86_ALU_ADD, 2, 8, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 64, "orb    %al,(%rax)", { 0x08, 0x00 }, 2, X86_MMIO_RMW, X86_ALU_OR, 1, 0, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "andq   %rdx,0x8(%rax)", { 0x48, 0x21, 0x50, 0x08 }, 4, X86_MMIO_RMW, X86_ALU_AND, 8, 2, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "subb   %ch,(%rax)", { 0x28, 0x28 }, 2, X86_MMIO_RMW, X86_ALU_SUB, 1, 1, 1, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "cmpl   $0x0,0x40(%rdi)", { 0x83, 0x7f, 0x40, 0x00 }, 4, X86_MMIO_CMP, X86_ALU_CMP, 4, -1, 0, 1, 0x0ull, X86_EXT_NONE, 0, 0 },
	{ 64, "cmpb   $0xff,(%rdi)", { 0x80, 0x3f, 0xff }, 3, X86_MMIO_CMP, X86_ALU_CMP, 1, -1, 0, 1, 0xffull, X86_EXT_NONE, 0, 0 },
	{ 64, "cmpl   %eax,(%rbx)", { 0x39, 0x03 }, 2, X86_MMIO_CMP, X86_ALU_CMP, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "testb  $0x1,(%rax)", { 0xf6, 0x00, 0x01 }, 3, X86_MMIO_CMP, X86_ALU_TEST, 1, -1, 0, 1, 0x1ull, X86_EXT_NONE, 0, 0 },
	{ 64, "testl  $0x80000000,0x4(%rax)", { 0xf7, 0x40, 0x04, 0x00, 0x00, 0x00, 0x80 }, 7, X86_MMIO_CMP, X86_ALU_TEST, 4, -1, 0, 1, 0x80000000ull, X86_EXT_NONE, 0, 0 },
	{ 64, "testq  $0xffffffffffffffff,0x4(%rax)", { 0x48, 0xf7, 0x40, 0x04, 0xff, 0xff, 0xff, 0xff }, 8, X86_MMIO_CMP, X86_ALU_TEST, 8, -1, 0, 1, 0xffffffffffffffffull, X86_EXT_NONE, 0, 0 },
	{ 64, "testl  %ecx,(%rax)", { 0x85, 0x08 }, 2, X86_MMIO_CMP, X86_ALU_TEST, 4, 1, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "xchgl  %eax,(%rdx)", { 0x87, 0x02 }, 2, X86_MMIO_XCHG, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "xchgb  %al,(%rcx)", { 0x86, 0x01 }, 2, X86_MMIO_XCHG, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 64, "xchgq  %r12,(%rcx)", { 0x4c, 0x87, 0x21 }, 3, X86_MMIO_XCHG, X86_ALU_NONE, 8, 12, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "stosb  %al,%es:(%rdi)", { 0xaa }, 1, X86_MMIO_WRITE, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_NONE, 1, 1 },
	{ 64, "stosl  %eax,%es:(%rdi)", { 0xab }, 1, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 1 },
	{ 64, "stosq  %rax,%es:(%rdi)", { 0x48, 0xab }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 8, 0, 0, 0, 0, X86_EXT_NONE, 8, 1 },
	{ 64, "movl   %eax,0x1000(,%rcx,4)", { 0x89, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00 }, 7, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,0x1000", { 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 }, 7, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,(%rdx)", { 0x89, 0x02 }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   0x7f(%rbp),%eax", { 0x8b, 0x45, 0x7f }, 3, X86_MMIO_READ, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   0x80(%rbp),%eax", { 0x8b, 0x85, 0x80, 0x00, 0x00, 0x00 }, 6, X86_MMIO_READ, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,0x0(%r13)", { 0x41, 0x89, 0x45, 0x00 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,(%r12)", { 0x41, 0x89, 0x04, 0x24 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,-0x80(%r12,%r13,8)", { 0x43, 0x89, 0x44, 0xec, 0x80 }, 5, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "movl   %eax,(%ecx)", { 0x67, 0x89, 0x01 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 64, "rex.W movw   %ax,(%rdx)", { 0x48, 0x66, 0x89, 0x02 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 64, "data16 movq %rax,(%rdx)", { 0x66, 0x48, 0x89, 0x02 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 8, 0, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "movq   %gs:0x28,%rax", { 0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 }, 9, X86_MMIO_READ, X86_ALU_NONE, 8, 0, 0, 0, 0, X86_EXT_NONE, 8, 0 },
	{ 64, "movl   $0x11223344,%gs:0x7fffffff(%r15,%r14,8)", { 0x65, 0x43, 0xc7, 0x84, 0xf7, 0xff, 0xff, 0xff, 0x7f, 0x44, 0x33, 0x22, 0x11 }, 13, X86_MMIO_WRITE, X86_ALU_NONE, 4, -1, 0, 1, 0x11223344ull, X86_EXT_NONE, 0, 0 },
	{ 32, "movl   %eax,(%edx)", { 0x89, 0x02 }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "movw   %ax,0x10(%ebx)", { 0x66, 0x89, 0x43, 0x10 }, 4, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 32, "movl   $0x5,0xfee000b0", { 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0x05, 0x00, 0x00, 0x00 }, 10, X86_MMIO_WRITE, X86_ALU_NONE, 4, -1, 0, 1, 0x5ull, X86_EXT_NONE, 0, 0 },
	{ 32, "movl   0xfec00010,%eax", { 0xa1, 0x10, 0x00, 0xc0, 0xfe }, 5, X86_MMIO_READ, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "addr16 movl 0x10,%eax", { 0x67, 0xa1, 0x10, 0x00 }, 4, X86_MMIO_READ, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "movzbl (%eax),%ecx", { 0x0f, 0xb6, 0x08 }, 3, X86_MMIO_READ, X86_ALU_NONE, 1, 1, 0, 0, 0, X86_EXT_ZERO, 4, 0 },
	{ 32, "movb   (%esi),%dh", { 0x8a, 0x36 }, 2, X86_MMIO_READ, X86_ALU_NONE, 1, 2, 1, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 32, "movl   %eax,(%bx)", { 0x67, 0x89, 0x07 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "movl   %eax,0x1234", { 0x67, 0x89, 0x06, 0x34, 0x12 }, 5, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "stosl  %eax,%es:(%edi)", { 0xab }, 1, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 1 },
	{ 32, "movl   %eax,%es:(%edx)", { 0x26, 0x89, 0x02 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 32, "orl    $0x100,0xfee00300", { 0x81, 0x0d, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x01, 0x00, 0x00 }, 10, X86_MMIO_RMW, X86_ALU_OR, 4, -1, 0, 1, 0x100ull, X86_EXT_NONE, 0, 0 },
	{ 16, "movw   %ax,(%bx)", { 0x89, 0x07 }, 2, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 16, "movl   %eax,(%bx)", { 0x66, 0x89, 0x07 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 4, 0, 0, 0, 0, X86_EXT_NONE, 4, 0 },
	{ 16, "movb   %al,0x1234", { 0xa2, 0x34, 0x12 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 16, "movw   $0x1234,0x10(%bp,%si)", { 0xc7, 0x42, 0x10, 0x34, 0x12 }, 5, X86_MMIO_WRITE, X86_ALU_NONE, 2, -1, 0, 1, 0x1234ull, X86_EXT_NONE, 0, 0 },
	{ 16, "movl   $0x12345678,0x1000(%bp,%si)", { 0x66, 0xc7, 0x82, 0x00, 0x10, 0x78, 0x56, 0x34, 0x12 }, 9, X86_MMIO_WRITE, X86_ALU_NONE, 4, -1, 0, 1, 0x12345678ull, X86_EXT_NONE, 0, 0 },
	{ 16, "movb   0x1234(%bx,%di),%cl", { 0x8a, 0x89, 0x34, 0x12 }, 4, X86_MMIO_READ, X86_ALU_NONE, 1, 1, 0, 0, 0, X86_EXT_NONE, 1, 0 },
	{ 16, "movw   %ax,(%eax)", { 0x67, 0x89, 0x00 }, 3, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 16, "movw   %ax,0x0(,%eax,4)", { 0x67, 0x89, 0x04, 0x85, 0x00, 0x00, 0x00, 0x00 }, 8, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 16, "movzbw (%si),%ax", { 0x0f, 0xb6, 0x04 }, 3, X86_MMIO_READ, X86_ALU_NONE, 1, 0, 0, 0, 0, X86_EXT_ZERO, 2, 0 },
	{ 16, "movw   0x1234,%ax", { 0xa1, 0x34, 0x12 }, 3, X86_MMIO_READ, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 0 },
	{ 16, "stosw  %ax,%es:(%di)", { 0xab }, 1, X86_MMIO_WRITE, X86_ALU_NONE, 2, 0, 0, 0, 0, X86_EXT_NONE, 2, 1 },
};

static enum x86_cpu_mode mode_of(int bits)
{
	return bits == 64 ? X86_MODE_64 : bits == 32 ? X86_MODE_32 : X86_MODE_16;
}

/* Decode from an exactly-sized heap copy so ASan catches any read past n. */
static int decode_exact(const uint8_t *b, size_t n, enum x86_cpu_mode m,
			struct x86_insn *in, const char **err)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, b, n);
	rc = x86_decode(copy, n, m, in, err);
	free(copy);
	return rc;
}

static void test_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct dcase *c = &cases[i];
		struct x86_insn in;
		const char *err;
		int bad = check_failed;

		/* Extra trailing bytes must not change anything. */
		uint8_t buf[15];
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		CHECK_EQ(decode_exact(buf, sizeof(buf), mode_of(c->mode), &in, &err), 0);
		CHECK_EQ(in.len, c->len);
		CHECK_EQ(in.kind, c->kind);
		CHECK_EQ(in.alu, c->alu);
		CHECK_EQ(in.size, c->size);
		CHECK_EQ(in.reg, c->reg);
		CHECK_EQ(in.high8, c->high8);
		CHECK_EQ(in.has_imm, c->has_imm);
		CHECK_EQ(in.imm, c->imm);
		CHECK_EQ(in.ext, c->ext);
		CHECK_EQ(in.reg_size, c->reg_size);
		CHECK_EQ(in.string, c->string);
		/* Exactly the instruction's bytes suffice... */
		CHECK_EQ(decode_exact(c->bytes, c->len, mode_of(c->mode), &in, &err), 0);
		/* ...and every shorter prefix is reported truncated. */
		for (unsigned k = 0; k < c->len; k++) {
			CHECK_EQ(decode_exact(c->bytes, k, mode_of(c->mode), &in, &err), -1);
			CHECK(err && strcmp(err, "truncated instruction") == 0);
		}
		if (check_failed != bad)
			fprintf(stderr, "  ^ case %zu: %d-bit \"%s\" (err %s)\n", i,
				c->mode, c->name, err ? err : "none");
	}
}

static void test_details(void)
{
	struct x86_insn in;
	const char *err;
	static const uint8_t rip[] = { 0x8b, 0x0d, 0x78, 0x56, 0x34, 0x12 };
	static const uint8_t fs_mov[] = { 0x64, 0x66, 0x41, 0xc7, 0x44, 0x24, 0x08, 0x34, 0x12 };
	static const uint8_t a32[] = { 0x67, 0xab };
	static const uint8_t a16[] = { 0x67, 0xaa };

	CHECK_EQ(x86_decode(rip, sizeof(rip), X86_MODE_64, &in, &err), 0);
	CHECK(in.rip_relative);
	CHECK_EQ(in.addr_size, 8);
	CHECK_EQ(in.seg, X86_SEG_NONE);
	/* Same bytes in 32-bit mode: [disp32], not RIP-relative. */
	CHECK_EQ(x86_decode(rip, sizeof(rip), X86_MODE_32, &in, &err), 0);
	CHECK(!in.rip_relative);
	CHECK_EQ(in.addr_size, 4);
	CHECK_EQ(x86_decode(fs_mov, sizeof(fs_mov), X86_MODE_64, &in, &err), 0);
	CHECK_EQ(in.seg, X86_SEG_FS);
	CHECK_EQ(x86_decode(a32, sizeof(a32), X86_MODE_64, &in, &err), 0);
	CHECK(in.string);
	CHECK_EQ(in.addr_size, 4);
	CHECK_EQ(x86_decode(a16, sizeof(a16), X86_MODE_16, &in, &err), 0);
	CHECK_EQ(in.addr_size, 4);
	CHECK_EQ(x86_decode(a16 + 1, 1, X86_MODE_16, &in, &err), 0);
	CHECK_EQ(in.addr_size, 2);
}

struct ecase {
	int mode;
	uint8_t bytes[16];
	unsigned n;
	const char *err;
};

static const struct ecase errors[] = {
	{ 64, { 0xf0, 0x83, 0x00, 0x01 }, 4, "LOCK prefix on MMIO unsupported" },
	{ 64, { 0xf0, 0x87, 0x02 }, 3, "LOCK prefix on MMIO unsupported" },
	{ 64, { 0xf3, 0xab }, 2, "REP/REPNE prefix on MMIO unsupported" },
	{ 32, { 0xf3, 0xaa }, 2, "REP/REPNE prefix on MMIO unsupported" },
	{ 64, { 0xf2, 0x89, 0x02 }, 3, "REP/REPNE prefix on MMIO unsupported" },
	{ 64, { 0x89, 0xc0 }, 2, "register operand where memory was expected" },
	{ 64, { 0xc7, 0xc0, 1, 0, 0, 0 }, 6, "register operand where memory was expected" },
	{ 64, { 0xc7, 0x48, 0x10, 1, 0, 0, 0 }, 7, "unsupported opcode extension" },
	{ 64, { 0x83, 0x10, 0x01 }, 3, "ADC/SBB on MMIO unsupported" },
	{ 64, { 0x80, 0x18, 0x01 }, 3, "ADC/SBB on MMIO unsupported" },
	{ 64, { 0xf7, 0x18 }, 2, "unsupported F6/F7 operation (only TEST)" },
	{ 64, { 0xf6, 0x08, 0x01 }, 3, "unsupported F6/F7 operation (only TEST)" },
	{ 64, { 0x0f, 0x0b }, 2, "unsupported two-byte opcode" },
	{ 64, { 0x0f, 0xc3, 0x02 }, 3, "unsupported two-byte opcode" },      /* movnti */
	{ 64, { 0xc5, 0xf9, 0x7f, 0x02 }, 4, "VEX/EVEX-encoded instruction unsupported" },
	{ 64, { 0x62, 0xf1, 0x7d, 0x48, 0x7f, 0x02 }, 6, "VEX/EVEX-encoded instruction unsupported" },
	{ 32, { 0x48, 0x89, 0x02 }, 3, "unsupported opcode" },              /* dec eax */
	{ 64, { 0xa4 }, 1, "unsupported opcode" },                          /* movsb */
	{ 64, { 0x8b, 0x80, 0x00 }, 3, "truncated instruction" },
	{ 64, { 0 }, 0, "truncated instruction" },
	{ 64, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x89 }, 16, "instruction longer than 15 bytes" },
	/* 15 bytes would be needed + 1: movabs with 6 prefixes. */
	{ 64, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8 }, 16,
	  "instruction longer than 15 bytes" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
		const struct ecase *e = &errors[i];
		struct x86_insn in;
		const char *err = NULL;

		CHECK_EQ(decode_exact(e->bytes, e->n, mode_of(e->mode), &in, &err), -1);
		CHECK(err && strcmp(err, e->err) == 0);
		if (!err || strcmp(err, e->err) != 0)
			fprintf(stderr, "  ^ error case %zu: got \"%s\"\n", i, err ? err : "none");
	}
	struct x86_insn in;
	const char *err;
	CHECK_EQ(x86_decode(NULL, 3, X86_MODE_64, &in, &err), -1);
	CHECK_EQ(x86_decode(errors[0].bytes, 3, (enum x86_cpu_mode)7, &in, &err), -1);
}

/* Random bytes: never crash, never read past n (ASan), sane results. */
static void test_fuzz(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int ok = 0, insane = 0;

	for (int iter = 0; iter < 200000; iter++) {
		uint8_t b[15];
		size_t n = 1 + (size_t)(iter % 15);
		struct x86_insn in;
		const char *err;

		for (size_t k = 0; k < n; k++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			b[k] = (uint8_t)s;
		}
		if (decode_exact(b, n, mode_of(iter % 3 == 0 ? 16 : iter % 3 == 1 ? 32 : 64),
				 &in, &err) == 0) {
			ok++;
			if (in.len == 0 || in.len > n ||
			    (in.size != 1 && in.size != 2 && in.size != 4 && in.size != 8))
				insane++;
		} else if (!err) {
			insane++;
		}
	}
	CHECK(ok > 1000);
	CHECK_EQ(insane, 0);
}

static void test_helpers(void)
{
	uint64_t f = 0;

	CHECK_EQ(x86_reg_set(0x1111222233334444ull, 0xaabbccdd, 4, false), 0xaabbccddull);
	CHECK_EQ(x86_reg_set(0x1111222233334444ull, 0xaabb, 2, false), 0x111122223333aabbull);
	CHECK_EQ(x86_reg_set(0x1111222233334444ull, 0x1ff, 1, false), 0x11112222333344ffull);
	CHECK_EQ(x86_reg_set(0x1111222233334444ull, 0xee, 1, true), 0x111122223333ee44ull);
	CHECK_EQ(x86_reg_set(1, ~0ull, 8, false), ~0ull);
	CHECK_EQ(x86_reg_get(0x1234, 1, true), 0x12);
	CHECK_EQ(x86_reg_get(0x1234, 1, false), 0x34);
	CHECK_EQ(x86_reg_get(~0ull, 4, false), 0xffffffffull);
	CHECK_EQ(x86_extend(0x80, 1, 4, X86_EXT_SIGN), 0xffffff80ull);
	CHECK_EQ(x86_extend(0x80, 1, 8, X86_EXT_SIGN), 0xffffffffffffff80ull);
	CHECK_EQ(x86_extend(0x80, 1, 8, X86_EXT_ZERO), 0x80);
	CHECK_EQ(x86_extend(0x7fff, 2, 8, X86_EXT_SIGN), 0x7fff);
	CHECK_EQ(x86_extend(0x18000, 2, 4, X86_EXT_SIGN), 0xffff8000ull);

	CHECK_EQ(x86_alu(X86_ALU_ADD, 0xff, 1, 1, &f), 0);
	CHECK_EQ(f, RFLAGS_CF | RFLAGS_ZF | RFLAGS_PF | RFLAGS_AF);
	CHECK_EQ(x86_alu(X86_ALU_ADD, 0x7fffffff, 1, 4, &f), 0x80000000ull);
	CHECK_EQ(f, RFLAGS_OF | RFLAGS_SF | RFLAGS_PF | RFLAGS_AF);
	CHECK_EQ(x86_alu(X86_ALU_SUB, 0, 1, 2, &f), 0xffff);
	CHECK_EQ(f, RFLAGS_CF | RFLAGS_SF | RFLAGS_PF | RFLAGS_AF);
	CHECK_EQ(x86_alu(X86_ALU_CMP, 0x8000000000000000ull, 1, 8, &f), 0x7fffffffffffffffull);
	CHECK_EQ(f, RFLAGS_OF | RFLAGS_AF | RFLAGS_PF);
	f = RFLAGS_CF | RFLAGS_OF | (1u << 9);         /* IF survives */
	CHECK_EQ(x86_alu(X86_ALU_AND, 0xf0, 0x0f, 1, &f), 0);
	CHECK_EQ(f, RFLAGS_ZF | RFLAGS_PF | (1u << 9));
	CHECK_EQ(x86_alu(X86_ALU_OR, 0x80, 0x01, 1, &f), 0x81);
	CHECK_EQ(f, RFLAGS_SF | RFLAGS_PF | (1u << 9));
	CHECK_EQ(x86_alu(X86_ALU_XOR, 0x3, 0x1, 4, &f), 0x2);
	CHECK_EQ(f, 1u << 9);
	CHECK_EQ(x86_alu(X86_ALU_TEST, 0x100, 0xff, 4, &f), 0);
	CHECK_EQ(f, RFLAGS_ZF | RFLAGS_PF | (1u << 9));
}

/* x86_decode_sys: the instructions that exit, as GNU as encodes them
 * (objdump's disassembly kept as the name), with their operands. */
struct scase {
	int mode;
	const char *name;
	uint8_t bytes[15];
	unsigned len;
	enum x86_sys_op op;
	unsigned reg, gpr;
	bool write, mem;
};

static const struct scase sys_cases[] = {
	{ 64, "cpuid", { 0x0f, 0xa2 }, 2, X86_SYS_CPUID, 0, 0, 0, 0 },
	{ 64, "rdmsr", { 0x0f, 0x32 }, 2, X86_SYS_RDMSR, 0, 0, 0, 0 },
	{ 64, "wrmsr", { 0x0f, 0x30 }, 2, X86_SYS_WRMSR, 0, 0, 0, 0 },
	{ 64, "hlt", { 0xf4 }, 1, X86_SYS_HLT, 0, 0, 0, 0 },
	{ 64, "pause", { 0xf3, 0x90 }, 2, X86_SYS_PAUSE, 0, 0, 0, 0 },
	{ 64, "vmcall", { 0x0f, 0x01, 0xc1 }, 3, X86_SYS_VMCALL, 0, 0, 0, 0 },
	{ 64, "vmmcall", { 0x0f, 0x01, 0xd9 }, 3, X86_SYS_VMMCALL, 0, 0, 0, 0 },
	{ 64, "xsetbv", { 0x0f, 0x01, 0xd1 }, 3, X86_SYS_XSETBV, 0, 0, 0, 0 },
	{ 64, "in     $0x71,%al", { 0xe4, 0x71 }, 2, X86_SYS_IO, 0, 0, 0, 0 },
	{ 64, "out    %eax,$0x80", { 0xe7, 0x80 }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 64, "in     (%dx),%ax", { 0x66, 0xed }, 2, X86_SYS_IO, 0, 0, 0, 0 },
	{ 64, "out    %al,(%dx)", { 0xee }, 1, X86_SYS_IO, 0, 0, 1, 0 },
	{ 64, "rex.W out %eax,(%dx)", { 0x48, 0xef }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 64, "rep outsb %ds:(%rsi),(%dx)", { 0xf3, 0x6e }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 64, "insl   (%dx),%es:(%rdi)", { 0x6d }, 1, X86_SYS_IO, 0, 0, 0, 0 },
	{ 64, "mov    %cr0,%rax", { 0x0f, 0x20, 0xc0 }, 3, X86_SYS_MOV_CR, 0, 0, 0, 0 },
	{ 64, "mov    %rbx,%cr0", { 0x0f, 0x22, 0xc3 }, 3, X86_SYS_MOV_CR, 0, 3, 1, 0 },
	{ 64, "mov    %rax,%cr4", { 0x0f, 0x22, 0xe0 }, 3, X86_SYS_MOV_CR, 4, 0, 1, 0 },
	{ 64, "mov    %cr3,%r9", { 0x41, 0x0f, 0x20, 0xd9 }, 4, X86_SYS_MOV_CR, 3, 9, 0, 0 },
	{ 64, "mov    %r12,%cr8", { 0x45, 0x0f, 0x22, 0xc4 }, 4, X86_SYS_MOV_CR, 8, 12, 1, 0 },
	{ 64, "mov    %cr8,%rax", { 0x44, 0x0f, 0x20, 0xc0 }, 4, X86_SYS_MOV_CR, 8, 0, 0, 0 },
	{ 64, "mov    %rdi,%db7", { 0x0f, 0x23, 0xff }, 3, X86_SYS_MOV_DR, 7, 7, 1, 0 },
	{ 64, "mov    %db6,%r11", { 0x41, 0x0f, 0x21, 0xf3 }, 4, X86_SYS_MOV_DR, 6, 11, 0, 0 },
	{ 64, "mov    %r15,%db0", { 0x41, 0x0f, 0x23, 0xc7 }, 4, X86_SYS_MOV_DR, 0, 15, 1, 0 },
	{ 64, "clts", { 0x0f, 0x06 }, 2, X86_SYS_CLTS, 0, 0, 0, 0 },
	{ 64, "lmsw   %ax", { 0x0f, 0x01, 0xf0 }, 3, X86_SYS_LMSW, 0, 0, 0, 0 },
	{ 64, "lmsw   %r10w", { 0x41, 0x0f, 0x01, 0xf2 }, 4, X86_SYS_LMSW, 0, 10, 0, 0 },
	{ 64, "lmsw   (%rax)", { 0x0f, 0x01, 0x30 }, 3, X86_SYS_LMSW, 0, 0, 0, 1 },
	{ 64, "lmsw   0x12345678(%rax,%rbx,4)", { 0x0f, 0x01, 0xb4, 0x98, 0x78, 0x56, 0x34, 0x12 }, 8,
	  X86_SYS_LMSW, 0, 0, 0, 1 },
	{ 64, "invd", { 0x0f, 0x08 }, 2, X86_SYS_INVD, 0, 0, 0, 0 },
	{ 64, "wbinvd", { 0x0f, 0x09 }, 2, X86_SYS_WBINVD, 0, 0, 0, 0 },
	{ 64, "mov    %eax,(%rdx)", { 0x89, 0x02 }, 2, X86_SYS_MMIO, 0, 0, 0, 0 },
	{ 64, "movq   $0x12345678,0x10(%rip)", { 0x48, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x78, 0x56,
	  0x34, 0x12 }, 11, X86_SYS_MMIO, 0, 0, 0, 0 },
	{ 32, "cpuid", { 0x0f, 0xa2 }, 2, X86_SYS_CPUID, 0, 0, 0, 0 },
	{ 32, "vmcall", { 0x0f, 0x01, 0xc1 }, 3, X86_SYS_VMCALL, 0, 0, 0, 0 },
	{ 32, "out    %al,$0x80", { 0xe6, 0x80 }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 32, "data16 out %al,(%dx)", { 0x66, 0xee }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 32, "in     (%dx),%eax", { 0xed }, 1, X86_SYS_IO, 0, 0, 0, 0 },
	{ 32, "mov    %ecx,%cr0", { 0x0f, 0x22, 0xc1 }, 3, X86_SYS_MOV_CR, 0, 1, 1, 0 },
	{ 32, "mov    %edx,%cr4", { 0x0f, 0x22, 0xe2 }, 3, X86_SYS_MOV_CR, 4, 2, 1, 0 },
	{ 32, "mov    %cr8,%eax", { 0xf0, 0x0f, 0x20, 0xc0 }, 4, X86_SYS_MOV_CR, 8, 0, 0, 0 },
	{ 32, "mov    %esi,%cr8", { 0xf0, 0x0f, 0x22, 0xc6 }, 4, X86_SYS_MOV_CR, 8, 6, 1, 0 },
	{ 32, "mov    %db7,%ebx", { 0x0f, 0x21, 0xfb }, 3, X86_SYS_MOV_DR, 7, 3, 0, 0 },
	{ 32, "mov    %eax,%db3", { 0x0f, 0x23, 0xd8 }, 3, X86_SYS_MOV_DR, 3, 0, 1, 0 },
	{ 32, "lmsw   %dx", { 0x0f, 0x01, 0xf2 }, 3, X86_SYS_LMSW, 0, 2, 0, 0 },
	{ 32, "lmsw   0x10(%ebx)", { 0x0f, 0x01, 0x73, 0x10 }, 4, X86_SYS_LMSW, 0, 0, 0, 1 },
	{ 32, "pause", { 0xf3, 0x90 }, 2, X86_SYS_PAUSE, 0, 0, 0, 0 },
	{ 32, "hlt", { 0xf4 }, 1, X86_SYS_HLT, 0, 0, 0, 0 },
	{ 16, "cpuid", { 0x0f, 0xa2 }, 2, X86_SYS_CPUID, 0, 0, 0, 0 },
	{ 16, "out    %al,$0x92", { 0xe6, 0x92 }, 2, X86_SYS_IO, 0, 0, 1, 0 },
	{ 16, "mov    %eax,%cr0", { 0x0f, 0x22, 0xc0 }, 3, X86_SYS_MOV_CR, 0, 0, 1, 0 },
	{ 16, "lmsw   (%bx)", { 0x0f, 0x01, 0x37 }, 3, X86_SYS_LMSW, 0, 0, 0, 1 },
	{ 16, "lmsw   0x1234", { 0x0f, 0x01, 0x36, 0x34, 0x12 }, 5, X86_SYS_LMSW, 0, 0, 0, 1 },
};

static int decode_sys_exact(const uint8_t *b, size_t n, enum x86_cpu_mode m,
			    struct x86_sys_insn *in, const char **err)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, b, n);
	rc = x86_decode_sys(copy, n, m, in, err);
	free(copy);
	return rc;
}

static void test_sys(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(sys_cases); i++) {
		const struct scase *c = &sys_cases[i];
		struct x86_sys_insn in;
		const char *err = NULL;
		int bad = check_failed;
		uint8_t buf[15];

		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->len);
		CHECK_EQ(decode_sys_exact(buf, sizeof(buf), mode_of(c->mode), &in, &err), 0);
		CHECK_EQ(in.len, c->len);
		CHECK_EQ(in.op, c->op);
		CHECK_EQ(in.reg, c->reg);
		CHECK_EQ(in.gpr, c->gpr);
		CHECK_EQ(in.write, c->write);
		CHECK_EQ(in.mem, c->mem);
		CHECK_EQ(decode_sys_exact(c->bytes, c->len, mode_of(c->mode), &in, &err), 0);
		for (unsigned k = 0; k < c->len; k++) {
			err = NULL;
			CHECK_EQ(decode_sys_exact(c->bytes, k, mode_of(c->mode), &in, &err), -1);
			CHECK(err && strcmp(err, "truncated instruction") == 0);
		}
		if (check_failed != bad)
			fprintf(stderr, "  ^ sys case %zu: %d-bit \"%s\" (err %s)\n", i, c->mode, c->name,
				err ? err : "none");
	}

	/* Not instructions that exit: refused with the decoder's reason. */
	static const struct ecase bad[] = {
		{ 64, { 0x90 }, 1, "unsupported opcode" },                  /* nop */
		{ 64, { 0x0f, 0x01, 0xc8 }, 3, "unsupported 0F 01 instruction" }, /* monitor */
		{ 64, { 0x0f, 0x31 }, 2, "unsupported two-byte opcode" },   /* rdtsc */
		{ 64, { 0x8b, 0x80, 0x00 }, 3, "truncated instruction" },  /* MMIO form, cut */
		{ 64, { 0x0f, 0x0b }, 2, "unsupported two-byte opcode" },   /* ud2 */
		{ 64, { 0xcc }, 1, "unsupported opcode" },                  /* int3 */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct x86_sys_insn in;
		const char *err = NULL;
		CHECK_EQ(decode_sys_exact(bad[i].bytes, bad[i].n, mode_of(bad[i].mode), &in, &err), -1);
		CHECK(err && strcmp(err, bad[i].err) == 0);
		if (!err || strcmp(err, bad[i].err) != 0)
			fprintf(stderr, "  ^ sys error case %zu: got \"%s\"\n", i, err ? err : "none");
	}
	struct x86_sys_insn in;
	const char *err;
	static const uint8_t long16[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					    0x66, 0x66, 0x66, 0x66, 0x0f, 0xa2 };
	CHECK_EQ(decode_sys_exact(long16, sizeof(long16), X86_MODE_64, &in, &err), -1);
	CHECK(strcmp(err, "instruction longer than 15 bytes") == 0);
	CHECK_EQ(x86_decode_sys(NULL, 3, X86_MODE_64, &in, &err), -1);

	/* Random bytes: never read past n (ASan), lengths within n. */
	uint64_t s = 0x2545f4914f6cdd1dull;
	int ok = 0, insane = 0;
	for (int iter = 0; iter < 200000; iter++) {
		uint8_t b[15];
		size_t n = 1 + (size_t)(iter % 15);
		for (size_t k = 0; k < n; k++) {
			s ^= s << 13; s ^= s >> 7; s ^= s << 17;
			b[k] = (uint8_t)s;
		}
		if (decode_sys_exact(b, n, mode_of(iter % 3 == 0 ? 16 : iter % 3 == 1 ? 32 : 64),
				     &in, &err) == 0) {
			ok++;
			if (in.len == 0 || in.len > n || in.reg > 15 || in.gpr > 15)
				insane++;
		} else if (!err) {
			insane++;
		}
	}
	CHECK(ok > 1000);
	CHECK_EQ(insane, 0);
}

int main(void)
{
	test_table();
	test_details();
	test_errors();
	test_fuzz();
	test_helpers();
	test_sys();
	return check_done("test_decode");
}
