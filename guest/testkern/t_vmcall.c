/* vmcall: the KVM hypercall convention in a 32-bit guest: number in EAX,
 * arguments in EBX ECX EDX ESI, result in EAX, every other register kept.
 * VMCALL everywhere (on AMD-V the hypervisor turns its #UD into the call,
 * as KVM does), and on AMD CPUs VMMCALL too. */
#include "guest/testkern/arch.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define HC_ECHO 0x4C480001u     /* returns EBX + 1 */
#define HC_UNKNOWN 0x4C48FFFFu  /* not a hypercall number lhv knows */
#define KVM_ENOSYS_RET 0xFFFFFC18u /* -1000 */

struct hc {
	bool amd;                /* VMMCALL instead of VMCALL */
	uint32_t nr, b, c, d, s; /* in */
	uint32_t ret;            /* out: EAX */
	uint32_t ob, oc, od, os; /* out: EBX ECX EDX ESI after the call */
	int fault;               /* vector, or -1 */
};

static void do_vmcall(struct hc *h)
{
	uint32_t a = h->nr, b = h->b, c = h->c, d = h->d, s = h->s;
	tk_fault_vector = -1;
	if (h->amd)
		__asm__ volatile(FIXUP("vmmcall")
				 : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s) : : "memory");
	else
		__asm__ volatile(FIXUP("vmcall")
				 : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s) : : "memory");
	h->ret = a;
	h->ob = b, h->oc = c, h->od = d, h->os = s;
	h->fault = tk_fault_vector;
}

static enum verdict call(bool amd, uint32_t nr, uint32_t b, uint32_t want)
{
	/* distinct values in the argument registers to see them preserved */
	struct hc h = { amd, nr, b, 0x11111111, 0x22222222, 0x33333333, 0, 0, 0, 0, 0, -1 };
	const char *insn = amd ? "vmmcall" : "vmcall";
	do_vmcall(&h);
	if (h.fault >= 0)
		return tk_fail("%s nr=0x%x raised vector %d", insn, nr, h.fault);
	if (h.ret != want)
		return tk_fail("%s nr=0x%x ebx=0x%x returned 0x%x, want 0x%x", insn, nr, b,
			       h.ret, want);
	if (h.ob != h.b || h.oc != h.c || h.od != h.d || h.os != h.s)
		return tk_fail("%s nr=0x%x clobbered ebx/ecx/edx/esi: %x %x %x %x", insn, nr,
			       h.ob, h.oc, h.od, h.os);
	return V_PASS;
}

static enum verdict calls(bool amd)
{
	enum verdict v;
	static const uint32_t args[] = { 0, 1, 41, 0x7fffffff, 0xfffffffe, 0xffffffff };
	for (unsigned i = 0; i < ARRAY_SIZE(args); i++)
		if ((v = call(amd, HC_ECHO, args[i], args[i] + 1)) != V_PASS)
			return v;
	if ((v = call(amd, HC_UNKNOWN, 5, KVM_ENOSYS_RET)) != V_PASS)
		return v;
	/* far from KVM's small numbers, which lhv may come to implement */
	return call(amd, 0x7fffffff, 5, KVM_ENOSYS_RET);
}

enum verdict t_vmcall(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	if ((v = calls(false)) != V_PASS || !cpu_is_amd())
		return v;
	return calls(true);
}
