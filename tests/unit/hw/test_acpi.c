/* ACPI walker over a fake physical memory holding RSDP -> XSDT/RSDT -> MADT,
 * FADT -> DSDT, built with correct checksums, then broken one way at a time. */
#include <string.h>
#include "hw/acpi_tables.h"
#include "tests/unit/check.h"

#define MEM_BASE 0x100000ull
#define MEM_SIZE 0x10000ull
static uint8_t mem[MEM_SIZE];

static const void *map(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < MEM_BASE || len > MEM_SIZE || phys - MEM_BASE > MEM_SIZE - len)
		return NULL;
	return mem + (phys - MEM_BASE);
}

static uint8_t *at(uint64_t phys) { return mem + (phys - MEM_BASE); }
static void w8(uint64_t p, uint8_t v) { *at(p) = v; }
static void w16(uint64_t p, uint16_t v) { memcpy(at(p), &v, 2); }
static void w32(uint64_t p, uint32_t v) { memcpy(at(p), &v, 4); }
static void w64(uint64_t p, uint64_t v) { memcpy(at(p), &v, 8); }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--) s = (uint8_t)(s + *p++);
	return s;
}

#define XSDT 0x100000ull
#define RSDT 0x100100ull
#define MADT 0x101000ull
#define FADT 0x102000ull
#define DSDT 0x103000ull
#define HPET 0x104000ull

/* Header with the given length; fix() sets the checksum when done. */
static void sdt(uint64_t p, const char *sig, uint32_t len, uint8_t rev)
{
	memset(at(p), 0, 36);
	memcpy(at(p), sig, 4);
	w32(p + 4, len);
	w8(p + 8, rev);
	memcpy(at(p + 10), "LHVOEM", 6);
}

static void fix(uint64_t p)
{
	uint32_t len;

	memcpy(&len, at(p + 4), 4);
	/* Absurd lengths are tests of the length check: sum what exists. */
	if (len > MEM_BASE + MEM_SIZE - p)
		len = (uint32_t)(MEM_BASE + MEM_SIZE - p);
	w8(p + 9, 0);
	w8(p + 9, (uint8_t)-sum(at(p), len));
}

static uint8_t rsdp[36];

static void make_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "QEMUxx", 6);
	rsdp[15] = rev;
	memcpy(rsdp + 16, &rsdt, 4);
	uint32_t len = 36;
	memcpy(rsdp + 20, &len, 4);
	memcpy(rsdp + 24, &xsdt, 8);
	rsdp[8] = (uint8_t)-sum(rsdp, 20);
	rsdp[32] = (uint8_t)-sum(rsdp, 36);
}

/* MADT entries appended at madt_end. */
static uint64_t madt_end;

static void madt_add(const uint8_t *e, uint8_t len)
{
	memcpy(at(madt_end), e, len);
	madt_end += len;
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };
	memcpy(e + 4, &flags, 4);
	madt_add(e, 8);
}

static void x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	uint8_t e[16] = { 9, 16 };
	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	madt_add(e, 16);
}

static void madt_close(void)
{
	w32(MADT + 4, (uint32_t)(madt_end - MADT));
	fix(MADT);
}

