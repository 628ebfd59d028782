/* Fuzz target: the VM's ACPI table builder (vmm/load/acpi_build.c), whose
 * inputs are the vCPU count, the CMOS flag, the tables' guest-physical
 * address and the buffer's size; the tables are read back with the
 * hypervisor's own walker (hw/acpi_tables.c).
 * Input (little-endian): vCPUs u16, flags u8 (bit 0 no CMOS RTC, bit 1 a
 * 64-bit address), the address u32 (or u64), the buffer shortfall u16.
 * Checks: an accepted build fits acpi_build_size() and the buffer, every
 * table lies in [gpa, gpa + used) below 4 GiB, and the walker finds what
 * acpi_build.h promises: revision 2 with an XSDT, every vCPU's APIC ID once
 * (up to the walker's 256), the I/O APIC, the two overrides, the FADT's
 * SCI, PM1a control and 24-bit PM timer ports, \_S5 = {5, 5}. */
#include "tests/fuzz/fuzz.h"
#include "vmm/load/acpi_build.h"
#include "hw/acpi_tables.h"

static void check_tables(const uint8_t *buf, uint64_t gpa, const struct acpi_layout *l, unsigned n)
{
	static struct acpi_info ai;
	struct fz_phys m = { buf, l->used, gpa, { { 0 }, 0 } };
	char err[160];
	const uint64_t addrs[] = { l->rsdp, l->xsdt, l->rsdt, l->fadt, l->facs, l->dsdt, l->madt };

	for (unsigned i = 0; i < ARRAY_SIZE(addrs); i++)
		FUZZ_CHECK(addrs[i] >= gpa && addrs[i] - gpa < l->used && addrs[i] < GiB(4),
			   "table %u at 0x%llx outside [0x%llx, +%zu) or above 4 GiB", i,
			   (unsigned long long)addrs[i], (unsigned long long)gpa, l->used);
	FUZZ_CHECK(gpa + l->used <= GiB(4) && gpa + l->used > gpa, "tables end above 4 GiB");
	FUZZ_CHECK(acpi_parse(buf, 36, fz_phys_map, &m, &ai, err, sizeof(err)) == 0,
		   "built tables do not parse: %s", err);
	FUZZ_CHECK(ai.revision == 2 && ai.have_madt && ai.have_fadt && ai.have_s5, "tables missing");
	FUZZ_CHECK(ai.ncpus == MIN(n, ACPI_MAX_CPUS) && ai.dropped_cpus == n - ai.ncpus,
		   "%u CPUs (+%u dropped) for %u vCPUs", ai.ncpus, ai.dropped_cpus, n);
	for (unsigned i = 0; i < ai.ncpus; i++)
		FUZZ_CHECK(ai.cpus[i].apic_id == i && ai.cpus[i].x2apic == (i > 254), "CPU %u", i);
	FUZZ_CHECK(ai.nioapics == 1 && ai.ioapics[0].addr == ACPI_BUILD_IOAPIC_ADDR &&
		   ai.ioapics[0].id == l->ioapic_id && ai.ioapics[0].gsi_base == 0, "I/O APIC");
	FUZZ_CHECK(ai.nisos == 2 && ai.isos[0].irq == 0 && ai.isos[0].gsi == 2 &&
		   ai.isos[1].irq == ACPI_BUILD_SCI_IRQ && ai.isos[1].gsi == ACPI_BUILD_SCI_IRQ, "overrides");
	FUZZ_CHECK(ai.lapic_addr == ACPI_BUILD_LAPIC_ADDR && ai.pcat_compat, "local APIC address");
	FUZZ_CHECK(ai.sci_irq == ACPI_BUILD_SCI_IRQ && ai.pm1a_cnt.addr == ACPI_BUILD_PM1A_CNT_PORT &&
		   ai.pm1a_cnt.space == ACPI_SPACE_IO && ai.pm_tmr.addr == ACPI_BUILD_PM_TMR_PORT &&
		   !ai.pm_tmr_32bit && ai.smi_cmd == 0, "FADT");
	FUZZ_CHECK(ai.dsdt == l->dsdt && ai.slp_typa == ACPI_BUILD_SLP_TYP_S5 &&
		   ai.slp_typb == ACPI_BUILD_SLP_TYP_S5, "\\_S5");
	fz_arena_free(&m.arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct acpi_build_args a = { 0 };
	struct acpi_layout l;
	char err[160];

	a.ncpus = fz_u16(&f) % (ACPI_BUILD_MAX_CPUS + 2);
	uint8_t flags = fz_u8(&f);
	a.no_cmos_rtc = flags & 1;
	uint64_t gpa = (flags & 2) ? fz_u64(&f) : fz_u32(&f);
	size_t need = acpi_build_size(a.ncpus), short_by = fz_u16(&f) % 512;
	size_t buflen = need > short_by ? need - short_by : 0;
	uint8_t *buf = malloc(buflen ? buflen : 1);

	int r = acpi_build(buf, buflen, gpa, &a, &l, err, sizeof(err));
	FZ_DEBUG("acpi_build(%u cpus) %d '%s'\n", a.ncpus, r, r ? err : "");
	if (r == 0) {
		FUZZ_CHECK(l.used <= need && need <= buflen, "used %zu, size %zu, buffer %zu", l.used, need, buflen);
		FUZZ_CHECK(a.ncpus >= 1 && a.ncpus <= ACPI_BUILD_MAX_CPUS && gpa % 16 == 0, "accepted bad arguments");
		check_tables(buf, gpa, &l, a.ncpus);
	} else {
		fz_check_err(err, sizeof(err), true);
	}
	free(buf);
	return 0;
}
