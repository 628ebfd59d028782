/* lhv's hypercalls from a Linux guest's user space (docs/hypercalls.md):
 * the number in RAX, arguments in RBX, RCX, RDX, RSI, the result in RAX;
 * VMMCALL on AMD (and Hygon) CPUs, VMCALL elsewhere, KVM's convention.
 * The VM's module line must open the call's group to user space
 * (user_hc=). Shared by lhvagent and lhvballoon. */
#ifndef LHV_HC_H
#define LHV_HC_H
#include <cpuid.h>
#include <stdint.h>
#include <string.h>

static int lhv_hc_amd;  /* set by lhv_hc_init() */

/* Choose the instruction by the CPU's vendor. */
static inline void lhv_hc_init(void)
{
	unsigned a, b, c, d;
	char vendor[13];
	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	lhv_hc_amd = !strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine");
}

static inline long lhv_hc(uint32_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	long ret;
	if (lhv_hc_amd)
		__asm__ volatile("vmmcall" : "=a"(ret) : "a"((uint64_t)nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(ret) : "a"((uint64_t)nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3) : "memory");
	return ret;
}
#endif
