/* CPUID as guests see it: the host's, minus what lhv does not virtualize;
 * the hypervisor leaves (0x40000000-0x4fffffff) are the paravirtual
 * interface's (vmm/pv/pv_cpuid.c). */
#include "vmm/emul/emul.h"
#include "vmm/pv/pv.h"
#include "hw/x86.h"

/* Bytes of an XSAVE area holding the components in mask: the standard
 * format places each at its CPUID offset; the compacted one (XSAVEC) packs
 * them in order after the 576-byte legacy area and header, 64-byte aligned
 * where CPUID.(0xD,i).ECX[1] asks (SDM 13.4.3). */
static uint32_t xsave_size(uint64_t mask, bool compacted)
{
	uint32_t size = 576;
	for (unsigned i = 2; i < 32; i++) {
		if (!((mask >> i) & 1))
			continue;
		uint32_t sz, off, flags, d;
		cpuid_count(0xD, i, &sz, &off, &flags, &d);
		if (compacted)
			size = ((flags & 2) ? ALIGN_UP(size, 64u) : size) + sz;
		else
			size = MAX(size, off + sz);
	}
	return size;
}

void emul_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
	uint32_t a = 0, b = 0, c = 0, d = 0;
	if (leaf >= 0x40000000u && leaf < 0x50000000u) {
		pv_cpuid(v, leaf, sub, out);
		return;
	}
	uint32_t max_basic, max_ext;
	cpuid(0, &max_basic, &b, &c, &d);
	cpuid(0x80000000u, &max_ext, &b, &c, &d);
	/* IA32_MISC_ENABLE.LIMIT_CPUID: leaf 0 reports 2 (SDM Vol. 4, 2-2). */
	uint64_t misc = emul_misc_enable(v);
	if ((misc & MISC_ENABLE_LIMIT_CPUID) && max_basic > 2)
		max_basic = 2;
	/* Intel CPUs answer a leaf above the basic or extended maximum as the
	 * highest basic leaf (SDM "CPUID"): the filtered one, here. */
	if ((leaf < 0x80000000u && leaf > max_basic) || (leaf >= 0x80000000u && leaf > max_ext))
		leaf = max_basic;
	cpuid_count(leaf, sub, &a, &b, &c, &d);
	switch (leaf) {
	case 1:
		/* APIC ID and logical count; no VMX, SMX, MONITOR, PDCM, DCA or
		 * PCID (not virtualized); no debug store (DTES64, DS-CPL):
		 * IA32_DS_AREA is not emulated; hypervisor present; x2APIC and
		 * TSC-deadline provided by the virtual LAPIC; OSXSAVE mirrors the
		 * guest's CR4. */
		b = (b & 0x0000ffffu) | (v->apic_id << 24) | ((v->vm->nvcpus & 0xff) << 16);
		c &= ~((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) |
		       (1u << 8) | (1u << 15) | (1u << 18) | (1u << 17) | (1u << 27));
		c |= (1u << 31) | (1u << 21) | (1u << 24);
		/* No MCE/MCA, MTRR, DS, ACPI thermal or TM: their MSRs are not
		 * emulated. HTT: the logical count above is valid. */
		d &= ~((1u << 7) | (1u << 12) | (1u << 14) | (1u << 21) | (1u << 22) | (1u << 29));
		d |= 1u << 28;
		/* A LAPIC disabled in IA32_APIC_BASE (EN, bit 11) makes the
		 * CPU "equivalent to one without an on-chip APIC": the APIC
		 * flag reads 0 (SDM 11.4.3). */
		uint64_t apic_base;
		if (vlapic_rdmsr(v, MSR_APIC_BASE, &apic_base) && !(apic_base & (1ull << 11)))
			d &= ~(1u << 9);
		if (backend->get_reg(v, VREG_CR4) & CR4_OSXSAVE)
			c |= 1u << 27;
		if (v->vm->cfg.no_rdrand)
			c &= ~(1u << 30);        /* RDRAND (rdrand=off) */
		break;
	case 5: case 0xA:                /* MONITOR, PMU */
		a = b = c = d = 0;
		break;
	case 6:
		/* Power management: only ARAT (the virtual LAPIC timer runs in
		 * every guest C-state), so Linux needs no PIT broadcast timer. */
		a = 1u << 2;
		b = c = d = 0;
		break;
	case 7:
		if (sub == 0) {
			/* One more subleaf at most (below). No SGX, TSC_ADJUST,
			 * RTM/HLE, MPX, PT; no PKU, WAITPKG, CET shadow stacks,
			 * Key Locker, SGX launch control, PKS: their state (PKRU,
			 * CET and PL*_SSP MSRs, ...) is not switched. */
			a = MIN(a, 1u);
			b &= ~((1u << 1) | (1u << 2) | (1u << 4) | (1u << 11) | (1u << 14) | (1u << 25));
			c &= ~((1u << 3) | (1u << 4) | (1u << 5) | (1u << 7) | (1u << 23) | (1u << 30) |
			       (1u << 31));
			/* No UINTR, PCONFIG, arch LBR, CET IBT, AMX (state not
			 * switched either), and no speculation-control MSRs
			 * (IBRS/IBPB, STIBP, L1D flush, ARCH_CAPABILITIES, core
			 * capabilities, SSBD). */
			d &= ~((1u << 5) | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 22) | (1u << 24) |
			       (1u << 25) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) |
			       (1u << 30) | (1u << 31));
			if (v->vm->cfg.no_rdrand)
				b &= ~(1u << 18); /* RDSEED (rdrand=off) */
		} else if (sub == 1) {
			/* Only plain instruction extensions: AVX-VNNI, AVX512_BF16,
			 * fast zero-length MOVSB, fast short STOSB and CMPSB. */
			a &= (1u << 4) | (1u << 5) | (1u << 10) | (1u << 11) | (1u << 12);
			b = c = d = 0;
		} else {
			a = b = c = d = 0;
		}
		break;
	case 0xB: case 0x1F:
		/* One thread per core, all vCPUs in one package. */
		if (sub == 0) {
			a = 0; b = 1; c = 0x100;
		} else if (sub == 1) {
			unsigned shift = 0;
			while ((1u << shift) < v->vm->nvcpus)
				shift++;
			a = shift; b = v->vm->nvcpus; c = 0x201;
		} else {
			a = b = 0; c = sub;
		}
		d = v->apic_id;
		break;
	case 0xD:
		/* XSAVE: only x87, SSE, AVX and AVX-512 state components; sizes
		 * computed for the guest's own XCR0, never the hardware's. */
		if (sub == 0) {
			a &= (uint32_t)GUEST_XCR0_MASK;
			d = 0;
			b = xsave_size(v->xcr0 & a, false);
			c = xsave_size(a, false);
		} else if (sub == 1) {
			/* No XSAVES, so no supervisor states (IA32_XSS stays 0);
			 * no XSAVEC where it is broken (fpu.c). */
			a &= ~(1u << 3);
			if (!fpu_xsavec_ok)
				a &= ~(1u << 1);
			b = xsave_size(v->xcr0, true);
			c = d = 0;
		} else if (sub >= 32 || !(((uint32_t)GUEST_XCR0_MASK >> sub) & 1)) {
			a = b = c = d = 0;
		}
		break;
	case 0x12: case 0x14:            /* SGX, processor trace */
		a = b = c = d = 0;
		break;
	case 0:
		a = max_basic;
		break;
	case 0x80000001:
		c &= ~(1u << 2);              /* no SVM */
		if (misc & MISC_ENABLE_XD_DISABLE)
			d &= ~(1u << 20);     /* NX */
		break;
	case 0x80000008:
		/* AMD's speculation-control bits, as leaf 7's on Intel: no
		 * PRED_CMD/SPEC_CTRL/VIRT_SPEC_CTRL MSRs, so no IBPB, IBRS,
		 * STIBP and their hints, SSBD, VIRT_SSBD, PSFD, IBPB_RET
		 * (EBX 12, 14-18, 24, 25, 28, 30: APM Vol. 3, E.4.7). */
		b &= ~((1u << 12) | (0x1fu << 14) | (3u << 24) | (1u << 28) | (1u << 30));
		break;
	}
	out[0] = a; out[1] = b; out[2] = c; out[3] = d;
}
