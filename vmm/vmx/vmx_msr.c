/* The MSR bitmap: which MSRs the guest reads and writes without exits
 * (SDM 25.6.9). Every other MSR access exits and vmm/emul/msr.c answers. */
#include "vmm/vmx/vmx.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/log.h"

static uint64_t msr_bitmap;
static spinlock_t bitmap_lock = SPINLOCK_INIT;

/* MSRs the guest reads and writes without exits: the VMCS switches FS/GS
 * base, and the syscall MSRs stay loaded while the vCPU is (vmx_vcpu.c). */
static const uint32_t passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
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
			clear_bit(bm, MSR_TSC_AUX);
	}
	spin_unlock_irqrestore(&bitmap_lock, f);
	return msr_bitmap;
}
