/* Entry from entry.S: read the command line, run the `test=` list in order,
 * print one verdict line per test and a summary, exit through port 0xf4. */
#include "guest/testkern/arch.h"
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/idt.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

/* isa-debug-exit (QEMU) and the lhv exit port: a 32-bit write of V stops the
 * machine (QEMU exit status (V << 1) | 1). */
#define EXIT_PORT 0xf4

/* Without test=: the tests that need no parameters and cannot stop the VM. */
#define DEFAULT_TESTS "selftest,cpuid,apic,pio,msr,hlt,vmcall"

static const struct {
	const char *name;
	enum verdict (*fn)(void);
} tests[] = {
	{ "cpuid", t_cpuid }, { "apic", t_apic },     { "hlt", t_hlt },
	{ "pio", t_pio },     { "msr", t_msr },       { "vmcall", t_vmcall },
	{ "smp", t_smp },     { "mem", t_mem },       { "oob", t_oob },
	{ "triple", t_triple }, { "spin", t_spin },   { "selftest", t_self },
	{ "exitcost", t_exitcost },
	{ "pvcpuid", t_pvcpuid }, { "hcall", t_hcall },   { "kick", t_kick },
	{ "pvyield", t_pvyield }, { "pvipi", t_pvipi },   { "steal", t_steal },
	{ "preempt", t_preempt }, { "kicklat", t_kicklat },
	/* Hostile tests (docs/testkern.md "Hostile tests"). */
	{ "cr4", t_cr4 },     { "cr0", t_cr0 },       { "dr", t_dr },
	{ "xsetbv", t_xsetbv }, { "pku", t_pku },     { "insn", t_insn },
	{ "cpuid_sweep", t_cpuid_sweep }, { "msr_sweep", t_msr_sweep },
	{ "msr_canon", t_msr_canon }, { "tsc_write", t_tsc_write }, { "pvmsr", t_pvmsr },
	{ "misc_enable", t_misc_enable }, { "fault_rf", t_fault_rf },
	{ "cpuid_msrs", t_cpuid_msrs }, { "db_step", t_db_step },
	{ "acpi", t_acpi },
	{ "port_sweep", t_port_sweep }, { "mmio", t_mmio }, { "mmio_bad", t_mmio_bad },
	{ "ipi", t_ipi },     { "esr", t_esr },       { "x2apic", t_x2apic },
	{ "lapic_timer", t_lapic_timer }, { "pit", t_pit }, { "ioapic", t_ioapic },
	{ "initsipi", t_initsipi }, { "sipi_storm", t_sipi_storm }, { "realmode", t_realmode },
	{ "pae", t_pae },     { "task", t_task },
	{ "triple_all", t_triple_all }, { "poweroff_storm", t_poweroff_storm },
	{ "lhp", t_lhp },         { "lock", t_lock },
	{ "irqonce", t_irqonce },
};

/* test=hostile: the hostile tests that come back, in an order that works
 * on one VM (ioapic needs AP 1 never started before it; the ones that
 * restart APs come last). */
#define HOSTILE_TESTS "cr4,cr0,dr,db_step,xsetbv,pku,insn,fault_rf,cpuid_sweep,msr_sweep,msr_canon,misc_enable,cpuid_msrs,pvmsr," \
	"acpi,port_sweep,mmio,esr,x2apic,lapic_timer,pit,pae,task,ioapic,initsipi,realmode,ipi," \
	"tsc_write,sipi_storm"

const char *tk_current_test;
static char reason[200];

enum verdict tk_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tk_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return V_FAIL;
}

enum verdict tk_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tk_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return V_SKIP;
}

NORETURN void tk_exit(uint32_t code)
{
	serial_drain();
	outl(EXIT_PORT, code);
	/* No exit device: stop here for good. */
	for (;;)
		__asm__ volatile("cli; hlt");
}

static enum verdict run_one(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++) {
		if (!strcmp(tests[i].name, name)) {
			reason[0] = '\0';
			tk_current_test = name;
			enum verdict v = tests[i].fn();
			tk_current_test = NULL;
			return v;
		}
	}
	return tk_fail("unknown test");
}

void kmain(uint32_t magic, uint32_t mbi);
void kmain(uint32_t magic, uint32_t mbi)
{
	if (!bootinfo_init(magic, mbi)) {
		tk_printf("TESTKERN bad multiboot magic 0x%x\n", magic);
		tk_exit(1);
	}
	idt_init();
	/* The kernel takes interrupts only from the local APIC; bare, the
	 * firmware may leave the 8259s unmasked (IRQ0 at vector 8 would look
	 * like a double fault). */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	tk_printf("TESTKERN START cmdline=\"%s\"\n", bootinfo.cmdline);

	char list[512];
	if (!param_str("test", list, sizeof(list)))
		memcpy(list, DEFAULT_TESTS, sizeof(DEFAULT_TESTS));
	if (!strcmp(list, "hostile"))
		memcpy(list, HOSTILE_TESTS, sizeof(HOSTILE_TESTS));

	unsigned n[3] = { 0, 0, 0 };
	char *p = list;
	while (*p) {
		char *name = p;
		while (*p && *p != ',')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*name)
			continue;
		enum verdict v = run_one(name);
		n[v]++;
		if (v == V_PASS)
			tk_printf("TEST %s PASS\n", name);
		else
			tk_printf("TEST %s %s %s\n", name, v == V_FAIL ? "FAIL" : "SKIP",
				  reason[0] ? reason : "(no reason)");
	}
	tk_printf("TESTKERN DONE pass=%u fail=%u skip=%u\n", n[V_PASS], n[V_FAIL],
		  n[V_SKIP]);
	tk_exit(n[V_FAIL] ? 1 : 0);
}
