/* apic: the xAPIC registers a guest kernel reads first look sane. */
#include "guest/testkern/arch.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

enum verdict t_apic(void)
{
	uint32_t id = lapic_id();
	uint32_t cpuid_id = cpuid(1, 0).ebx >> 24;
	uint32_t ver = lapic_read(LAPIC_VERSION);
	tk_printf("INFO apic id=%u version=0x%x maxlvt=%u\n", id, ver & 0xff,
		  (ver >> 16) & 0xff);
	if (id != cpuid_id)
		return tk_fail("APIC ID %u != CPUID.1:EBX[31:24] %u", id, cpuid_id);
	/* 0x10..0x1f: integrated APIC (anything else is a 82489DX or junk). */
	if ((ver & 0xf0) != 0x10)
		return tk_fail("version register 0x%x: not an integrated APIC", ver);

	lapic_enable();
	uint32_t svr = lapic_read(LAPIC_SVR);
	if ((svr & 0x1ff) != 0x1ff)
		return tk_fail("SVR wrote 0x1ff read 0x%x", svr);

	static const uint32_t tprs[] = { 0x20, 0xf0, 0x00 };
	for (unsigned i = 0; i < ARRAY_SIZE(tprs); i++) {
		lapic_write(LAPIC_TPR, tprs[i]);
		uint32_t got = lapic_read(LAPIC_TPR) & 0xff;
		if (got != tprs[i]) {
			lapic_write(LAPIC_TPR, 0);
			return tk_fail("TPR wrote 0x%x read 0x%x", tprs[i], got);
		}
	}
	return V_PASS;
}
