/* x86 MMIO instruction decoder; see x86_decode.h. Encodings: SDM Vol. 2,
 * chapter 2 (prefixes, ModRM/SIB, REX) and the opcode map in Appendix A. */
#include "vmm/emul/x86_decode.h"

struct dec {
	const uint8_t *p;
	size_t n;               /* readable bytes: min(given, 15) */
	size_t pos;
	const char *err;
	/* prefixes */
	bool p66, p67, lock;
	uint8_t rep, rex;
	int seg;
	enum x86_cpu_mode mode;
	unsigned opsize, addrsize;
	bool not_sys;           /* x86_decode_sys: the opcode is no system instruction */
};

static bool fetch(struct dec *d, uint8_t *b)
{
	if (d->pos >= d->n) {
		if (!d->err)
			d->err = d->pos >= X86_MAX_INSN_LEN ?
				"instruction longer than 15 bytes" :
				"truncated instruction";
		return false;
	}
	*b = d->p[d->pos++];
	return true;
}

/* Little-endian immediate or displacement of 1, 2, 4 or 8 bytes. */
static bool fetch_le(struct dec *d, unsigned size, uint64_t *v)
{
	uint64_t x = 0;
	uint8_t b;

	for (unsigned i = 0; i < size; i++) {
		if (!fetch(d, &b))
			return false;
		x |= (uint64_t)b << (8 * i);
	}
	*v = x;
	return true;
}

static bool fail(struct dec *d, const char *msg)
{
	if (!d->err)
		d->err = msg;
	return false;
}

static int seg_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: return X86_SEG_ES;
	case 0x2e: return X86_SEG_CS;
	case 0x36: return X86_SEG_SS;
	case 0x3e: return X86_SEG_DS;
	case 0x64: return X86_SEG_FS;
	case 0x65: return X86_SEG_GS;
	default: return X86_SEG_NONE;
	}
}

/* Legacy prefixes and REX; leaves the opcode byte in *op. A REX prefix only
 * counts when it comes last, right before the opcode (SDM 2.2.1). */
static bool parse_prefixes(struct dec *d, uint8_t *op)
{
	uint8_t b;

	for (;;) {
		if (!fetch(d, &b))
			return false;
		if (d->mode == X86_MODE_64 && (b & 0xf0) == 0x40) {
			d->rex = b;
			continue;
		}
		if (b == 0x66)
			d->p66 = true;
		else if (b == 0x67)
			d->p67 = true;
		else if (b == 0xf0)
			d->lock = true;
		else if (b == 0xf2 || b == 0xf3)
			d->rep = b;
		else if (seg_prefix(b) != X86_SEG_NONE)
			d->seg = seg_prefix(b);
		else
			break;
		d->rex = 0;
	}
	*op = b;
	return true;
}

static void set_sizes(struct dec *d)
{
	switch (d->mode) {
	case X86_MODE_64:
		d->opsize = (d->rex & 8) ? 8 : d->p66 ? 2 : 4;
		d->addrsize = d->p67 ? 4 : 8;
		break;
	case X86_MODE_32:
		d->opsize = d->p66 ? 2 : 4;
		d->addrsize = d->p67 ? 2 : 4;
		break;
	default:
		d->opsize = d->p66 ? 4 : 2;
		d->addrsize = d->p67 ? 4 : 2;
		break;
	}
}

/* ModRM with its SIB and displacement. Sets *reg to the ModRM.reg field
 * extended by REX.R. A register-direct r/m cannot have caused an MMIO exit. */
