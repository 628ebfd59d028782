/* Hypervisor detection. CPUID.1:ECX[31] alone is not enough: QEMU TCG sets
 * it too and answers leaf 0x40000000 with its own "TCGTCGTCGTCG". So
 * "hypervisor leaves exist" means EAX of 0x40000000 is itself a 0x400000xx
 * leaf number, and "lhv's ABI" means the KVM signature on top of that.
 *
 * Command line `hv=1` says the run is under lhv: a missing ABI is then a
 * FAIL instead of a SKIP. `hv=0` forces bare behaviour (skip the
 * hypervisor-only tests even if detected). */
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tk.h"

static struct hv_info info;
static bool probed;

const struct hv_info *hv_info(void)
{
	if (probed)
		return &info;
	probed = true;
	info.bit = (cpuid(1, 0).ecx >> 31) & 1;
	if (!info.bit)
		return &info;
	struct cpuid_regs r = cpuid(0x40000000, 0);
	info.max_leaf = r.eax;
	info.leaves = (r.eax & 0xffffff00u) == 0x40000000u;
	memcpy(info.sig + 0, &r.ebx, 4);
	memcpy(info.sig + 4, &r.ecx, 4);
	memcpy(info.sig + 8, &r.edx, 4);
	info.sig[12] = '\0';
	info.kvm = info.leaves && r.eax >= 0x40000001u &&
		   !memcmp(info.sig, "KVMKVMKVM\0\0\0", 12);
	return &info;
}

enum verdict hv_require(void)
{
	const struct hv_info *h = hv_info();
	uint32_t want = 2; /* auto */
	param_u32("hv", &want);
	if (want == 0)
		return tk_skip("hv=0 given");
	if (h->kvm)
		return V_PASS;
	if (want == 1)
		return tk_fail("hv=1 but no KVM-compatible hypervisor (cpuid.1:ecx[31]=%u max=0x%x sig=\"%s\")",
			       h->bit, h->max_leaf, h->sig);
	if (!h->bit)
		return tk_skip("no hypervisor (cpuid.1:ecx[31] clear)");
	return tk_skip("not lhv: hypervisor signature \"%s\" (max leaf 0x%x)", h->sig,
		       h->max_leaf);
}
