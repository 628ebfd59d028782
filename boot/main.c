/* boot_main: from the loader's hand-off to every pCPU online ("HV READY"). */
#include "boot/boot_defs.h"
#include "boot/mb2.h"
#include "boot/pvh.h"
#include "boot/smp.h"
#include "core/cmdline.h"
#include "core/stack.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "hw/acpi.h"
#include "hw/lapic.h"
#include "hw/power.h"
#include "hw/tsc.h"
#include "hw/uart.h"
#include "hw/x86.h"
#include "vmm/vmm.h"
#include "vmm/obs/trace.h"

void boot_main(uint32_t kind, uint64_t info);

static struct boot_info bootinfo;

/* Options of the hypervisor command line (docs/console.md lists them). */
static struct {
	char loglevel[8];
	uint64_t maxcpus;
	uint64_t tsc_khz;
	bool debug_fault;
	bool debug_stack;
} opt = { "info", MAX_PCPUS, 0, false, false };

static const struct opt_desc hv_opts[] = {
	{ "loglevel", OPT_STR, opt.loglevel, sizeof(opt.loglevel), 0, 0, NULL },
	{ "maxcpus", OPT_U64, &opt.maxcpus, 0, 1, MAX_PCPUS, NULL },
	{ "tsc_khz", OPT_U64, &opt.tsc_khz, 0, 1000, 100000000, NULL },
	{ "sched", OPT_STR, vmm_sched_name, sizeof(vmm_sched_name), 0, 0, NULL },
	{ "debug_fault", OPT_BOOL, &opt.debug_fault, 0, 0, 0, NULL },
	{ "debug_stack", OPT_BOOL, &opt.debug_stack, 0, 0, 0, NULL },
	{ "trace", OPT_BOOL, &trace_opt, 0, 0, 0, NULL },
};

static void warn_option(void *ctx, const char *msg)
{
	/* <policy>.<knob>=<value> words are the scheduler's: vmm_start hands
	 * them to the framework, which judges them (HV ERROR). */
	static const char unknown[] = "unknown option '";
	if (!strncmp(msg, unknown, sizeof(unknown) - 1)) {
		for (const char *k = msg + sizeof(unknown) - 1; *k && *k != '=' && *k != '\''; k++)
			if (*k == '.')
				return;
	}
	pr_warn("cmdline: %s (ignored)", msg);
}

static void parse_cmdline(const char *line)
{
	pr_info("cmdline: '%s'", line);
	cmdline_apply(line, hv_opts, ARRAY_SIZE(hv_opts), warn_option, NULL, NULL);
	static const char *const levels[] = { "err", "warn", "info", "debug" };
	for (unsigned i = 0; i < ARRAY_SIZE(levels); i++) {
		if (!strcmp(opt.loglevel, levels[i])) {
			log_threshold = (enum log_level)i;
			return;
		}
	}
	pr_warn("cmdline: bad value for 'loglevel': '%s' (expected err, warn, info or debug; ignored)",
		opt.loglevel);
}

void cpu_common_init(void)
{
	uint32_t a, b, c, d;
	/* CR0.NE is required in VMX operation; the FPU is for guests only. */
	write_cr0((read_cr0() | CR0_NE | CR0_MP) & ~(uint64_t)(CR0_EM | CR0_TS));
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	cpuid(1, &a, &b, &c, &d);
	if (c & (1u << 26))
		cr4 |= CR4_OSXSAVE;
	write_cr4(cr4);
	cpuid(0x80000001, &a, &b, &c, &d);
	if (d & (1u << 20))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
}

static const void *pvh_map(void *ctx, uint64_t phys, size_t len)
{
	if (!phys || phys + len < phys || phys + len > GiB(4))
		return NULL;
	return (const void *)phys;
}

static bool parse_boot_info(uint32_t kind, uint64_t info)
{
	char err[160];
	int r;
	switch (kind) {
	case BOOT_KIND_MB2: {
		uint32_t total = *(const uint32_t *)info;
		r = mb2_parse((const void *)info, total, info, &bootinfo, err, sizeof(err));
		break;
	}
	case BOOT_KIND_PVH:
		r = pvh_parse((const void *)info, pvh_map, NULL, info, &bootinfo, err, sizeof(err));
		break;
	default:
		hv_error("not started by a multiboot2 or PVH loader");
		return false;
	}
	if (r < 0) {
		hv_error("bad boot information: %s", err);
		return false;
	}
	return true;
}

static void log_modules(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nmods; i++)
		pr_info("module: %#llx-%#llx '%s'", (unsigned long long)bi->mods[i].start,
			(unsigned long long)bi->mods[i].end, bi->mods[i].cmdline);
	if (bi->dropped_mods)
		hv_error("%u modules beyond the first %u ignored", bi->dropped_mods, BOOT_MAX_MODULES);
}

void boot_main(uint32_t kind, uint64_t info)
{
	tsc_boot = rdtsc();
	stack_paint_boot();
	uart_init();
	pr_info("lhv: research hypervisor starting (%s)",
		kind == BOOT_KIND_MB2 ? "multiboot2" : kind == BOOT_KIND_PVH ? "pvh" : "unknown loader");
	if (!parse_boot_info(kind, info))
		machine_poweroff();
	pr_info("loader: %s", bootinfo.loader);

	mm_init(&bootinfo);
	idt_init();
	pcpus[0].id = 0;
	cpu_tables_init(&pcpus[0]);
	log_set_gs_ready();
	cpu_common_init();
	npcpus = 1;
	parse_cmdline(bootinfo.cmdline);
	log_modules(&bootinfo);

	if (!acpi_init(&bootinfo))
		machine_poweroff();
	/* The hypervisor uses only the local APIC: mask both 8259s so legacy
	 * timer interrupts cannot arrive through the virtual-wire path. */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	lapic_init();
	pcpus[0].apic_id = lapic_id();
	pcpus[0].online = true;
	tsc_calibrate(&acpi, opt.tsc_khz);
	lapic_timer_calibrate();
	pr_info("online apic_id=%u (boot processor, %s, timer %s)", pcpus[0].apic_id,
		lapic_is_x2apic() ? "x2apic" : "xapic", lapic_timer_mode());

	smp_boot((unsigned)opt.maxcpus);
	hv_contract("READY pcpus=%u", npcpus);
	if (opt.debug_fault) {
		/* Exercise the exception path (tests/boot/panic.sh): nothing is
		 * mapped at 512 GiB, so this write page-faults. */
		pr_info("debug_fault: writing to an unmapped address");
		*(volatile uint64_t *)phys_to_virt(GiB(512) + 0x1000) = 1;
	}
	if (opt.debug_stack) {
		/* What an overflow leaves (tests/vmm/stack-overflow.sh): the
		 * run loop's stack_check must panic before the first guest. */
		pr_info("debug_stack: writing the bottom of cpu0's stack");
		*(volatile uint64_t *)pcpus[0].stack_bottom = 0;
	}
	vmm_start(&bootinfo);
}
