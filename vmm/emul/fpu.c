/* The guest's x87/SSE/AVX state and XCR0. The hypervisor itself never
 * touches the FPU (-mgeneral-regs-only), so a vCPU's state is loaded when
 * the vCPU is loaded on a pCPU and saved when it leaves, with XSAVE over
 * every component a guest may use (or FXSAVE on CPUs without XSAVE).
 * While the vCPU is loaded, XCR0 holds the guest's value. */
#include "vmm/emul/emul.h"
#include "core/log.h"
#include "core/mm.h"
#include "hw/x86.h"

static uint64_t xcr0_host;          /* components saved and restored (all allowed) */
static uint32_t xsave_size;
bool fpu_xsavec_ok;

/* Does XSAVEC put AVX state where the compacted format says (SDM 13.4.3:
 * the first extended component, here AVX alone, starts at byte 576)?
 * Bochs 2.7 stores it 160 bytes too low while its XRSTOR reads it from 576,
 * so a guest kernel that saves with XSAVEC (Linux 5.19 and later, when
 * XSAVES is absent) loses the upper halves of YMM and the AVX-512 state at
 * every context switch: user processes then crash now and then. Runs once,
 * before any guest, with the host's XCR0 allowing AVX; lhv itself uses no
 * vector state, so loading YMM0 here clobbers nothing. */
static bool xsavec_probe(void)
{
	static uint8_t area[1024] __attribute__((aligned(64)));
	uint32_t a, b, c, d;
	cpuid_count(0xD, 1, &a, &b, &c, &d);
	if (!(a & (1u << 1)))
		return false;            /* no XSAVEC: nothing to offer */
	if (!(xcr0_host & XCR0_AVX))
		return true;             /* only x87/SSE: the legacy area's layout is fixed */
	memset(area, 0, sizeof(area));
	uint64_t old = read_xcr0();
	write_xcr0(XCR0_X87 | XCR0_SSE | XCR0_AVX);
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"   /* all ones: AVX in use */
			 "xsavec64 (%0)\n\t"
			 "vzeroall"
			 :: "r"(area), "a"((uint32_t)(XCR0_X87 | XCR0_SSE | XCR0_AVX)), "d"(0)
			 : "memory");
	write_xcr0(old);
	for (unsigned i = 576; i < 576 + 16; i++)      /* YMM0[255:128] */
		if (area[i] != 0xff)
			return false;
	return true;
}

void fpu_host_init(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 26)) {
		cpuid_count(0xD, 0, &a, &b, &c, &d);
		xcr0_host = (((uint64_t)d << 32) | a) & GUEST_XCR0_MASK;
		xsave_size = c;
		fpu_xsavec_ok = xsavec_probe();
		cpuid_count(0xD, 1, &a, &b, &c, &d);
		if ((a & (1u << 1)) && !fpu_xsavec_ok)
			pr_warn("fpu: XSAVEC stores AVX state at the wrong offset (as Bochs 2.7 does); "
				"guests are not offered it");
	} else {
		xsave_size = 512;   /* FXSAVE */
	}
}

int fpu_vcpu_init(struct vcpu *v)
{
	/* The area must be 64-byte aligned: keep the allocation's start just
	 * before it (one pointer) so it can be freed. */
	void *mem = kzalloc(xsave_size + 64 + sizeof(void *));
	if (!mem)
		return -1;
	void **area = (void **)ALIGN_UP((uint64_t)mem + sizeof(void *), 64);
	area[-1] = mem;
	v->fpu = area;
	fpu_vcpu_reset(v);
	return 0;
}

void fpu_vcpu_destroy(struct vcpu *v)
{
	if (v->fpu)
		kfree(((void **)v->fpu)[-1]);
	v->fpu = NULL;
}

void fpu_vcpu_reset(struct vcpu *v)
{
	/* XRSTOR of a zeroed header gives the init state; FXRSTOR needs the
	 * control words set by hand (SDM 10.5.1). */
	memset(v->fpu, 0, xsave_size);
	if (!xcr0_host) {
		((uint16_t *)v->fpu)[0] = 0x37f;             /* FCW */
		((uint32_t *)v->fpu)[6] = 0x1f80;            /* MXCSR */
	}
	v->xcr0 = XCR0_X87;
}

void fpu_load(struct vcpu *v)
{
	if (xcr0_host) {
		write_xcr0(xcr0_host);
		__asm__ volatile("xrstor64 (%0)" :: "r"(v->fpu), "a"((uint32_t)xcr0_host),
				 "d"((uint32_t)(xcr0_host >> 32)) : "memory");
		write_xcr0(v->xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" :: "r"(v->fpu) : "memory");
	}
}

void fpu_save(struct vcpu *v)
{
	if (xcr0_host) {
		write_xcr0(xcr0_host);
		__asm__ volatile("xsave64 (%0)" :: "r"(v->fpu), "a"((uint32_t)xcr0_host),
				 "d"((uint32_t)(xcr0_host >> 32)) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" :: "r"(v->fpu) : "memory");
	}
}

bool fpu_xsetbv(struct vcpu *v, uint32_t index, uint64_t val)
{
	uint64_t allowed = xcr0_host ? xcr0_host : XCR0_X87;
	/* SDM "XSETBV": only XCR0; x87 must stay on; AVX needs SSE; AVX-512's
	 * three components go together and need AVX. */
	if (index != 0 || !(val & XCR0_X87) || (val & ~allowed) ||
	    ((val & XCR0_AVX) && !(val & XCR0_SSE)) ||
	    ((val & XCR0_AVX512) && ((val & XCR0_AVX512) != XCR0_AVX512 || !(val & XCR0_AVX))))
		return false;
	v->xcr0 = val;
	write_xcr0(val);        /* the vCPU is loaded: XCR0 is the guest's */
	return true;
}
