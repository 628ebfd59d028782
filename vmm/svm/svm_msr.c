/* The permission maps every VMCB shares (APM 15.10, 15.11): every I/O
 * port is intercepted (the guest owns none), every MSR too except those
 * the guest may read and write without exits. vmm/emul/msr.c answers the
 * intercepted ones. */
#include "vmm/svm/svm.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "hw/x86.h"

static uint64_t msrpm, iopm;
static spinlock_t maps_lock = SPINLOCK_INIT;

/* What VMLOAD/VMSAVE switch (FS/GS base, KERNEL_GS_BASE, the syscall MSRs
 * live in the VMCB), and TSC_AUX, switched at load/put: the same set the
 * VT-x backend passes through. */
static const uint32_t passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
};

/* Two bits per MSR, read then write, in three 2 KiB ranges (APM 15.11). */
static void allow(uint8_t *pm, uint32_t msr)
{
	uint32_t base = msr >= 0xC0010000 ? 0x1000 : msr >= 0xC0000000 ? 0x800 : 0;
	uint32_t bit = (msr & 0x1fff) * 2;
	pm[base + bit / 8] &= (uint8_t)~(3u << (bit % 8));
}

static void maps_once(void)
{
	uint64_t f = spin_lock_irqsave(&maps_lock);
	if (!msrpm) {
		/* 8 KiB and 12 KiB, physically contiguous, page aligned. */
		uint64_t m = page_alloc_contig(2), io = page_alloc_contig(3);
		if (!m || !io)
			panic("out of memory for the SVM permission maps");
		memset(phys_to_virt(m), 0xff, 2 * PAGE_SIZE);
		memset(phys_to_virt(io), 0xff, 3 * PAGE_SIZE);
		for (unsigned i = 0; i < ARRAY_SIZE(passthrough); i++)
			allow(phys_to_virt(m), passthrough[i]);
		if (svm_cfg.rdtscp)
			allow(phys_to_virt(m), MSR_TSC_AUX);
		iopm = io;
		__atomic_store_n(&msrpm, m, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&maps_lock, f);
}

uint64_t svm_msrpm_pa(void)
{
	maps_once();
	return msrpm;
}

uint64_t svm_iopm_pa(void)
{
	maps_once();
	return iopm;
}
