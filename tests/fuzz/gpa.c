/* Fuzz target: guest-physical memory access from the hypervisor
 * (vmm/vm/gpa.c), the check every paravirtual record, hint area, page walk
 * and loader write goes through, and lhv's LHP argument checks
 * (vmm/pv/lhv_abi.h) as LHV_HINT_REGISTER, LHV_SPIN, LHV_BALLOON and
 * LHV_SPEED apply them (vmm/pv/lhv_hint.c).
 *
 * The VM's RAM is 1-8 chunks of 2 MiB taken from a pool of 8 host buffers
 * in an order the input chooses (guest chunk i may be any pool buffer, so a
 * copy that crossed a chunk boundary without looking up the next chunk
 * reads the wrong buffer). Pool buffers the VM does not own are poisoned:
 * AddressSanitizer reports any access to them, or past a buffer's end.
 * Every pool byte holds a pattern of (buffer, offset).
 *
 * Input: one byte (number of chunks), the chunks' order, then operations of
 * an opcode byte and operands. Checked:
 * - gpa_to_hva(gpa, len) is non-NULL exactly when 0 < len and [gpa,
 *   gpa+len) lies in RAM within one chunk, and then points at the right
 *   pool byte (first and last byte compared);
 * - vm_read_gpa / vm_write_gpa succeed exactly when the range is RAM (or
 *   len is 0), copy the right bytes across chunks, write nothing outside
 *   the range, and write nothing at all when they fail;
 * - LHV_HINT_REGISTER is accepted exactly for gpa 0, or version 1 with a
 *   64-byte aligned area wholly in RAM, and the area lhv then writes is
 *   inside RAM; LHV_SPIN's holder, LHV_BALLOON's time and LHV_SPEED's
 *   result are accepted or bounded exactly as documented
 *   (docs/hypercalls.md). */
#include <sanitizer/asan_interface.h>
#include "tests/fuzz/fuzz.h"
#include "vmm/vm/gpa.h"
#include "vmm/pv/lhv_abi.h"

#define POOL   8
#define CHUNK  (2ull << 20)
#define MAXLEN (CHUNK + 8192) /* enough to span three chunks */

static uint8_t *pool[POOL], *golden[POOL]; /* golden: the pattern, never handed out */
static bool owned[POOL];
static uint64_t chunks[POOL];
static unsigned perm[POOL];
static struct vm vm;
static uint8_t *buf;   /* MAXLEN bytes for reads */
static uint8_t *noise; /* MAXLEN + 256 random bytes to write */

static uint8_t pat(unsigned p, uint64_t off)
{
	uint32_t x = (uint32_t)(p * 0x9e3779b1u) ^ (uint32_t)(off * 2654435761u);
	return (uint8_t)(x ^ x >> 13 ^ x >> 24);
}

/* The pattern byte guest-physical address gpa (in RAM) should hold. */
static uint8_t want(uint64_t gpa)
{
	return pat(perm[gpa / CHUNK], gpa % CHUNK);
}

static uint8_t *host(uint64_t gpa)
{
	return pool[perm[gpa / CHUNK]] + gpa % CHUNK;
}

static void setup_once(void)
{
	if (buf)
		return;
	for (unsigned p = 0; p < POOL; p++) {
		pool[p] = malloc(CHUNK);
		golden[p] = malloc(CHUNK);
		if (!pool[p] || !golden[p])
			abort();
		for (uint64_t o = 0; o < CHUNK; o++)
			pool[p][o] = golden[p][o] = pat(p, o);
		owned[p] = true;
	}
	buf = malloc(MAXLEN);
	noise = malloc(MAXLEN + 256);
	if (!buf || !noise)
		abort();
	uint32_t x = 1;
	for (uint64_t i = 0; i < MAXLEN + 256; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (uint8_t)(x >> 16);
	}
}

/* Does guest [gpa, gpa+len) (RAM) hold mem[0..len)? With mem NULL: the
 * pattern. */
static bool ram_holds(uint64_t gpa, uint64_t len, const uint8_t *mem)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t g = gpa + done, n = MIN(len - done, CHUNK - g % CHUNK);
		const uint8_t *w = mem ? mem + done : golden[perm[g / CHUNK]] + g % CHUNK;
		if (memcmp(host(g), w, n))
			return false;
		done += n;
	}
	return true;
}