static bool parse_modrm(struct dec *d, struct x86_insn *in, unsigned *reg)
{
	uint8_t modrm, sib;
	uint64_t disp;
	unsigned mod, rm, dsize = 0;

	if (!fetch(d, &modrm))
		return false;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((d->rex & 4) ? 8 : 0);
	if (mod == 3)
		return fail(d, "register operand where memory was expected");

	if (d->addrsize == 2) {
		/* 16-bit forms: no SIB; [disp16] replaces [bp] with mod 0. */
		dsize = mod == 1 ? 1 : (mod == 2 || rm == 6) ? 2 : 0;
	} else {
		if (rm == 4) {
			if (!fetch(d, &sib))
				return false;
			if (mod == 0 && (sib & 7) == 5)
				dsize = 4;      /* no base: [index*s + disp32] */
		}
		if (mod == 0 && rm == 5) {
			dsize = 4;
			in->rip_relative = d->mode == X86_MODE_64;
		}
		if (mod == 1)
			dsize = 1;
		else if (mod == 2)
			dsize = 4;
	}
	return fetch_le(d, dsize, &disp);
}

/* An 8-bit register operand without any REX prefix: 4-7 are AH CH DH BH. */
static void set_reg(struct dec *d, struct x86_insn *in, unsigned reg, unsigned size)
{
	in->reg = (int)reg;
	in->reg_size = size;
	if (size == 1 && !d->rex && reg >= 4 && reg < 8) {
		in->reg = (int)reg - 4;
		in->high8 = true;
	}
}

/* Immediate of an instruction whose operand size is `size`: imm8, imm16 or
 * imm32 (sign-extended to 64 bits for 8-byte operands); imm8s: 83 /n. */
static bool parse_imm(struct dec *d, struct x86_insn *in, unsigned size, bool imm8s)
{
	unsigned isize = imm8s ? 1 : size > 4 ? 4 : size;
	uint64_t v;

	if (!fetch_le(d, isize, &v))
		return false;
	in->has_imm = true;
	in->imm = x86_extend(v, isize, 8, X86_EXT_SIGN) & x86_size_mask(size);
	in->reg = -1;
	return true;
}

/* r/m, reg forms and their reverse (8A/8B). */
static bool op_rm_reg(struct dec *d, struct x86_insn *in, uint8_t op,
		      enum x86_mmio_kind kind, enum x86_alu_op alu)
{
	unsigned reg;

	in->size = (op & 1) ? d->opsize : 1;
	in->kind = kind;
	in->alu = alu;
	if (!parse_modrm(d, in, &reg))
		return false;
	set_reg(d, in, reg, in->size);
	return true;
}

static bool op_movx(struct dec *d, struct x86_insn *in, uint8_t op2)
{
	unsigned reg;

	in->kind = X86_MMIO_READ;
	in->size = (op2 & 1) ? 2 : 1;
	in->ext = (op2 & 8) ? X86_EXT_SIGN : X86_EXT_ZERO;
	if (!parse_modrm(d, in, &reg))
		return false;
	set_reg(d, in, reg, d->opsize);
	return true;
}

/* Opcodes with an immediate and an opcode extension in ModRM.reg. */
static bool op_group_imm(struct dec *d, struct x86_insn *in, uint8_t op)
{
	static const enum x86_alu_op grp1[8] = {
		X86_ALU_ADD, X86_ALU_OR, X86_ALU_NONE, X86_ALU_NONE,
		X86_ALU_AND, X86_ALU_SUB, X86_ALU_XOR, X86_ALU_CMP,
	};
	unsigned ext;

	in->size = (op & 1) ? d->opsize : 1;
	if (!parse_modrm(d, in, &ext))
		return false;
	ext &= 7;
	if (op == 0xc6 || op == 0xc7) {
		if (ext != 0)
			return fail(d, "unsupported opcode extension");
		in->kind = X86_MMIO_WRITE;
	} else if (op == 0xf6 || op == 0xf7) {
		if (ext != 0)
			return fail(d, "unsupported F6/F7 operation (only TEST)");
		in->kind = X86_MMIO_CMP;
		in->alu = X86_ALU_TEST;
	} else {
		in->alu = grp1[ext];
		if (in->alu == X86_ALU_NONE)
			return fail(d, "ADC/SBB on MMIO unsupported");
		in->kind = in->alu == X86_ALU_CMP ? X86_MMIO_CMP : X86_MMIO_RMW;
	}
	return parse_imm(d, in, in->size, op == 0x83);
}

