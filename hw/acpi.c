#include "hw/acpi.h"
#include "core/log.h"
#include "core/mm.h"

struct acpi_info acpi;

static const void *map_identity(void *ctx, uint64_t phys, size_t len)
{
	/* Everything below 4 GiB is identity-mapped; tables live there. */
	if (phys + len < phys || phys + len > GiB(4) || !phys)
		return NULL;
	return (const void *)phys;
}

static const void *scan_bios_areas(void)
{
	/* EBDA (segment at 0x40E) first 1 KiB, then 0xE0000-0xFFFFF. */
	uint64_t ebda = (uint64_t)(*(volatile uint16_t *)phys_to_virt(0x40E)) << 4;
	long off;
	if (ebda >= 0x80000 && ebda < 0xA0000 &&
	    (off = acpi_find_rsdp(phys_to_virt(ebda), 1024)) >= 0)
		return (const void *)(ebda + (uint64_t)off);
	if ((off = acpi_find_rsdp(phys_to_virt(0xE0000), 0x20000)) >= 0)
		return (const void *)(0xE0000 + (uint64_t)off);
	return NULL;
}

bool acpi_init(const struct boot_info *bi)
{
	const void *rsdp = bi->rsdp;
	size_t len = bi->rsdp_len;
	const char *where = "boot loader";
	if (!rsdp && bi->rsdp_phys) {
		rsdp = (const void *)bi->rsdp_phys;
		len = 36;
	}
	if (!rsdp) {
		rsdp = scan_bios_areas();
		len = 36;
		where = "BIOS area";
	}
	if (!rsdp) {
		hv_error("no ACPI RSDP found: cannot enumerate processors");
		return false;
	}
	char err[160];
	if (acpi_parse(rsdp, len, map_identity, NULL, &acpi, err, sizeof(err)) < 0) {
		hv_error("bad ACPI tables: %s", err);
		return false;
	}
	pr_info("acpi: RSDP rev %u from %s, OEM '%s', %u CPUs, %u IOAPICs%s%s",
		acpi.revision, where, acpi.oem, acpi.ncpus, acpi.nioapics,
		acpi.have_fadt ? ", FADT" : "", acpi.have_s5 ? ", S5" : "");
	if (!acpi.have_madt || !acpi.ncpus) {
		hv_error("ACPI has no MADT with enabled processors: cannot enumerate processors");
		return false;
	}
	if (acpi.dropped_cpus)
		pr_warn("acpi: %u processors beyond the first %u ignored", acpi.dropped_cpus, ACPI_MAX_CPUS);
	return true;
}
