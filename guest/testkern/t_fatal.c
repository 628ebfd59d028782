/* Tests whose success is the end of the VM: the verdict comes from the host
 * (the hypervisor's "stopped" line, QEMU's exit), so each prints
 * `TEST <name> RUNNING` first and a FAIL line if it ever gets past the
 * fatal instruction. They must be last in test=. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define DEFAULT_OOB 0xC0000000u

/* oob: a read of guest-physical memory that is neither RAM nor a device.
 * lhv must stop the VM on the EPT violation rather than invent a value. */
enum verdict t_oob(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t addr = DEFAULT_OOB;
	param_hex("oob_addr", &addr);
	addr &= ~3u;
	for (unsigned i = 0; i < bootinfo.nregions; i++) {
		const struct mem_region *r = &bootinfo.regions[i];
		if (addr >= r->base && addr < r->base + r->len)
			return tk_skip("0x%x is in the memory map (type %u): not out of bounds",
				       addr, r->type);
	}
	if (addr >= 0xFEC00000u)
		return tk_skip("0x%x may be an APIC or firmware address", addr);
	tk_printf("INFO oob reading 0x%x\n", addr);
	tk_printf("TEST oob RUNNING\n");
	serial_drain();
	uint32_t got = *(volatile uint32_t *)addr;
	return tk_fail("access did not stop the VM (read 0x%x = 0x%x)", addr, got);
}

/* triple: an IDT with limit 0 turns int3 into #GP, then #DF, then a triple
 * fault (shutdown). lhv: "stopped reason=fault"; QEMU -no-reboot: exits. */
enum verdict t_triple(void)
{
	static const struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };
	tk_printf("TEST triple RUNNING\n");
	serial_drain();
	__asm__ volatile("lidt %0; int3" : : "m"(empty) : "memory");
	return tk_fail("int3 with an empty IDT returned");
}
