/* Fuzz target: the x86 instruction decoder used for MMIO
 * (vmm/emul/x86_decode.c), then the helpers applied to what it decoded, as
 * vmm/emul/mmio.c applies them.
 * Input: the CPU mode (u8 % 3), a register value, a memory value and RFLAGS
 * (u64 each), then the instruction bytes (an exact-size heap copy).
 * Checks on a decoded instruction: its length is 1-15 and within the bytes
 * given, and decoding exactly those bytes gives the same result while one
 * byte fewer fails (the decoder reads what it reports, no more); sizes,
 * register numbers, high-byte registers, immediates, address sizes,
 * segments, RIP-relative addressing and the kind/ALU pairing are
 * consistent with the mode. The ALU's result and its six arithmetic flags
 * match a reference computed with wide arithmetic, other RFLAGS bits are
 * kept; register writes keep or clear exactly the bits the SDM says, and
 * read back. */
#include "tests/fuzz/fuzz.h"
#include "vmm/emul/x86_decode.h"

static uint64_t mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

static __int128 sext(uint64_t v, unsigned size)
{
	unsigned bits = 8 * size;
	v &= mask(size);
	return (v >> (bits - 1)) & 1 ? (__int128)v - ((__int128)1 << bits) : (__int128)v;
}

/* Reference flags (SDM Vol. 1 3.4.3.1, Vol. 2 ADD/SUB/AND/OR/XOR/CMP/TEST). */
static uint64_t ref_alu(enum x86_alu_op op, uint64_t a, uint64_t b, unsigned size, uint64_t *fl)
{
	unsigned bits = 8 * size;
	uint64_t m = mask(size), r;
	bool cf = false, of = false, af = false;
	__int128 s;

	a &= m;
	b &= m;
	switch (op) {
	case X86_ALU_ADD:
		r = (a + b) & m;
		cf = (unsigned __int128)a + b > m;
		s = sext(a, size) + sext(b, size);
		of = s < -((__int128)1 << (bits - 1)) || s >= ((__int128)1 << (bits - 1));
		af = (a & 0xf) + (b & 0xf) > 0xf;
		break;
	case X86_ALU_SUB: case X86_ALU_CMP:
		r = (a - b) & m;
		cf = a < b;
		s = sext(a, size) - sext(b, size);
		of = s < -((__int128)1 << (bits - 1)) || s >= ((__int128)1 << (bits - 1));
		af = (a & 0xf) < (b & 0xf);
		break;
	case X86_ALU_AND: case X86_ALU_TEST: r = a & b; break;
	case X86_ALU_OR: r = a | b; break;
	case X86_ALU_XOR: r = a ^ b; break;
	default: return a;
	}
	uint64_t f = *fl & ~(uint64_t)RFLAGS_ARITH;
	f |= cf ? RFLAGS_CF : 0;
	f |= of ? RFLAGS_OF : 0;
	f |= af ? RFLAGS_AF : 0;
	f |= r == 0 ? RFLAGS_ZF : 0;
	f |= (r >> (bits - 1)) & 1 ? RFLAGS_SF : 0;
	f |= __builtin_popcount((unsigned)(r & 0xff)) % 2 == 0 ? RFLAGS_PF : 0;
	*fl = f;
	return r;
}

static bool size_ok(unsigned s) { return s == 1 || s == 2 || s == 4 || s == 8; }

static void check_insn(const struct x86_insn *in, enum x86_cpu_mode mode, size_t n)
{
	FUZZ_CHECK(in->len >= 1 && in->len <= X86_MAX_INSN_LEN && in->len <= n, "length %u of %zu", in->len, n);
	FUZZ_CHECK(size_ok(in->size) && (in->size < 8 || mode == X86_MODE_64), "size %u in mode %d", in->size, mode);
	FUZZ_CHECK(in->reg >= -1 && in->reg <= 15 && (in->reg < 8 || mode == X86_MODE_64), "reg %d", in->reg);
	if (in->reg >= 0)
		FUZZ_CHECK(size_ok(in->reg_size) && (in->reg_size < 8 || mode == X86_MODE_64), "reg_size %u",
			   in->reg_size);
	FUZZ_CHECK(!in->high8 || (in->reg >= 0 && in->reg <= 3 && in->reg_size == 1), "high8 with reg %d size %u",
		   in->reg, in->reg_size);
	FUZZ_CHECK(in->has_imm == (in->reg == -1), "has_imm %d reg %d", in->has_imm, in->reg);
	FUZZ_CHECK(!in->has_imm || !(in->imm & ~mask(in->size)), "imm 0x%llx for size %u",
		   (unsigned long long)in->imm, in->size);
	FUZZ_CHECK(in->addr_size == (mode == X86_MODE_64 ? 8u : 4u) || in->addr_size == (mode == X86_MODE_64 ? 4u : 2u) ||
		   (mode == X86_MODE_32 && in->addr_size == 2) || (mode == X86_MODE_16 && in->addr_size == 4),
		   "address size %u in mode %d", in->addr_size, mode);
	FUZZ_CHECK(in->seg >= X86_SEG_NONE && in->seg <= X86_SEG_GS, "segment %d", in->seg);
	FUZZ_CHECK(!in->rip_relative || mode == X86_MODE_64, "RIP-relative outside 64-bit mode");
	FUZZ_CHECK(!in->string || in->kind == X86_MMIO_WRITE, "STOS that is no write");
	switch (in->kind) {
	case X86_MMIO_RMW:
		FUZZ_CHECK(in->alu == X86_ALU_ADD || in->alu == X86_ALU_OR || in->alu == X86_ALU_AND ||
			   in->alu == X86_ALU_SUB || in->alu == X86_ALU_XOR, "RMW with ALU op %d", in->alu);
		break;
	case X86_MMIO_CMP:
		FUZZ_CHECK(in->alu == X86_ALU_CMP || in->alu == X86_ALU_TEST, "CMP with ALU op %d", in->alu);
		break;
	case X86_MMIO_READ:
		FUZZ_CHECK(in->reg >= 0 && in->reg_size >= in->size, "read into reg %d size %u from %u",
			   in->reg, in->reg_size, in->size);
		/* fall through */
	case X86_MMIO_WRITE: case X86_MMIO_XCHG:
		FUZZ_CHECK(in->alu == X86_ALU_NONE, "kind %d with ALU op %d", in->kind, in->alu);
		break;
	default:
		FUZZ_CHECK(0, "kind %d", in->kind);
	}
	FUZZ_CHECK(in->ext == X86_EXT_NONE || in->kind == X86_MMIO_READ, "extension on kind %d", in->kind);
}

