/* Fuzz target: the ACPI table walker (hw/acpi_tables.c): the RSDP search,
 * RSDP -> XSDT/RSDT -> MADT and FADT, \_S5 in the DSDT, and the AML \_S5
 * decoder on raw bytes.
 * Input: one byte for the error buffer's size, then physical memory from
 * 0xE0000 on with the RSDP at its first byte (36 bytes of it readable).
 * Tables are reached through a map() that hands out exact-size copies, so
 * reading past a mapped length is a heap overflow.
 * Checks: counts stay within their arrays, enabled CPUs have distinct APIC
 * IDs, dropped CPUs only once the array is full, the OEM ID is terminated,
 * a failure has a message; the RSDP search returns an in-range, 16-byte
 * aligned offset whose RSDP then parses past the RSDP stage. */
#include "tests/fuzz/fuzz.h"
#include "hw/acpi_tables.h"

#define BASE 0xe0000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t errlen = fz_u8(&f) % 161, len;
	const uint8_t *body = fz_rest(&f, &len);
	static struct fz_phys m;
	static struct acpi_info ai;
	uint8_t *mem = fz_dup(body, len);
	char *err = malloc(errlen ? errlen : 1);
	uint8_t a, b;

	m.mem = mem;
	m.len = len;
	m.base = BASE;
	uint8_t *rsdp = fz_dup(mem, len < 36 ? len : 36);
	int r = acpi_parse(rsdp, len < 36 ? len : 36, fz_phys_map, &m, &ai, err, errlen);
	fz_check_err(err, errlen, r != 0);
	FZ_DEBUG("acpi_parse %d '%s' cpus %u s5 %d\n", r, errlen ? err : "", ai.ncpus, ai.have_s5);
	FUZZ_CHECK(ai.ncpus <= ACPI_MAX_CPUS && ai.nioapics <= ACPI_MAX_IOAPICS && ai.nisos <= ACPI_MAX_ISOS,
		   "counts %u %u %u", ai.ncpus, ai.nioapics, ai.nisos);
	FUZZ_CHECK(!ai.dropped_cpus || ai.ncpus == ACPI_MAX_CPUS, "dropped CPUs with room left");
	FUZZ_CHECK(strnlen(ai.oem, sizeof(ai.oem)) < sizeof(ai.oem), "OEM ID not terminated");
	for (unsigned i = 0; i < ai.ncpus; i++)
		for (unsigned k = 0; k < i; k++)
			FUZZ_CHECK(ai.cpus[i].apic_id != ai.cpus[k].apic_id, "APIC ID %u twice", ai.cpus[i].apic_id);
	if (r == 0 && ai.have_s5)
		FUZZ_CHECK(ai.dsdt != 0, "\\_S5 without a DSDT");
	fz_arena_free(&m.arena);

	long off = acpi_find_rsdp(mem, len);
	if (off >= 0) {
		FUZZ_CHECK(off % 16 == 0 && (size_t)off + 20 <= len, "RSDP found at %ld of %zu", off, len);
		acpi_parse(mem + off, len - (size_t)off, fz_phys_map, &m, &ai, err, errlen);
		FUZZ_CHECK(!errlen || !strstr(err, "ACPI RSDP:"), "found RSDP refused: %s", err);
		fz_arena_free(&m.arena);
	}
	(void)acpi_parse_s5(mem, len, &a, &b);
	free(rsdp);
	free(err);
	free(mem);
	return 0;
}