static void build_madt(void)
{
	uint8_t ioapic[12] = { 1, 12, 8, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
	uint8_t iso0[10] = { 2, 10, 0, 0, 2, 0, 0, 0, 0, 0 };
	uint8_t iso9[10] = { 2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0 };
	uint8_t unknown[4] = { 0x7f, 4, 1, 2 };
	uint8_t lover[12] = { 5, 12, 0, 0, 0, 0, 0xe1, 0xfe, 0, 0, 0, 0 };

	sdt(MADT, "APIC", 0, 3);
	w32(MADT + 36, 0xfee00000);
	w32(MADT + 40, 1);
	madt_end = MADT + 44;
	lapic(0, 0, 1);
	lapic(1, 2, 1);
	lapic(2, 4, 0);            /* disabled: skipped */
	madt_add(ioapic, 12);
	madt_add(iso0, 10);
	madt_add(iso9, 10);
	madt_add(unknown, 4);      /* unknown type: skipped */
	x2apic(300, 5, 1);
	x2apic(2, 1, 1);           /* same CPU as LAPIC id 2: counted once */
	x2apic(301, 6, 0);         /* disabled */
	madt_add(lover, 12);
	madt_close();
}

static void gas(uint64_t p, uint8_t space, uint8_t width, uint64_t addr)
{
	w8(p, space); w8(p + 1, width); w8(p + 2, 0); w8(p + 3, 1); w64(p + 4, addr);
}

static void build_fadt(uint32_t len, uint8_t rev)
{
	memset(at(FADT), 0xff, 0x400);    /* junk beyond a short FADT */
	memset(at(FADT), 0, len);
	sdt(FADT, "FACP", len, rev);
	/* Write only what fits, as a real short FADT would. */
	if (len >= 44) w32(FADT + 40, (uint32_t)DSDT);
	if (len >= 48) w16(FADT + 46, 9);
	if (len >= 52) w32(FADT + 48, 0xb2);
	if (len >= 53) w8(FADT + 52, 0xf1);
	if (len >= 68) w32(FADT + 64, 0x604);
	if (len >= 72) w32(FADT + 68, 0);
	if (len >= 80) w32(FADT + 76, 0x608);
	if (len >= 90) w8(FADT + 89, 2);
	if (len >= 92) w8(FADT + 91, 4);
	if (len >= 116) w32(FADT + 112, (1u << 8) | (1u << 10));
	if (len >= 129) { gas(FADT + 116, 1, 8, 0xcf9); w8(FADT + 128, 6); }
	fix(FADT);
}

static const uint8_t aml_s5[] = {
	0x10, 0x0a, '\\', '_', 'S', 'B', '_', 0x70, '_', 'S', '5', '_', 0x60,  /* junk, a reference */
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00,
};

static void build_dsdt(const uint8_t *aml, size_t n)
{
	sdt(DSDT, "DSDT", (uint32_t)(36 + n), 2);
	memcpy(at(DSDT + 36), aml, n);
	fix(DSDT);
}

/* XSDT: MADT, a zero slot, an "HPET" with a bad checksum (not ours, not
 * checked), FADT. RSDT: MADT, FADT. */
static void build_all(void)
{
	memset(mem, 0xcc, sizeof(mem));
	sdt(XSDT, "XSDT", 36 + 4 * 8, 1);
	w64(XSDT + 36, MADT); w64(XSDT + 44, 0); w64(XSDT + 52, HPET); w64(XSDT + 60, FADT);
	fix(XSDT);
	sdt(RSDT, "RSDT", 36 + 2 * 4, 1);
	w32(RSDT + 36, (uint32_t)MADT); w32(RSDT + 40, (uint32_t)FADT);
	fix(RSDT);
	sdt(HPET, "HPET", 56, 1);
	build_madt();
	build_fadt(276, 6);
	build_dsdt(aml_s5, sizeof(aml_s5));
	make_rsdp(2, (uint32_t)RSDT, XSDT);
}

static struct acpi_info ai;
static char err[160];

static int parse(void) { return acpi_parse(rsdp, sizeof(rsdp), map, NULL, &ai, err, sizeof(err)); }

static void fails(const char *m1, const char *m2)
{
	int r = parse();

	CHECK_EQ(r, -1);
	CHECK(strstr(err, m1) != NULL);
	CHECK(!m2 || strstr(err, m2) != NULL);
	if (r != -1 || !strstr(err, m1) || (m2 && !strstr(err, m2)))
		fprintf(stderr, "  wanted '%s'/'%s', got r=%d '%s'\n", m1, m2 ? m2 : "", r, err);
}

static void check_madt(void)
{
	CHECK(ai.have_madt);
	CHECK_EQ(ai.ncpus, 3);
	CHECK_EQ(ai.cpus[0].apic_id, 0);
	CHECK_EQ(ai.cpus[1].apic_id, 2);
	CHECK_EQ(ai.cpus[1].uid, 1);
	CHECK(!ai.cpus[1].x2apic);
	CHECK_EQ(ai.cpus[2].apic_id, 300);
	CHECK_EQ(ai.cpus[2].uid, 5);
	CHECK(ai.cpus[2].x2apic);
	CHECK_EQ(ai.nioapics, 1);
	CHECK_EQ(ai.ioapics[0].id, 8);
	CHECK_EQ(ai.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(ai.nisos, 2);
	CHECK_EQ(ai.isos[0].irq, 0);
	CHECK_EQ(ai.isos[0].gsi, 2);
	CHECK_EQ(ai.isos[1].irq, 9);
	CHECK_EQ(ai.isos[1].flags, 0x0d);
	CHECK_EQ(ai.lapic_addr, 0xfee10000);   /* the override */
	CHECK(ai.pcat_compat);
}

static void test_good(void)
{
	build_all();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(ai.revision, 2);
	CHECK(strcmp(ai.oem, "QEMUxx") == 0);
	check_madt();
	CHECK(ai.have_fadt);
	CHECK_EQ(ai.sci_irq, 9);
	CHECK_EQ(ai.smi_cmd, 0xb2);
	CHECK_EQ(ai.acpi_enable, 0xf1);
	CHECK_EQ(ai.pm1a_cnt.space, ACPI_SPACE_IO);
	CHECK_EQ(ai.pm1a_cnt.addr, 0x604);
	CHECK_EQ(ai.pm1a_cnt.width, 16);
	CHECK_EQ(ai.pm1b_cnt.addr, 0);
	CHECK_EQ(ai.pm_tmr.addr, 0x608);
	CHECK_EQ(ai.pm_tmr.width, 32);
	CHECK(ai.pm_tmr_32bit);
	CHECK(ai.have_reset);
	CHECK_EQ(ai.reset_reg.space, ACPI_SPACE_IO);
	CHECK_EQ(ai.reset_reg.addr, 0xcf9);
	CHECK_EQ(ai.reset_value, 6);
	CHECK_EQ(ai.dsdt, DSDT);
	CHECK(ai.have_s5);
	CHECK_EQ(ai.slp_typa, 5);
	CHECK_EQ(ai.slp_typb, 7);

	/* X_ fields win when present and non-zero. */
	build_all();
	gas(FADT + 172, ACPI_SPACE_MEM, 32, 0xfed00004);
	gas(FADT + 208, ACPI_SPACE_IO, 32, 0xb008);
	w64(FADT + 140, DSDT);
	w32(FADT + 40, 0x12345678);               /* 32-bit DSDT ignored */
	fix(FADT);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(ai.pm1a_cnt.space, ACPI_SPACE_MEM);
	CHECK_EQ(ai.pm1a_cnt.addr, 0xfed00004);
	CHECK_EQ(ai.pm_tmr.addr, 0xb008);
	CHECK_EQ(ai.dsdt, DSDT);
	CHECK(ai.have_s5);

	/* RSDT path: revision 0 (20-byte RSDP), and revision 2 with XSDT 0. */
	build_all();
	make_rsdp(0, (uint32_t)RSDT, 0xdead0000);  /* ignored in rev 0 */
	CHECK_EQ(acpi_parse(rsdp, 20, map, NULL, &ai, err, sizeof(err)), 0);
	CHECK_EQ(ai.revision, 0);
	check_madt();
	CHECK(ai.have_fadt && ai.have_s5);
	make_rsdp(2, (uint32_t)RSDT, 0);
	CHECK_EQ(parse(), 0);
	check_madt();
	/* The RSDT is really used: break it and the walk fails there. */
	w8(RSDT + 20, 0x55);
	fails("RSDT", "checksum");

	/* A second MADT (or FADT) in the list is ignored: the first wins. */
	build_all();
	sdt(XSDT, "XSDT", 36 + 3 * 8, 1);
	w64(XSDT + 36, MADT); w64(XSDT + 44, FADT); w64(XSDT + 52, MADT);
	fix(XSDT);
	CHECK_EQ(parse(), 0);
	check_madt();
	/* No MADT, no FADT: not an error. */
	build_all();
	sdt(XSDT, "XSDT", 36, 1);
	fix(XSDT);
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_madt && !ai.have_fadt && !ai.have_s5);
}

static void test_rsdp(void)
{
	uint8_t area[288];

	build_all();
	rsdp[8]++;
	fails("RSDP", "checksum");
	build_all();
	rsdp[32]++;                                /* extended checksum only */
	fails("RSDP", "extended checksum");
	build_all();
	CHECK_EQ(acpi_parse(rsdp, 20, map, NULL, &ai, err, sizeof(err)), -1);
	CHECK(strstr(err, "36") != NULL);
	build_all();
	rsdp[0] = 'X';
	fails("RSDP", "signature");
	CHECK_EQ(acpi_parse(NULL, 36, map, NULL, &ai, err, sizeof(err)), -1);

	/* Search: a bad-checksum candidate first, a valid one at an unaligned
	 * offset (not looked at), then the real one. */
	make_rsdp(2, (uint32_t)RSDT, XSDT);
	memset(area, 0, sizeof(area));
	memcpy(area + 0x10, rsdp, 36);
	area[0x10 + 8]++;
	memcpy(area + 0x38, rsdp, 36);
	CHECK_EQ(acpi_find_rsdp(area, sizeof(area)), -1);
	memcpy(area + 0x60, rsdp, 36);
	CHECK_EQ(acpi_find_rsdp(area, sizeof(area)), 0x60);
	/* A revision-2 RSDP cut by the end of the area is not valid. */
	CHECK_EQ(acpi_find_rsdp(area, 0x60 + 30), -1);
	CHECK_EQ(acpi_find_rsdp(area, 0x60 + 36), 0x60);
	make_rsdp(0, (uint32_t)RSDT, 0);
	memset(area, 0, sizeof(area));
	memcpy(area + 0xf0, rsdp, 20);
	CHECK_EQ(acpi_find_rsdp(area, 0x100 + 4), 0xf0);
	CHECK_EQ(acpi_find_rsdp(area, 10), -1);
	CHECK_EQ(acpi_find_rsdp(area, 0), -1);
}

static void test_root(void)
{
	/* XSDT pointing at garbage, outside memory, at 0. */
	build_all();
	make_rsdp(2, (uint32_t)RSDT, DSDT + 8);
	fails("XSDT", "signature");
	make_rsdp(2, (uint32_t)RSDT, 0x90000000ull);
	fails("XSDT at 0x90000000", "cannot map");
	make_rsdp(0, 0, 0);
	CHECK_EQ(acpi_parse(rsdp, 20, map, NULL, &ai, err, sizeof(err)), -1);
	CHECK(strstr(err, "RSDT") != NULL);
	/* Huge, tiny, and beyond-memory lengths; bad checksum. */
	build_all();
	w32(XSDT + 4, 0xffffffff); fix(XSDT);
	fails("XSDT", "length 4294967295");
	w32(XSDT + 4, 35); fix(XSDT);
	fails("XSDT", "length 35");
	w32(XSDT + 4, 0x200000); fix(XSDT);       /* sane but past memory */
	fails("XSDT", "cannot map");
	build_all();
	w8(XSDT + 40, 0x11);
	fails("XSDT", "bad checksum");
	/* An entry that cannot be mapped. */
	build_all();
	w64(XSDT + 44, 0x90000000ull); fix(XSDT);
	fails("XSDT entry 1", "cannot map");
}

static void test_madt_bad(void)
{
	uint8_t zero[2] = { 0x7f, 0 };
	uint8_t shortio[8] = { 1, 8, 0, 0, 0, 0, 0, 0 };

	build_all();
	madt_end = MADT + 44; lapic(0, 0, 1); madt_add(zero, 2); lapic(1, 1, 1); madt_close();
	fails("MADT", "length 0");
	build_all();
	madt_end = MADT + 44; lapic(0, 0, 1); madt_close();
	w8(MADT + 44 + 1, 9);                      /* runs 1 byte past the end */
	fix(MADT);
	fails("MADT", "length 9");
	build_all();
	madt_end = MADT + 44; madt_add(shortio, 8); madt_close();
	fails("MADT", "expected >= 12");
	build_all();
	madt_end = MADT + 44; lapic(0, 0, 1); madt_end += 1; w8(madt_end - 1, 0); madt_close();
	fails("MADT", "truncated");
	build_all();
	w32(MADT + 4, 40); fix(MADT);
	fails("MADT", "too short");
	build_all();
	w8(MADT + 50, 0x42);
	fails("MADT", "checksum");
	build_all();
	w32(MADT + 4, 0x10000000); fix(MADT);
	fails("MADT", "length 268435456");

	/* Too many CPUs: the first ACPI_MAX_CPUS are kept, the rest counted. */
	build_all();
	madt_end = MADT + 44;
	for (uint32_t i = 0; i < ACPI_MAX_CPUS + 44; i++)
		x2apic(1000 + i, i, 1);
	madt_close();
	CHECK_EQ(parse(), 0);
	CHECK_EQ(ai.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(ai.dropped_cpus, 44);
	CHECK_EQ(ai.cpus[ACPI_MAX_CPUS - 1].apic_id, 1000 + ACPI_MAX_CPUS - 1);
	CHECK_EQ(ai.lapic_addr, 0xfee00000);       /* no override this time */
}

static void test_fadt_short(void)
{
	/* ACPI 1.0 FADT (116 bytes, revision 1): no X_ fields, no RESET_REG,
	 * flags still read. The junk after it must not be used. */
	build_all();
	build_fadt(116, 1);
	CHECK_EQ(parse(), 0);
	CHECK(ai.have_fadt);
	CHECK_EQ(ai.pm1a_cnt.addr, 0x604);
	CHECK_EQ(ai.pm1a_cnt.space, ACPI_SPACE_IO);
	CHECK(ai.pm_tmr_32bit);
	CHECK(!ai.have_reset);
	CHECK_EQ(ai.dsdt, DSDT);
	CHECK(ai.have_s5);
	/* Revision 2 but too short for RESET_VALUE. */
	build_fadt(128, 2);
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_reset);
	/* Revision 2, long enough, but RESET_REG_SUP clear. */
	build_fadt(244, 2);
	w32(FADT + 112, 0); fix(FADT);
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_reset && !ai.pm_tmr_32bit);
	/* Revision 1 has no RESET_REG, whatever its length and flags say. */
	build_fadt(276, 1);
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_reset);
	/* RESET_REG_SUP with a zero address: nothing to write to. */
	build_fadt(276, 6);
	gas(FADT + 116, 1, 8, 0); fix(FADT);
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_reset);
	/* Truncated FADT: only what its 60 bytes hold. */
	build_fadt(60, 1);
	CHECK_EQ(parse(), 0);
	CHECK(ai.have_fadt);
	CHECK_EQ(ai.sci_irq, 9);
	CHECK_EQ(ai.acpi_enable, 0xf1);
	CHECK_EQ(ai.pm1a_cnt.addr, 0);
	CHECK_EQ(ai.pm1a_cnt.width, 0);
	CHECK_EQ(ai.pm_tmr.addr, 0);
	CHECK(!ai.pm_tmr_32bit && !ai.have_reset);
	/* Header only: nothing at all, no crash, no DSDT. */
	build_fadt(36, 1);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(ai.sci_irq, 0);
	CHECK_EQ(ai.dsdt, 0);
	CHECK(!ai.have_s5);
	/* A FADT with a bad checksum is an error. */
	build_fadt(276, 6);
	w8(FADT + 60, 1);
	fails("FADT", "checksum");
}

