/* cpuid: basic leaves are sane; where hypervisor leaves exist they carry
 * the KVM signature lhv promises (so stock Linux uses its paravirt paths). */
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

enum verdict t_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];
	memcpy(vendor + 0, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (r.eax < 1)
		return tk_fail("max basic leaf %u < 1", r.eax);
	if (!vendor[0])
		return tk_fail("empty vendor string");
	for (int i = 0; i < 12 && vendor[i]; i++)
		if (vendor[i] < 0x20 || vendor[i] > 0x7e)
			return tk_fail("vendor string has byte 0x%x", (unsigned char)vendor[i]);

	struct cpuid_regs l1 = cpuid(1, 0);
	tk_printf("INFO cpuid max=0x%x vendor=\"%s\" 1.eax=0x%x 1.ecx=0x%x 1.edx=0x%x\n",
		  r.eax, vendor, l1.eax, l1.ecx, l1.edx);

	const struct hv_info *h = hv_info();
	uint32_t want = 2;
	param_u32("hv", &want);
	tk_printf("INFO cpuid hypervisor-bit=%u max-hv-leaf=0x%x sig=\"%s\"\n", h->bit,
		  h->max_leaf, h->sig);
	/* hv=0: bare by decree. Auto: only a KVM signature makes this lhv (QEMU
	 * TCG answers "TCGTCGTCGTCG"), so only then is the leaf checked. hv=1:
	 * everything lhv promises must be there. */
	if (want == 0 || (want != 1 && !h->kvm)) {
		if (h->leaves)
			tk_printf("INFO cpuid not lhv (signature \"%s\"); give hv=1 under lhv\n",
				  h->sig);
		return V_PASS;
	}
	if (!h->bit)
		return tk_fail("hv=1 but cpuid.1:ecx[31] is clear");
	if (!h->leaves)
		return tk_fail("hv=1 but leaf 0x40000000 answers eax=0x%x", h->max_leaf);
	if (h->max_leaf < 0x40000001u)
		return tk_fail("max hypervisor leaf 0x%x < 0x40000001", h->max_leaf);
	if (memcmp(h->sig, "KVMKVMKVM\0\0\0", 12))
		return tk_fail("hypervisor signature \"%s\" is not KVMKVMKVM", h->sig);
	return V_PASS;
}