/* MOV AL/rAX <-> moffs: the offset is address-size wide. */
static bool op_moffs(struct dec *d, struct x86_insn *in, uint8_t op)
{
	uint64_t off;

	in->size = (op & 1) ? d->opsize : 1;
	in->kind = (op & 2) ? X86_MMIO_WRITE : X86_MMIO_READ;
	in->reg = 0;
	in->reg_size = in->size;
	return fetch_le(d, d->addrsize, &off);
}

static bool decode_op(struct dec *d, struct x86_insn *in, uint8_t op)
{
	uint8_t op2;

	switch (op) {
	case 0x88: case 0x89:
		return op_rm_reg(d, in, op, X86_MMIO_WRITE, X86_ALU_NONE);
	case 0x8a: case 0x8b:
		return op_rm_reg(d, in, op, X86_MMIO_READ, X86_ALU_NONE);
	case 0x00: case 0x01:
		return op_rm_reg(d, in, op, X86_MMIO_RMW, X86_ALU_ADD);
	case 0x08: case 0x09:
		return op_rm_reg(d, in, op, X86_MMIO_RMW, X86_ALU_OR);
	case 0x20: case 0x21:
		return op_rm_reg(d, in, op, X86_MMIO_RMW, X86_ALU_AND);
	case 0x28: case 0x29:
		return op_rm_reg(d, in, op, X86_MMIO_RMW, X86_ALU_SUB);
	case 0x30: case 0x31:
		return op_rm_reg(d, in, op, X86_MMIO_RMW, X86_ALU_XOR);
	case 0x38: case 0x39:
		return op_rm_reg(d, in, op, X86_MMIO_CMP, X86_ALU_CMP);
	case 0x84: case 0x85:
		return op_rm_reg(d, in, op, X86_MMIO_CMP, X86_ALU_TEST);
	case 0x86: case 0x87:
		return op_rm_reg(d, in, op, X86_MMIO_XCHG, X86_ALU_NONE);
	case 0x80: case 0x81: case 0x83:
	case 0xc6: case 0xc7: case 0xf6: case 0xf7:
		return op_group_imm(d, in, op);
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return op_moffs(d, in, op);
	case 0xaa: case 0xab:
		in->size = (op & 1) ? d->opsize : 1;
		in->kind = X86_MMIO_WRITE;
		in->reg = 0;
		in->reg_size = in->size;
		in->string = true;
		return true;
	case 0x0f:
		if (!fetch(d, &op2))
			return false;
		if (op2 == 0xb6 || op2 == 0xb7 || op2 == 0xbe || op2 == 0xbf)
			return op_movx(d, in, op2);
		return fail(d, "unsupported two-byte opcode");
	case 0xc4: case 0xc5: case 0x62:
		if (d->mode == X86_MODE_64)
			return fail(d, "VEX/EVEX-encoded instruction unsupported");
		return fail(d, "unsupported opcode");
	default:
		return fail(d, "unsupported opcode");
	}
}

/* Set up d for bytes[0..n) and read the prefixes and the opcode byte.
 * false with *err set when the arguments are bad or that fails. */
static bool dec_start(struct dec *d, const uint8_t *bytes, size_t n, enum x86_cpu_mode mode,
		      uint8_t *op, const char **err)
{
	memset(d, 0, sizeof(*d));
	*err = NULL;
	if (!bytes || mode > X86_MODE_64) {
		*err = "bad decoder arguments";
		return false;
	}
	d->p = bytes;
	d->n = n < X86_MAX_INSN_LEN ? n : X86_MAX_INSN_LEN;
	d->mode = mode;
	d->seg = X86_SEG_NONE;
	if (!parse_prefixes(d, op)) {
		*err = d->err;
		return false;
	}
	return true;
}

int x86_decode(const uint8_t *bytes, size_t n, enum x86_cpu_mode mode,
	       struct x86_insn *out, const char **err)
{
	struct dec d;
	uint8_t op;