/* Put the pattern back into guest [gpa, gpa+len) (RAM). */
static void ram_restore(uint64_t gpa, uint64_t len)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t g = gpa + done, n = MIN(len - done, CHUNK - g % CHUNK);
		memcpy(host(g), golden[perm[g / CHUNK]] + g % CHUNK, n);
		done += n;
	}
}

static bool is_ram(uint64_t gpa, uint64_t len)
{
	return gpa < vm.ram_size && len <= vm.ram_size - gpa;
}

/* An address near something interesting: a chunk boundary, the end of RAM,
 * 0, or anything at all. */
static uint64_t pick_gpa(struct fz *f)
{
	uint8_t m = fz_u8(f);
	int64_t d = (int8_t)fz_u8(f);
	switch (m % 4) {
	case 0: return (uint64_t)(fz_u8(f) % (POOL + 1)) * CHUNK + (uint64_t)d;
	case 1: return vm.ram_size + (uint64_t)d;
	case 2: return fz_u32(f) % (POOL * CHUNK + CHUNK);
	default: return fz_u64(f);
	}
}

static uint64_t pick_len(struct fz *f)
{
	uint8_t m = fz_u8(f);
	switch (m % 4) {
	case 0: return fz_u8(f);
	case 1: return fz_u16(f);
	case 2: return fz_u32(f) % (MAXLEN + 1);
	default: return m & 4 ? fz_u64(f) : CHUNK;
	}
}

static void op_hva(struct fz *f)
{
	uint64_t gpa = pick_gpa(f), len = pick_len(f);
	uint8_t *p = gpa_to_hva(&vm, gpa, len);
	bool ok = len && is_ram(gpa, len) && gpa % CHUNK + len <= CHUNK;
	FUZZ_CHECK(!!p == ok, "gpa_to_hva(%#llx, %#llx) = %p with %llu MiB of RAM", (unsigned long long)gpa,
		   (unsigned long long)len, (void *)p, (unsigned long long)(vm.ram_size >> 20));
	if (p) {
		FUZZ_CHECK(p == host(gpa), "gpa_to_hva(%#llx): wrong chunk or offset", (unsigned long long)gpa);
		FUZZ_CHECK(p[0] == want(gpa) && p[len - 1] == want(gpa + len - 1), "gpa_to_hva(%#llx): wrong bytes",
			   (unsigned long long)gpa);
	}
}

static void op_read(struct fz *f)
{
	uint64_t gpa = pick_gpa(f), len = pick_len(f);
	if (len > MAXLEN)
		len = MAXLEN;
	bool ok = !len || is_ram(gpa, len);
	FUZZ_CHECK(vm_read_gpa(&vm, gpa, buf, len) == ok, "vm_read_gpa(%#llx, %#llx) != %d", (unsigned long long)gpa,
		   (unsigned long long)len, ok);
	/* buf == RAM, and RAM == the pattern: buf got the right bytes. */
	FUZZ_CHECK(!ok || (ram_holds(gpa, len, buf) && ram_holds(gpa, len, NULL)),
		   "vm_read_gpa(%#llx, %#llx): wrong bytes", (unsigned long long)gpa, (unsigned long long)len);
}

/* The bytes around [gpa, gpa+len) that are RAM still hold the pattern. */
static void check_edges(uint64_t gpa, uint64_t len)
{
	for (uint64_t k = 1; k <= 8; k++) {
		if (gpa >= k && gpa - k < vm.ram_size)
			FUZZ_CHECK(*host(gpa - k) == want(gpa - k), "write below %#llx", (unsigned long long)gpa);
		if (gpa + len - 1 + k < vm.ram_size && gpa + len - 1 + k > gpa)
			FUZZ_CHECK(*host(gpa + len - 1 + k) == want(gpa + len - 1 + k), "write past %#llx + %#llx",
				   (unsigned long long)gpa, (unsigned long long)len);
	}
}

static void op_write(struct fz *f)
{
	uint64_t gpa = pick_gpa(f), len = pick_len(f);
	const uint8_t *src = noise + fz_u8(f);
	if (len > MAXLEN)
		len = MAXLEN;
	bool ok = !len || is_ram(gpa, len);
	FUZZ_CHECK(vm_write_gpa(&vm, gpa, src, len) == ok, "vm_write_gpa(%#llx, %#llx) != %d",
		   (unsigned long long)gpa, (unsigned long long)len, ok);
	/* A failed write wrote nothing: every RAM byte it could have reached. */
	uint64_t end = gpa < vm.ram_size ? MIN(vm.ram_size - gpa, len) : 0;
	FUZZ_CHECK(ram_holds(gpa, end, ok ? src : NULL), "vm_write_gpa(%#llx, %#llx) = %d: %s",
		   (unsigned long long)gpa, (unsigned long long)len, ok, ok ? "not written" : "written though refused");
	ram_restore(gpa, end);
	if (ok && len)
		check_edges(gpa, len);
}

