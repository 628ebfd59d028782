/* selftest: the kernel's own fault recovery (idt.h FIXUP), which the msr and
 * vmcall tests rely on but which bare QEMU TCG never exercises there (its
 * unknown MSRs do not fault). #UD from ud2, #GP from a bad selector. */
#include "guest/testkern/idt.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

enum verdict t_self(void)
{
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("ud2") ::: "memory");
	if (tk_fault_vector != VEC_UD)
		return tk_fail("ud2: caught vector %d, want %d", tk_fault_vector, VEC_UD);

	/* Selector 0x1230 is far past the GDT limit: loading it into DS faults
	 * before DS changes, so DS stays the flat data segment. */
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP("movw %w0, %%ds") : : "r"(0x1230) : "memory");
	if (tk_fault_vector != VEC_GP)
		return tk_fail("bad selector: caught vector %d, want %d", tk_fault_vector,
			       VEC_GP);
	return V_PASS;
}