	memset(out, 0, sizeof(*out));
	out->reg = -1;
	if (!dec_start(&d, bytes, n, mode, &op, err))
		return -1;
	if (d.lock) {
		*err = "LOCK prefix on MMIO unsupported";
		return -1;
	}
	if (d.rep) {
		*err = "REP/REPNE prefix on MMIO unsupported";
		return -1;
	}
	set_sizes(&d);
	out->seg = d.seg;
	out->addr_size = d.addrsize;
	if (!decode_op(&d, out, op))
		goto bad;
	out->len = (unsigned)d.pos;
	return 0;
bad:
	*err = d.err ? d.err : "undecodable instruction";
	return -1;
}

/* 0F 01 with a ModRM-like second byte: the VMCALL family, XSETBV, LMSW
 * (/6, register or memory operand). */
static bool sys_0f01(struct dec *d, struct x86_sys_insn *out)
{
	struct x86_insn scratch;
	unsigned reg;
	uint8_t m;

	if (!fetch(d, &m))
		return false;
	switch (m) {
	case 0xc1: out->op = X86_SYS_VMCALL; return true;
	case 0xd9: out->op = X86_SYS_VMMCALL; return true;
	case 0xd1: out->op = X86_SYS_XSETBV; return true;
	}
	if (((m >> 3) & 7) != 6)
		return fail(d, "unsupported 0F 01 instruction");
	out->op = X86_SYS_LMSW;
	if ((m >> 6) == 3) {
		out->gpr = (m & 7) | ((d->rex & 1) ? 8 : 0);
		return true;
	}
	out->mem = true;
	d->pos--;               /* parse_modrm reads the ModRM byte itself */
	memset(&scratch, 0, sizeof(scratch));
	return parse_modrm(d, &scratch, &reg);
}

/* MOV to/from CR (0F 20/22) or DR (0F 21/23): ModRM.mod is ignored, the
 * operand is always a register (SDM "MOV-Move to/from Control Registers"). */
static bool sys_mov_crdr(struct dec *d, uint8_t op2, struct x86_sys_insn *out)
{
	uint8_t m;

	if (!fetch(d, &m))
		return false;
	out->op = (op2 & 1) ? X86_SYS_MOV_DR : X86_SYS_MOV_CR;
	out->write = op2 & 2;
	out->reg = ((m >> 3) & 7) | ((d->rex & 4) ? 8 : 0);
	out->gpr = (m & 7) | ((d->rex & 1) ? 8 : 0);
	/* AMD's LOCK MOV CR0 reaches CR8 from outside 64-bit mode (APM 3,
	 * "MOV CRn"). */
	if (out->op == X86_SYS_MOV_CR && d->lock && out->reg == 0)
		out->reg = 8;
	return true;
}

static bool sys_op(struct dec *d, uint8_t op, struct x86_sys_insn *out)
{
	uint8_t op2, imm;

	switch (op) {
	case 0xf4: out->op = X86_SYS_HLT; return true;
	case 0x90:
		if (d->rep != 0xf3) {
			d->not_sys = true;
			return fail(d, "unsupported opcode");
		}
		out->op = X86_SYS_PAUSE;
		return true;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
		out->op = X86_SYS_IO;
		out->write = op & 2;
		return fetch(d, &imm);
	case 0xec: case 0xed: case 0xee: case 0xef:
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		out->op = X86_SYS_IO;
		out->write = op & 2;
		return true;
	case 0x0f:
		break;
	default:
		d->not_sys = true;
		return fail(d, "unsupported opcode");
	}
	if (!fetch(d, &op2))
		return false;
	switch (op2) {
	case 0xa2: out->op = X86_SYS_CPUID; return true;
	case 0x32: out->op = X86_SYS_RDMSR; return true;
	case 0x30: out->op = X86_SYS_WRMSR; return true;
	case 0x06: out->op = X86_SYS_CLTS; return true;
	case 0x08: out->op = X86_SYS_INVD; return true;
	case 0x09: out->op = X86_SYS_WBINVD; return true;
	case 0x01: return sys_0f01(d, out);
	case 0x20: case 0x21: case 0x22: case 0x23: return sys_mov_crdr(d, op2, out);
	default:
		d->not_sys = true;
		return fail(d, "unsupported two-byte opcode");
	}
}