static void op_hint_register(struct fz *f)
{
	uint64_t gpa = fz_bool(f) ? pick_gpa(f) & ~(LHV_HINT_ALIGN - 1) : pick_gpa(f);
	uint64_t version = fz_bool(f) ? LHV_LHP_VERSION : fz_u64(f);
	/* What hc_lhv_hint_register does. */
	enum lhv_hint_err e = lhv_hint_check(gpa, version);
	uint8_t *a = NULL;
	if (e == LHV_HINT_OK && gpa && !(a = gpa_to_hva(&vm, gpa, LHV_HINT_SIZE)))
		e = LHV_HINT_NOT_RAM;
	bool ok = !gpa || (version == LHV_LHP_VERSION && gpa % LHV_HINT_ALIGN == 0 && is_ram(gpa, LHV_HINT_SIZE));
	FUZZ_CHECK((e == LHV_HINT_OK) == ok, "hint area %#llx version %llu: %d", (unsigned long long)gpa,
		   (unsigned long long)version, e);
	if (a) {
		FUZZ_CHECK(a == host(gpa), "hint area %#llx: wrong place", (unsigned long long)gpa);
		memcpy(a, golden[perm[gpa / CHUNK]] + gpa % CHUNK, LHV_HINT_SIZE); /* lhv writes it: ASan checks */
	}
}

static void op_args(struct fz *f)
{
	uint64_t arg = fz_bool(f) ? fz_u8(f) : fz_u64(f);
	uint32_t n = fz_u8(f), idx = 12345;
	bool ok = lhv_spin_holder(arg, n, &idx);
	if (arg == LHV_NO_VCPU || arg == ~0ull)
		FUZZ_CHECK(ok && idx == LHV_NO_VCPU, "LHV_SPIN %#llx: not 'unknown'", (unsigned long long)arg);
	else
		FUZZ_CHECK(ok == (arg < n) && (!ok || idx == arg), "LHV_SPIN holder %llu of %u vCPUs: %d %u",
			   (unsigned long long)arg, n, ok, idx);
	uint64_t us = fz_bool(f) ? fz_u32(f) % (2 * LHV_BALLOON_MAX_US) : fz_u64(f);
	FUZZ_CHECK(lhv_balloon_ok(us) == (us >= 1 && us <= LHV_BALLOON_MAX_US), "LHV_BALLOON %llu us",
		   (unsigned long long)us);
	uint32_t speed = fz_u32(f);
	uint64_t r = lhv_speed_result(speed);
	FUZZ_CHECK(r <= LHV_SPEED_ONE && (speed > LHV_SPEED_ONE || r == speed), "LHV_SPEED %u -> %llu", speed,
		   (unsigned long long)r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };

	setup_once();
	unsigned n = 1 + fz_u8(&f) % POOL;
	for (unsigned i = 0; i < POOL; i++)
		perm[i] = i;
	for (unsigned i = POOL - 1; i > 0; i--) { /* Fisher-Yates from the input */
		unsigned j = fz_u8(&f) % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = n * CHUNK;
	vm.ram_chunks = chunks;
	for (unsigned p = 0; p < POOL; p++) {
		bool own = false;
		for (unsigned i = 0; i < n; i++)
			own |= perm[i] == p;
		if (own != owned[p]) {
			if (own)
				ASAN_UNPOISON_MEMORY_REGION(pool[p], CHUNK);
			else
				ASAN_POISON_MEMORY_REGION(pool[p], CHUNK);
			owned[p] = own;
		}
	}
	for (unsigned i = 0; i < POOL; i++)
		chunks[i] = i < n ? (uint64_t)(uintptr_t)pool[perm[i]] : 0;
	FZ_DEBUG("%u MiB of RAM\n", n * 2);

	for (unsigned k = 0; fz_left(&f) && k < 256; k++) {
		switch (fz_u8(&f) % 5) {
		case 0: op_hva(&f); break;
		case 1: op_read(&f); break;
		case 2: op_write(&f); break;
		case 3: op_hint_register(&f); break;
		default: op_args(&f); break;
		}
	}
	return 0;
}
