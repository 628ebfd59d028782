/* Thin wrappers around the x86 instructions the test kernel needs.
 * 32-bit protected mode, paging off: every pointer is a physical address. */
#ifndef TK_ARCH_H
#define TK_ARCH_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/* An AMD CPU (its hypercall instruction is VMMCALL, not VMCALL). */
static inline int cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163; /* AuthenticAMD */
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Atomic fetch-and-add with an explicit `lock xadd` (the SMP test is about
 * exactly this instruction, so do not leave the choice to the compiler). */
static inline uint32_t atomic_xadd(volatile uint32_t *p, uint32_t v)
{
	__asm__ volatile("lock xaddl %0, %1" : "+r"(v), "+m"(*p) : : "memory");
	return v;
}

/* MMIO (LAPIC) accesses always use these two instruction forms, 32-bit
 * `mov` with the address in a register (8B /r and 89 /r), so a hypervisor
 * that decodes the exiting instruction needs to know no others. */
static inline uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

#endif