static void test_dsdt(void)
{
	static const uint8_t no_s5[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x04, 0x0a, 0x04, 0x0a, 0x04 };

	build_all();
	build_dsdt(no_s5, sizeof(no_s5));
	CHECK_EQ(parse(), 0);
	CHECK(!ai.have_s5);
	build_all();
	w8(DSDT + 40, 0x99);
	fails("DSDT", "checksum");
	build_all();
	w32(DSDT, 0x54445353);                     /* "SSDT" */
	fix(DSDT);
	fails("DSDT", "signature");
}

static int s5(const uint8_t *aml, size_t n, uint8_t *a, uint8_t *b)
{
	*a = *b = 0xee;
	return acpi_parse_s5(aml, n, a, b);
}

static void test_s5(void)
{
	uint8_t a, b;
	/* Encodings: BytePrefix, WordPrefix, DWordPrefix, Zero/One, raw. */
	static const uint8_t byte_[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x06 };
	static const uint8_t word_[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 0x0b, 0x07, 0x00, 0x0b, 0x03, 0x00 };
	static const uint8_t dword[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x0c, 0x02, 0x0c, 0x02, 0, 0, 0, 0x0c, 0x04, 0, 0, 0 };
	static const uint8_t zero1[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01 };
	static const uint8_t raw[]   = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x05, 0x03 };
	/* Two-byte PkgLength: lead 0x40 | low nibble, next byte << 4. */
	static const uint8_t pkg2[]  = { 0x08, '_', 'S', '5', '_', 0x12, 0x47, 0x00, 0x02, 0x0a, 0x03, 0x0a, 0x04 };
	/* Broken: package past the end, NumElements 1, truncated after the
	 * name, PkgLength reserved bits set, a name op element. */
	static const uint8_t past[]  = { 0x08, '_', 'S', '5', '_', 0x12, 0x30, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	static const uint8_t one[]   = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05 };
	static const uint8_t one2[]  = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x01, 0x0a, 0x05, 0x0a, 0x05 };
	static const uint8_t varpkg[] = { 0x08, '_', 'S', '5', '_', 0x13, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	static const uint8_t trunc[] = { 0x08, '_', 'S', '5', '_' };
	static const uint8_t trunc2[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a };
	static const uint8_t resv[]  = { 0x08, '_', 'S', '5', '_', 0x12, 0x77, 0x00, 0x02, 0x0a, 0x03, 0x0a, 0x04 };
	static const uint8_t name_[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x5c, 0x41, 0x0a, 0x04 };
	static const uint8_t noname[] = { 0x70, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	static const uint8_t atstart[] = { '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05 };

	CHECK(s5(byte_, sizeof(byte_), &a, &b) == 0 && a == 5 && b == 6);
	CHECK(s5(word_, sizeof(word_), &a, &b) == 0 && a == 7 && b == 3);
	CHECK(s5(dword, sizeof(dword), &a, &b) == 0 && a == 2 && b == 4);
	CHECK(s5(zero1, sizeof(zero1), &a, &b) == 0 && a == 0 && b == 1);
	CHECK(s5(raw, sizeof(raw), &a, &b) == 0 && a == 5 && b == 3);
	CHECK(s5(pkg2, sizeof(pkg2), &a, &b) == 0 && a == 3 && b == 4);
	CHECK(s5(aml_s5, sizeof(aml_s5), &a, &b) == 0 && a == 5 && b == 7);
	CHECK_EQ(s5(past, sizeof(past), &a, &b), -1);
	CHECK_EQ(s5(one, sizeof(one), &a, &b), -1);
	CHECK_EQ(s5(one2, sizeof(one2), &a, &b), -1);
	CHECK_EQ(s5(varpkg, sizeof(varpkg), &a, &b), -1);
	CHECK_EQ(s5(trunc, sizeof(trunc), &a, &b), -1);
	CHECK_EQ(s5(trunc2, sizeof(trunc2), &a, &b), -1);
	CHECK_EQ(s5(resv, sizeof(resv), &a, &b), -1);
	CHECK_EQ(s5(name_, sizeof(name_), &a, &b), -1);
	CHECK_EQ(s5(noname, sizeof(noname), &a, &b), -1);
	CHECK_EQ(s5(atstart, sizeof(atstart), &a, &b), -1);
	CHECK_EQ(s5(byte_, 0, &a, &b), -1);
	CHECK_EQ(s5(byte_, 3, &a, &b), -1);
	/* A broken first definition does not hide a good later one. */
	uint8_t two[sizeof(one) + sizeof(byte_)];
	memcpy(two, one, sizeof(one));
	memcpy(two + sizeof(one), byte_, sizeof(byte_));
	CHECK(s5(two, sizeof(two), &a, &b) == 0 && a == 5 && b == 6);
}

int main(void)
{
	test_good();
	test_rsdp();
	test_root();
	test_madt_bad();
	test_fadt_short();
	test_dsdt();
	test_s5();
	return check_done("test_acpi");
}
