/* MSRs that VT-x keeps in the VMCS or passes through, and the MSR bitmap. */
#include "vmm/vmx/vmx.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/log.h"

static uint64_t msr_bitmap;
static spinlock_t bitmap_lock = SPINLOCK_INIT;

/* MSRs the guest reads and writes without exits: the VMCS switches FS/GS
 * base, and the syscall MSRs stay loaded while the vCPU is (vmx_vcpu.c). */
static const uint32_t passthrough[] = {
	0xC0000100, 0xC0000101, 0xC0000102,                 /* FS, GS, KERNEL_GS base */
	0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084,     /* STAR LSTAR CSTAR SFMASK */
};

static void clear_bit(uint8_t *bm, uint32_t msr)
{
	/* SDM 25.6.9: read-low at 0, read-high at 1 KiB, write-low at 2 KiB,
	 * write-high at 3 KiB; low = 0-0x1fff, high = 0xc0000000-0xc0001fff. */
	unsigned base = (msr >= 0xC0000000) ? 1024 : 0;
	uint32_t idx = msr & 0x1fff;
	bm[base + idx / 8] &= (uint8_t)~(1u << (idx % 8));
	bm[base + 2048 + idx / 8] &= (uint8_t)~(1u << (idx % 8));
}

uint64_t vmx_msr_bitmap_page(void)
{
	uint64_t f = spin_lock_irqsave(&bitmap_lock);
	if (!msr_bitmap) {
		msr_bitmap = page_alloc_contig(1);
		if (!msr_bitmap)
			panic("out of memory for the MSR bitmap");
		uint8_t *bm = phys_to_virt(msr_bitmap);
		memset(bm, 0xff, PAGE_SIZE);
		for (unsigned i = 0; i < ARRAY_SIZE(passthrough); i++)
			clear_bit(bm, passthrough[i]);
		if (vmx_cfg.features & VMX_FEAT_RDTSCP)
			clear_bit(bm, 0xC0000103);                 /* TSC_AUX */
	}
	spin_unlock_irqrestore(&bitmap_lock, f);
	return msr_bitmap;
}

#define MSR_SYSENTER_CS  0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_DEBUGCTL     0x1D9
#define MSR_PAT_NR       0x277
#define MSR_EFER_NR      0xC0000080

bool vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_SYSENTER_CS: *val = vmread(VMCS_GUEST_IA32_SYSENTER_CS); return true;
	case MSR_SYSENTER_ESP: *val = vmread(VMCS_GUEST_IA32_SYSENTER_ESP); return true;
	case MSR_SYSENTER_EIP: *val = vmread(VMCS_GUEST_IA32_SYSENTER_EIP); return true;
	case MSR_DEBUGCTL: *val = 0; return true;
	case MSR_PAT_NR: *val = vmread(VMCS_GUEST_IA32_PAT); return true;
	case MSR_EFER_NR: *val = to_vmx(v)->efer; return true;
	}
	return false;
}

static bool pat_valid(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

/* Returns true if the MSR is the backend's; *gp set when the write faults. */
bool vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, bool *gp)
{
	struct vmx_vcpu *x = to_vmx(v);
	*gp = false;
	switch (msr) {
	case MSR_SYSENTER_CS: vmwrite(VMCS_GUEST_IA32_SYSENTER_CS, val); return true;
	case MSR_SYSENTER_ESP: vmwrite(VMCS_GUEST_IA32_SYSENTER_ESP, val); return true;
	case MSR_SYSENTER_EIP: vmwrite(VMCS_GUEST_IA32_SYSENTER_EIP, val); return true;
	case MSR_DEBUGCTL: *gp = val != 0; return true;   /* no branch tracing for guests */
	case MSR_PAT_NR:
		if (!pat_valid(val))
			*gp = true;
		else
			vmwrite(VMCS_GUEST_IA32_PAT, val);
		return true;
	case MSR_EFER_NR: {
		/* SCE, LME, NXE are the guest's; LMA follows CR0.PG (vmx_write_cr0). */
		const uint64_t allowed = 0x001 | 0x100 | 0x800;
		if (val & ~(allowed | 0x400)) {
			*gp = true;
			return true;
		}
		bool paging = vmx_guest_cr0(v) & VMX_CR0_PG;
		if (paging && ((val ^ x->efer) & 0x100)) {
			*gp = true;             /* LME may not change with paging on */
			return true;
		}
		x->efer = (val & allowed) | (x->efer & 0x400);
		vmwrite(VMCS_GUEST_IA32_EFER, x->efer);
		return true;
	}
	}
	return false;
}
