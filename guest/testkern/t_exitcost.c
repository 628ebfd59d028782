/* exitcost: the length of an exit round trip, in TSC ticks seen by the
 * guest, for three exits every backend must take: CPUID (leaf 0), an echo
 * hypercall with the CPU's own instruction (VMCALL, on AMD CPUs VMMCALL)
 * and an IN from the UART's scratch register. Under Bochs the TSC
 * advances about one tick per emulated instruction, so the figures count
 * the hypervisor's instructions per exit and repeat exactly; `make bench`
 * records them (docs/benchmarks.md). Each figure is the minimum over ROUNDS
 * (the first round also warms the hypervisor's paths). Prints
 *   EXITCOST cpuid=<ticks> vmcall=<ticks> in=<ticks>
 * and fails when a round trip takes no time at all (no exit happened: the
 * hypervisor would not be in the path). */
#include "guest/testkern/arch.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define ROUNDS 32
#define HC_ECHO 0x4C480001u
#define COM1_SCR 0x3ff

static uint32_t rt_cpuid(void)
{
	uint32_t a = 0, b, c = 0, d;
	uint64_t t0 = rdtsc();
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (uint32_t)(rdtsc() - t0);
}

static uint32_t rt_vmcall(void)
{
	uint32_t a = HC_ECHO, b = 1;
	uint64_t t0 = rdtsc();
	__asm__ volatile("vmcall" : "+a"(a), "+b"(b) : : "ecx", "edx", "esi", "memory");
	return (uint32_t)(rdtsc() - t0);
}

static uint32_t rt_vmmcall(void)
{
	uint32_t a = HC_ECHO, b = 1;
	uint64_t t0 = rdtsc();
	__asm__ volatile("vmmcall" : "+a"(a), "+b"(b) : : "ecx", "edx", "esi", "memory");
	return (uint32_t)(rdtsc() - t0);
}

static uint32_t rt_in(void)
{
	uint64_t t0 = rdtsc();
	(void)inb(COM1_SCR);
	return (uint32_t)(rdtsc() - t0);
}

static uint32_t best(uint32_t (*fn)(void))
{
	uint32_t m = ~0u;
	for (unsigned i = 0; i < ROUNDS; i++) {
		uint32_t t = fn();
		if (t < m)
			m = t;
	}
	return m;
}

enum verdict t_exitcost(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t c = best(rt_cpuid), h = best(cpu_is_amd() ? rt_vmmcall : rt_vmcall), i = best(rt_in);
	tk_printf("EXITCOST cpuid=%u vmcall=%u in=%u\n", c, h, i);
	if (!c || !h || !i)
		return tk_fail("a round trip took 0 ticks: cpuid=%u vmcall=%u in=%u", c, h, i);
	return V_PASS;
}
