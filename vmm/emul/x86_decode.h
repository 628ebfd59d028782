/* x86 instruction decoder for MMIO emulation and for the instructions that
 * exit when the hardware does not report them (pure logic, host-tested).
 *
 * When a guest touches a device page, the EPT violation gives the guest-
 * physical address but not what the instruction wanted: x86_decode() reads
 * the instruction at guest RIP and says whether it loads or stores, how many
 * bytes, which register or immediate, and its length so RIP can be advanced.
 * Only the forms compilers and Linux use on device memory are accepted:
 *   MOV 88/89/8A/8B, MOV imm C6/C7 /0, MOVZX 0F B6/B7, MOVSX 0F BE/BF,
 *   MOV moffs A0-A3, ADD/OR/AND/SUB/XOR r/m,r (00/01 08/09 20/21 28/29 30/31),
 *   group 1 80/81/83 (ADD OR AND SUB XOR CMP; not ADC/SBB), CMP r/m,r 38/39,
 *   TEST 84/85 and F6/F7 /0, XCHG 86/87, STOS AA/AB (without REP).
 * Prefixes 66, 67, segment overrides and REX are understood; LOCK, REP and
 * VEX/EVEX are refused. The decoder never reads past the bytes it is given
 * and never past 15 bytes (the architectural limit). */
#ifndef VMM_EMUL_X86_DECODE_H
#define VMM_EMUL_X86_DECODE_H
#include "core/lib.h"
#include "hw/x86_defs.h"

#define X86_MAX_INSN_LEN 15

enum x86_cpu_mode {
	X86_MODE_16,    /* real mode, or protected mode with CS.D = 0 */
	X86_MODE_32,    /* protected/compatibility mode with CS.D = 1 */
	X86_MODE_64,    /* 64-bit mode (CS.L = 1) */
};

enum x86_mmio_kind {
	X86_MMIO_READ,  /* reg = extend(mem) */
	X86_MMIO_WRITE, /* mem = reg or imm */
	X86_MMIO_RMW,   /* mem = mem <alu> src, flags updated */
	X86_MMIO_CMP,   /* flags from mem <alu> src (CMP, TEST); nothing written */
	X86_MMIO_XCHG,  /* old = mem; mem = reg; reg = old */
};

enum x86_alu_op {
	X86_ALU_NONE, X86_ALU_ADD, X86_ALU_OR, X86_ALU_AND, X86_ALU_SUB,
	X86_ALU_XOR, X86_ALU_CMP, X86_ALU_TEST,
};

enum x86_ext { X86_EXT_NONE, X86_EXT_ZERO, X86_EXT_SIGN };

struct x86_insn {
	enum x86_mmio_kind kind;
	enum x86_alu_op alu;    /* RMW and CMP; memory is the left operand */
	unsigned len;           /* bytes, prefixes included */
	unsigned size;          /* memory access: 1, 2, 4 or 8 */
	unsigned reg_size;      /* register operand size (READ: destination) */
	int reg;                /* GPR 0-15 (RAX..R15), -1 when the source is imm */
	bool high8;             /* reg 0-3 means AH, CH, DH, BH */
	bool has_imm;
	uint64_t imm;           /* sign-extended as the CPU does, truncated to size */
	enum x86_ext ext;       /* READ: how mem widens to reg_size */
	bool string;            /* STOS: dest ES:rDI, caller steps rDI by +-size */
	unsigned addr_size;     /* 2, 4 or 8 */
	int seg;                /* last segment override (X86_SEG_*), X86_SEG_NONE if none */
	bool rip_relative;
};

/* Decode bytes[0..n) (n may exceed 15; only what is needed is read).
 * Returns 0, or -1 with *err set to a static message. */
int x86_decode(const uint8_t *bytes, size_t n, enum x86_cpu_mode mode,
	       struct x86_insn *out, const char **err);

/* The instructions that exit to a hypervisor, for hardware that reports
 * neither their length nor their operands (AMD-V without NRIP save or
 * decode assists): CPUID, RDMSR, WRMSR, HLT, PAUSE, VMCALL, VMMCALL,
 * XSETBV, IN/OUT/INS/OUTS, MOV to/from CR and DR, CLTS, LMSW, INVD,
 * WBINVD, and (for their length) the memory forms x86_decode() knows. */
enum x86_sys_op {
	X86_SYS_CPUID, X86_SYS_RDMSR, X86_SYS_WRMSR, X86_SYS_HLT, X86_SYS_PAUSE,
	X86_SYS_VMCALL, X86_SYS_VMMCALL, X86_SYS_XSETBV,
	X86_SYS_IO,             /* IN, OUT, INS, OUTS */
	X86_SYS_MOV_CR,         /* MOV to/from CRn (LOCK MOV CR0 is CR8: AMD's AltMovCr8) */
	X86_SYS_MOV_DR,
	X86_SYS_CLTS, X86_SYS_LMSW, X86_SYS_INVD, X86_SYS_WBINVD,
	X86_SYS_MMIO,           /* one of x86_decode()'s memory forms */
};

struct x86_sys_insn {
	enum x86_sys_op op;
	unsigned len;           /* bytes, prefixes included */
	unsigned reg;           /* MOV CR/DR: the control or debug register number */
	unsigned gpr;           /* MOV CR/DR, LMSW with a register: the GPR (0-15) */
	bool write;             /* MOV to CR/DR; OUT, OUTS */
	bool mem;               /* LMSW: the operand is in memory (its address is not decoded) */
};

/* Decode bytes[0..n) as one of the instructions above. Returns 0, or -1
 * with *err set to a static message (anything else, truncated, too long). */
int x86_decode_sys(const uint8_t *bytes, size_t n, enum x86_cpu_mode mode,
		   struct x86_sys_insn *out, const char **err);

/* Helpers for applying a decoded access to guest registers. */
uint64_t x86_size_mask(unsigned size);
/* The operand value of register reg_val as seen with size/high8. */
uint64_t x86_reg_get(uint64_t reg_val, unsigned size, bool high8);
/* The new register value after writing val with size/high8: 8- and 16-bit
 * writes keep the other bits, 32-bit writes clear bits 63:32. */
uint64_t x86_reg_set(uint64_t old, uint64_t val, unsigned size, bool high8);
/* Widen a size-byte value to to_size bytes. */
uint64_t x86_extend(uint64_t val, unsigned size, unsigned to_size, enum x86_ext ext);

/* a <op> b at size bytes; updates the arithmetic flags (RFLAGS_ARITH) in *rflags (AF is
 * cleared for logic ops, where the SDM leaves it undefined) and returns the
 * result (for CMP/TEST: the value that is not written back). */
uint64_t x86_alu(enum x86_alu_op op, uint64_t a, uint64_t b, unsigned size,
		 uint64_t *rflags);

#endif
