/* ACPI table walker (pure logic, host-tested): RSDP -> XSDT (or RSDT) ->
 * MADT and FADT, and \_S5 from the DSDT. Every table's signature, length and
 * checksum is checked before use; a bad table is an error, never a crash.
 * Physical memory is read through map() so host tests can supply buffers. */
#ifndef HW_ACPI_TABLES_H
#define HW_ACPI_TABLES_H
#include "core/lib.h"

#define ACPI_MAX_CPUS    256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS    16

typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

/* Generic Address Structure, reduced to what we use. */
struct acpi_gas { uint8_t space; uint8_t width; uint64_t addr; };
enum { ACPI_SPACE_MEM = 0, ACPI_SPACE_IO = 1 };

struct acpi_info {
	uint8_t revision;               /* RSDP revision (0 = ACPI 1.0) */
	char oem[7];
	/* MADT */
	bool have_madt;
	uint64_t lapic_addr;            /* after any 64-bit override entry */
	unsigned ncpus;                 /* enabled processors only */
	struct { uint32_t apic_id; uint32_t uid; bool x2apic; } cpus[ACPI_MAX_CPUS];
	unsigned dropped_cpus;
	unsigned nioapics;
	struct { uint8_t id; uint32_t addr; uint32_t gsi_base; } ioapics[ACPI_MAX_IOAPICS];
	unsigned nisos;                 /* interrupt source overrides */
	struct { uint8_t irq; uint32_t gsi; uint16_t flags; } isos[ACPI_MAX_ISOS];
	bool pcat_compat;               /* MADT flag: 8259s present */
	/* FADT */
	bool have_fadt;
	uint16_t sci_irq;
	uint32_t smi_cmd; uint8_t acpi_enable;
	struct acpi_gas pm1a_cnt, pm1b_cnt;   /* space IO unless X_ fields say otherwise */
	struct acpi_gas pm_tmr;
	bool pm_tmr_32bit;              /* FADT flag TMR_VAL_EXT */
	bool have_reset; struct acpi_gas reset_reg; uint8_t reset_value;
	uint64_t dsdt;                  /* physical */
	/* \_S5 from the DSDT */
	bool have_s5;
	uint8_t slp_typa, slp_typb;
};

/* Scan [buf, buf+len) at 16-byte steps for a valid RSDP (signature and
 * checksum(s)); returns the offset or -1. For the EBDA/BIOS-area search. */
long acpi_find_rsdp(const void *buf, size_t len);

/* Walk everything from the RSDP at rsdp (rsdp_len readable bytes).
 * Returns 0, or -1 with a message in err naming the table at fault. A missing
 * MADT or FADT is not an error here (have_madt/have_fadt say so). */
int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
	       struct acpi_info *out, char *err, size_t errlen);

/* Find \_S5's package in AML and decode SLP_TYPa/b (byte, word or small
 * constant encodings). Returns 0 or -1. Exposed for tests. */
int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#endif