/* Register write semantics: 8/16-bit writes keep the rest, 32/64-bit
 * writes replace it all, AH..BH are bits 15:8. */
static void check_reg(uint64_t old, uint64_t val, unsigned size, bool high8)
{
	uint64_t nv = x86_reg_set(old, val, size, high8);
	if (high8) {
		FUZZ_CHECK(nv == ((old & ~0xff00ull) | (val & 0xff) << 8), "high-byte write");
		FUZZ_CHECK(x86_reg_get(nv, 1, true) == (val & 0xff), "high-byte read back");
		return;
	}
	uint64_t m = mask(size);
	if (size >= 4)
		FUZZ_CHECK(nv == (val & m), "%u-byte write 0x%llx", size, (unsigned long long)nv);
	else
		FUZZ_CHECK((nv & ~m) == (old & ~m) && (nv & m) == (val & m), "%u-byte write", size);
	FUZZ_CHECK(x86_reg_get(nv, size, false) == (val & m), "read back");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	enum x86_cpu_mode mode = (enum x86_cpu_mode)(fz_u8(&f) % 3);
	uint64_t regval = fz_u64(&f), memval = fz_u64(&f), rflags = fz_u64(&f);
	size_t n;
	const uint8_t *body = fz_rest(&f, &n);
	uint8_t *bytes = fz_dup(body, n);
	struct x86_insn in, again;
	const char *err = NULL;

	int rc = x86_decode(bytes, n, mode, &in, &err);
	FZ_DEBUG("x86_decode %d %s len %u\n", rc, rc ? err : "", in.len);
	if (rc != 0) {
		FUZZ_CHECK(err && *err, "failure without a message");
		free(bytes);
		return 0;
	}
	FUZZ_CHECK(err == NULL, "success with message '%s'", err);
	check_insn(&in, mode, n);
	/* Exactly len bytes are needed. */
	uint8_t *exact = fz_dup(bytes, in.len);
	FUZZ_CHECK(x86_decode(exact, in.len, mode, &again, &err) == 0 && !memcmp(&in, &again, sizeof(in)),
		   "decoding its own %u bytes differs", in.len);
	FUZZ_CHECK(x86_decode(exact, in.len - 1, mode, &again, &err) == -1, "decoded with a byte missing");
	free(exact);

	/* What mmio.c does with it. */
	uint64_t src = in.has_imm ? in.imm : x86_reg_get(regval, in.reg_size, in.high8);
	uint64_t fl = rflags, rfl = rflags;
	switch (in.kind) {
	case X86_MMIO_READ: {
		uint64_t v = x86_extend(memval, in.size, in.reg_size, in.ext);
		FUZZ_CHECK(!(v & ~mask(in.reg_size)), "extended value wider than the register");
		if (in.ext == X86_EXT_ZERO || in.ext == X86_EXT_NONE)
			FUZZ_CHECK(v == (memval & mask(in.size)), "zero extension");
		else
			FUZZ_CHECK(v == ((uint64_t)sext(memval, in.size) & mask(in.reg_size)), "sign extension");
		check_reg(regval, v, in.reg_size, in.high8);
		break;
	}
	case X86_MMIO_RMW: case X86_MMIO_CMP: {
		uint64_t r = x86_alu(in.alu, memval, src, in.size, &fl);
		uint64_t rr = ref_alu(in.alu, memval, src, in.size, &rfl);
		FUZZ_CHECK(r == rr && fl == rfl, "ALU op %d size %u: 0x%llx %llx, reference 0x%llx %llx",
			   in.alu, in.size, (unsigned long long)r, (unsigned long long)fl,
			   (unsigned long long)rr, (unsigned long long)rfl);
		break;
	}
	case X86_MMIO_XCHG:
		check_reg(regval, memval, in.reg_size, in.high8);
		break;
	default:
		FUZZ_CHECK(!(src & ~mask(in.size)) || !in.has_imm, "written value wider than the access");
		break;
	}
	free(bytes);
	return 0;
}
