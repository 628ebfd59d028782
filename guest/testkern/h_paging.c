/* pae: 32-bit PAE paging, which keeps its four page-directory pointers in
 * the CPU (SDM 4.4.1). Turning it on must load them (with EPT the
 * hypervisor has to: issue 14 defect 7, a legal PAE guest triple-faulted);
 * a PDPTE with a reserved bit makes the MOV to CR0 #GP with nothing
 * changed. Identity map of the low 4 GiB with 2 MiB pages, device memory
 * uncached; a device read through it goes through the hypervisor's walk
 * of PAE tables. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/hostile.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"

#define PTE_P   1ull
#define PTE_RW  2ull
#define PTE_PWT 8ull
#define PTE_PCD 0x10ull
#define PTE_PS  0x80ull
#define CR0_PG  (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)

static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static volatile uint32_t probe;

static void build(void)
{
	for (unsigned i = 0; i < 4; i++) {
		pdpt[i] = (uint32_t)pd[i] | PTE_P;
		for (unsigned j = 0; j < 512; j++) {
			uint64_t a = ((uint64_t)i << 30) | ((uint64_t)j << 21);
			pd[i][j] = a | PTE_P | PTE_RW | PTE_PS | (i == 3 ? PTE_PCD | PTE_PWT : 0);
		}
	}
}

enum verdict t_pae(void)
{
	if (!cpuid_bit(1, 3, 6))
		return tk_skip("no PAE");
	struct fails f = { 0 };
	uint32_t cr0 = read_cr0(), cr4 = read_cr4();
	if (cr0 & CR0_PG)
		return tk_skip("paging is already on");
	build();
	__asm__ volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
	if (write_cr4_safe(cr4 | CR4_PAE) != NOFAULT)
		return tk_fail("CR4.PAE refused");
	int vec = write_cr0_safe(cr0 | CR0_PG);
	if (vec != NOFAULT) {
		write_cr4_safe(cr4);
		return tk_fail("enabling PAE paging: vector %d", vec);
	}
	/* Paging on: RAM, a device (the walk of PAE tables by the MMIO
	 * emulation), a CR3 reload, CR4.PGE toggled under PAE paging. */
	probe = 0x5aa5f00f;
	if (probe != 0x5aa5f00f)
		fail_note(&f, "RAM through PAE paging reads 0x%x", probe);
	uint32_t ver = lapic_read(LAPIC_VERSION);
	if ((ver & 0xf0) != 0x10)
		fail_note(&f, "LAPIC version 0x%x through PAE paging", ver);
	__asm__ volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
	if (cpuid_bit(1, 3, 13)) {
		if ((vec = write_cr4_safe(cr4 | CR4_PAE | CR4_PGE)) != NOFAULT)
			fail_note(&f, "CR4.PGE under PAE paging: vector %d", vec);
		write_cr4_safe(cr4 | CR4_PAE);
	}
	if (probe != 0x5aa5f00f)
		fail_note(&f, "RAM after CR3/CR4 reloads reads 0x%x", probe);
	write_cr0_safe(cr0);
	/* A present PDPTE with reserved bit 1 set: the MOV to CR0 faults and
	 * paging stays off. QEMU TCG loads PDPTEs lazily and does not fault. */
	if (tk_is_lhv()) {
		pdpt[1] |= 2;
		__asm__ volatile("mov %0, %%cr3" : : "r"(pdpt) : "memory");
		vec = write_cr0_safe(cr0 | CR0_PG);
		if (vec != 13)
			fail_note(&f, "PAE paging with a reserved PDPTE bit: vector %d, want #GP", vec);
		if (read_cr0() & CR0_PG) {
			write_cr0_safe(cr0);
			fail_note(&f, "paging went on with a bad PDPTE");
		}
		pdpt[1] &= ~2ull;
	}
	write_cr4_safe(cr4);
	return fail_verdict(&f);
}
