/* Helpers of the hostile tests (h_*.c, docs/testkern.md "Hostile tests"):
 * instructions that may fault, run through the fixup table (idt.h), each
 * returning the vector it raised or -1. */
#ifndef TK_HOSTILE_H
#define TK_HOSTILE_H
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/tk.h"

#define NOFAULT (-1)
#define VEC_DB 1
#define VEC_NM 7
#define VEC_DF 8
#define VEC_TS 10
#define VEC_NP 11

static inline int rdmsr_safe(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return tk_fault_vector;
}

static inline int wrmsr_safe(uint32_t msr, uint64_t val)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("wrmsr")
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return tk_fault_vector;
}

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline int write_cr0_safe(uint32_t v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("mov %0, %%cr0") : : "r"(v) : "memory");
	return tk_fault_vector;
}

static inline int write_cr4_safe(uint32_t v)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("mov %0, %%cr4") : : "r"(v) : "memory");
	return tk_fault_vector;
}

static inline int xsetbv_safe(uint32_t index, uint64_t val)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("xsetbv")
			 : : "c"(index), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return tk_fault_vector;
}

static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

/* Does CPUID leaf (sub 0) have bit `bit` of register r (0 EAX .. 3 EDX)? */
static inline bool cpuid_bit(uint32_t leaf, unsigned r, unsigned bit)
{
	uint32_t max = cpuid(leaf & 0x80000000u, 0).eax;
	if (leaf > max)
		return false;
	struct cpuid_regs c = cpuid(leaf, 0);
	uint32_t v = r == 0 ? c.eax : r == 1 ? c.ebx : r == 2 ? c.ecx : c.edx;
	return (v >> bit) & 1;
}

/* Is this lhv (hv=1 or the KVM signature)? Checks of lhv's own choices
 * (where an emulator used as reference differs from the SDM) run only
 * then. */
bool tk_is_lhv(void);

/* Failures collected by a test: the first one's text is kept, the count
 * of all of them reported. */
struct fails {
	unsigned n;
	char first[160];
};
void fail_note(struct fails *f, const char *fmt, ...) PRINTF_LIKE(2, 3);
enum verdict fail_verdict(const struct fails *f);

#endif
