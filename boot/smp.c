/* Application-processor bring-up with INIT-SIPI-SIPI (SDM Vol. 3 11.4 / the
 * MP start-up algorithm), one processor at a time. */
#include "boot/smp.h"
#include "boot/boot_defs.h"
#include "core/percpu.h"
#include "core/mm.h"
#include "core/stack.h"
#include "core/log.h"
#include "hw/acpi.h"
#include "hw/lapic.h"
#include "hw/x86.h"
#include "vmm/vmm.h"

extern const char trampoline_start[], trampoline_end[];
extern uint64_t tr_cr3, tr_stack, tr_entry, tr_arg;

#define TR_SLOT(sym) ((volatile uint64_t *)phys_to_virt(TRAMPOLINE_BASE + (uint64_t)((const char *)&(sym) - trampoline_start)))

NORETURN static void ap_main(struct pcpu *p)
{
	cpu_tables_init(p);
	cpu_common_init();
	lapic_init();
	pr_info("online apic_id=%u", lapic_id());
	__atomic_store_n(&p->online, true, __ATOMIC_RELEASE);
	vmm_pcpu_loop();
}

static bool start_one(unsigned idx, uint32_t apic_id)
{
	struct pcpu *p = &pcpus[idx];
	p->id = idx;
	p->apic_id = apic_id;
	uint64_t stack = page_alloc_contig(PCPU_STACK_SIZE / PAGE_SIZE);
	if (!stack) {
		pr_err("smp: no memory for cpu%u's stack", idx);
		return false;
	}
	p->stack_bottom = stack;
	p->stack_top = stack + PCPU_STACK_SIZE;
	stack_paint((uint64_t *)p->stack_bottom, (uint64_t *)p->stack_top);
	*TR_SLOT(tr_cr3) = read_cr3();
	*TR_SLOT(tr_stack) = p->stack_top;
	*TR_SLOT(tr_entry) = (uint64_t)ap_main;
	*TR_SLOT(tr_arg) = (uint64_t)p;
	mb();

	lapic_send_init(apic_id);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !p->online; sipi++) {
		lapic_send_sipi(apic_id, TRAMPOLINE_BASE >> 12);
		uint64_t deadline = time_now() + (sipi ? 1000000000ull : 1000000ull);
		while (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE) && time_now() < deadline)
			cpu_relax();
	}
	if (!p->online) {
		pr_err("smp: processor apic_id=%u did not come up", apic_id);
		page_free(stack, PCPU_STACK_SIZE / PAGE_SIZE);
		return false;
	}
	return true;
}

void smp_boot(unsigned max_cpus)
{
	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start, (size_t)(trampoline_end - trampoline_start));
	uint32_t me = lapic_id();
	for (unsigned i = 0; i < acpi.ncpus; i++) {
		uint32_t id = acpi.cpus[i].apic_id;
		if (id == me)
			continue;
		if (npcpus >= max_cpus || npcpus >= MAX_PCPUS) {
			pr_info("smp: not starting apic_id=%u (limit %u)", id, MIN(max_cpus, (unsigned)MAX_PCPUS));
			continue;
		}
		if (start_one(npcpus, id))
			npcpus++;
	}
}