int x86_decode_sys(const uint8_t *bytes, size_t n, enum x86_cpu_mode mode,
		   struct x86_sys_insn *out, const char **err)
{
	struct dec d;
	struct x86_insn mm;
	uint8_t op;

	memset(out, 0, sizeof(*out));
	if (!dec_start(&d, bytes, n, mode, &op, err))
		return -1;
	set_sizes(&d);
	if (sys_op(&d, op, out)) {
		out->len = (unsigned)d.pos;
		return 0;
	}
	/* Not a system instruction: one of the MMIO forms, for its length
	 * (its decoder's error otherwise). */
	if (d.not_sys) {
		if (x86_decode(bytes, n, mode, &mm, err) < 0)
			return -1;
		out->op = X86_SYS_MMIO;
		out->len = mm.len;
		return 0;
	}
	*err = d.err ? d.err : "undecodable instruction";
	return -1;
}

uint64_t x86_size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t x86_reg_get(uint64_t reg_val, unsigned size, bool high8)
{
	if (high8)
		return (reg_val >> 8) & 0xff;
	return reg_val & x86_size_mask(size);
}

uint64_t x86_reg_set(uint64_t old, uint64_t val, unsigned size, bool high8)
{
	if (high8)
		return (old & ~0xff00ull) | ((val & 0xff) << 8);
	if (size >= 4)          /* 32-bit writes zero-extend (SDM 3.4.1.1) */
		return val & x86_size_mask(size);
	return (old & ~x86_size_mask(size)) | (val & x86_size_mask(size));
}

uint64_t x86_extend(uint64_t val, unsigned size, unsigned to_size, enum x86_ext ext)
{
	uint64_t mask = x86_size_mask(size);

	val &= mask;
	if (ext == X86_EXT_SIGN && size < 8 && (val >> (8 * size - 1)) & 1)
		val |= ~mask;
	return val & x86_size_mask(to_size);
}

static bool parity_even(uint64_t v)
{
	uint8_t b = (uint8_t)v;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

uint64_t x86_alu(enum x86_alu_op op, uint64_t a, uint64_t b, unsigned size,
		 uint64_t *rflags)
{
	uint64_t mask = x86_size_mask(size);
	uint64_t sign = 1ull << (8 * size - 1);
	uint64_t r, f = 0;

	a &= mask;
	b &= mask;
	switch (op) {
	case X86_ALU_ADD:
		r = (a + b) & mask;
		f |= r < a ? RFLAGS_CF : 0;
		f |= ((a ^ r) & (b ^ r) & sign) ? RFLAGS_OF : 0;
		f |= ((a ^ b ^ r) & 0x10) ? RFLAGS_AF : 0;
		break;
	case X86_ALU_SUB:
	case X86_ALU_CMP:
		r = (a - b) & mask;
		f |= a < b ? RFLAGS_CF : 0;
		f |= ((a ^ b) & (a ^ r) & sign) ? RFLAGS_OF : 0;
		f |= ((a ^ b ^ r) & 0x10) ? RFLAGS_AF : 0;
		break;
	case X86_ALU_AND:
	case X86_ALU_TEST:
		r = a & b;
		break;
	case X86_ALU_OR:
		r = a | b;
		break;
	case X86_ALU_XOR:
		r = a ^ b;
		break;
	default:
		return a;
	}
	f |= r == 0 ? RFLAGS_ZF : 0;
	f |= (r & sign) ? RFLAGS_SF : 0;
	f |= parity_even(r) ? RFLAGS_PF : 0;
	*rflags = (*rflags & ~(uint64_t)RFLAGS_ARITH) | f;
	return r;
}
