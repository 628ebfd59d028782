/* The host's ACPI tables, found and parsed once at boot. */
#ifndef HW_ACPI_H
#define HW_ACPI_H
#include "hw/acpi_tables.h"
#include "boot/bootinfo.h"

extern struct acpi_info acpi;
/* Find the RSDP (boot info copy, PVH address, or the BIOS areas) and parse.
 * Returns false with an HV ERROR printed if the tables are missing or bad. */
bool acpi_init(const struct boot_info *bi);

#endif
