/* lhvwork vecstate: a correctness check, not a benchmark. T threads each
 * fill every vector register the CPU offers (XMM0-15 with SSE, YMM0-15
 * with AVX, ZMM0-31 and the opmasks K0-7 with AVX-512) with a pattern of
 * their own, spin on integers for -w steps (long enough to be preempted by
 * the guest kernel and by the hypervisor), store the registers and compare.
 * A difference means vector state was lost in a context switch: the guest
 * kernel's XSAVE*, the hypervisor's, or the CPU's (or emulator's) own
 * instructions. One operation = one check. Found Bochs 2.7's XSAVEC defect
 * (docs/emulators.md). */
#define _GNU_SOURCE
#include "lhvwork.h"
#include <cpuid.h>
#include <stdio.h>
#include <string.h>

enum vec_kind { VEC_SSE, VEC_AVX, VEC_AVX512 };

struct vs {
	long work;
	enum vec_kind kind;
};

/* Register file image: 32 registers of 64 bytes, 8 opmasks. */
struct vregs {
	uint8_t z[32][64] __attribute__((aligned(64)));
	uint64_t k[8];
};

#define X4(m, a, b, c, d) m(a) m(b) m(c) m(d)
#define X16(m) X4(m, 0, 1, 2, 3) X4(m, 4, 5, 6, 7) X4(m, 8, 9, 10, 11) X4(m, 12, 13, 14, 15)
#define X32(m) X16(m) X4(m, 16, 17, 18, 19) X4(m, 20, 21, 22, 23) X4(m, 24, 25, 26, 27) \
	X4(m, 28, 29, 30, 31)
#define SPIN "1: dec %0\n\tjnz 1b\n\t"

#define LD_X(n) "movdqu " #n "*64(%1), %%xmm" #n "\n\t"
#define ST_X(n) "movdqu %%xmm" #n ", " #n "*64(%2)\n\t"
static void run_sse(const struct vregs *in, struct vregs *out, long spins)
{
	__asm__ volatile(X16(LD_X) SPIN X16(ST_X)
			 : "+r"(spins) : "r"(in), "r"(out)
			 : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
			   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

#define LD_Y(n) "vmovdqu " #n "*64(%1), %%ymm" #n "\n\t"
#define ST_Y(n) "vmovdqu %%ymm" #n ", " #n "*64(%2)\n\t"
__attribute__((target("avx")))
static void run_avx(const struct vregs *in, struct vregs *out, long spins)
{
	__asm__ volatile(X16(LD_Y) SPIN X16(ST_Y) "vzeroupper\n\t"
			 : "+r"(spins) : "r"(in), "r"(out)
			 : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
			   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

#define LD_Z(n) "vmovdqu64 " #n "*64(%1), %%zmm" #n "\n\t"
#define ST_Z(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%2)\n\t"
#define LD_K(n) "kmovq 2048+" #n "*8(%1), %%k" #n "\n\t"
#define ST_K(n) "kmovq %%k" #n ", 2048+" #n "*8(%2)\n\t"
__attribute__((target("avx512f,avx512bw")))
static void run_avx512(const struct vregs *in, struct vregs *out, long spins)
{
	__asm__ volatile(X32(LD_Z) LD_K(0) LD_K(1) LD_K(2) LD_K(3) LD_K(4) LD_K(5) LD_K(6) LD_K(7)
			 SPIN
			 X32(ST_Z) ST_K(0) ST_K(1) ST_K(2) ST_K(3) ST_K(4) ST_K(5) ST_K(6) ST_K(7)
			 "vzeroupper\n\t"
			 : "+r"(spins) : "r"(in), "r"(out)
			 : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
			   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
			   "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
			   "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31",
			   "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
}

/* The widest kind the CPU has and the kernel enabled (XCR0). */
static enum vec_kind detect(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return VEC_SSE;
	unsigned lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & 6) != 6)
		return VEC_SSE;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_AVX512F) && (b & bit_AVX512BW) &&
	    (lo & 0xe0) == 0xe0)
		return VEC_AVX512;
	return VEC_AVX;
}

static const char *const kind_name[] = { "sse", "avx", "avx512" };

static void checker(struct wl_worker *w)
{
	struct vs *s = w->ctx;
	static __thread struct vregs in, out;
	uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);
	unsigned nregs = s->kind == VEC_AVX512 ? 32 : 16;
	unsigned width = s->kind == VEC_SSE ? 16 : s->kind == VEC_AVX ? 32 : 64;

	while (wl_more(w)) {
		uint64_t t0 = wl_now_ns();
		for (unsigned r = 0; r < 32; r++)
			for (unsigned i = 0; i < 64; i += 8) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				memcpy(&in.z[r][i], &x, 8);
			}
		for (unsigned k = 0; k < 8; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			in.k[k] = x;
		}
		memset(&out, 0, sizeof(out));
		if (s->kind == VEC_AVX512)
			run_avx512(&in, &out, s->work);
		else if (s->kind == VEC_AVX)
			run_avx(&in, &out, s->work);
		else
			run_sse(&in, &out, s->work);
		for (unsigned r = 0; r < nregs; r++)
			if (memcmp(in.z[r], out.z[r], width)) {
				unsigned i = 0;
				while (in.z[r][i] == out.z[r][i])
					i++;
				wl_error(w, "check %llu: register %u of %s, byte %u differs",
					 (unsigned long long)w->ops, r, kind_name[s->kind], i);
				break;
			}
		if (s->kind == VEC_AVX512)
			for (unsigned k = 0; k < 8; k++)
				if (in.k[k] != out.k[k]) {
					wl_error(w, "check %llu: opmask k%u differs", (unsigned long long)w->ops, k);
					break;
				}
		wl_done(w, t0);
	}
}

int lw_vecstate(struct lw_args *a)
{
	struct vs s = { a->work, detect() };
	struct wl_worker *ws;
	uint64_t ns;
	char extra[48];

	wl_run(&a->o, checker, &s, &ws, &ns);
	snprintf(extra, sizeof(extra), "regs=%s work=%ld", kind_name[s.kind], a->work);
	return wl_result(&a->o, ws, ns, true, extra);
}
