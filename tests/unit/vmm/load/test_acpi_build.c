/* vmm/acpi_build.c: build a VM's tables into a buffer, then read them back
 * with the project's own walker (hw/acpi_tables.c, which checks signatures,
 * lengths and checksums) and check what a guest would see, for several
 * vCPU counts. */
#include <stdlib.h>
#include <string.h>
#include "vmm/load/acpi_build.h"
#include "hw/acpi_tables.h"
#include "tests/unit/check.h"

#define GPA ACPI_BUILD_RSDP_GPA

struct mem { uint8_t *buf; size_t len; uint64_t gpa; };

static const void *map(void *ctx, uint64_t phys, size_t len)
{
	struct mem *m = ctx;

	if (phys < m->gpa || len > m->len || phys - m->gpa > m->len - len)
		return NULL;
	return m->buf + (phys - m->gpa);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void check_ncpus(unsigned n)
{
	size_t len = acpi_build_size(n);
	uint8_t *buf = malloc(len);
	struct acpi_layout lay;
	struct acpi_info *info = calloc(1, sizeof(*info));
	struct mem m = { buf, len, GPA };
	struct acpi_build_args args = { .ncpus = n };
	char err[200] = "";
	unsigned expect = n < ACPI_MAX_CPUS ? n : ACPI_MAX_CPUS;
	bool ids_ok = true, x2_ok = true;
	const uint8_t *f, *h;

	memset(buf, 0xa5, len);
	CHECK(acpi_build(buf, len, GPA, &args, &lay, err, sizeof(err)) == 0);
	CHECK(lay.used <= len);
	CHECK_EQ(lay.rsdp, GPA);
	CHECK_EQ(acpi_find_rsdp(buf, len), 0);
	CHECK(acpi_parse(buf, len, map, &m, info, err, sizeof(err)) == 0);
	if (err[0])
		fprintf(stderr, "n=%u: %s\n", n, err);
	CHECK_EQ(info->revision, 2);
	CHECK(strcmp(info->oem, "LHV   ") == 0);
	/* MADT */
	CHECK(info->have_madt);
	CHECK_EQ(info->lapic_addr, 0xfee00000u);
	CHECK(info->pcat_compat);
	CHECK_EQ(info->ncpus, expect);
	CHECK_EQ(info->dropped_cpus, n - expect);
	for (unsigned i = 0; i < info->ncpus; i++) {
		if (info->cpus[i].apic_id != i || info->cpus[i].uid != i)
			ids_ok = false;
		if (info->cpus[i].x2apic != (i >= 255))
			x2_ok = false;
	}
	CHECK(ids_ok);
	CHECK(x2_ok);
	CHECK_EQ(info->nioapics, 1);
	CHECK_EQ(info->ioapics[0].addr, 0xfec00000u);
	CHECK_EQ(info->ioapics[0].gsi_base, 0);
	CHECK_EQ(info->ioapics[0].id, n < 254 ? n : 254);
	CHECK_EQ(lay.ioapic_id, info->ioapics[0].id);
	CHECK_EQ(info->nisos, 2);
	CHECK_EQ(info->isos[0].irq, 0);
	CHECK_EQ(info->isos[0].gsi, 2);
	CHECK_EQ(info->isos[0].flags, 0x5);       /* edge, active high */
	CHECK_EQ(info->isos[1].irq, 9);
	CHECK_EQ(info->isos[1].gsi, 9);
	CHECK_EQ(info->isos[1].flags, 0xd);       /* level, active high */
	/* FADT */
	CHECK(info->have_fadt);
	CHECK_EQ(info->sci_irq, 9);
	CHECK_EQ(info->smi_cmd, 0);
	CHECK_EQ(info->pm1a_cnt.space, ACPI_SPACE_IO);
	CHECK_EQ(info->pm1a_cnt.addr, ACPI_BUILD_PM1A_CNT_PORT);
	CHECK_EQ(info->pm1a_cnt.width, 16);
	CHECK_EQ(info->pm1b_cnt.addr, 0);
	CHECK_EQ(info->pm_tmr.space, ACPI_SPACE_IO);
	CHECK_EQ(info->pm_tmr.addr, ACPI_BUILD_PM_TMR_PORT);
	CHECK_EQ(info->pm_tmr.width, 32);
	CHECK(!info->pm_tmr_32bit);
	CHECK(!info->have_reset);
	CHECK_EQ(info->dsdt, lay.dsdt);
	CHECK(info->have_s5);
	CHECK_EQ(info->slp_typa, 5);
	CHECK_EQ(info->slp_typb, 5);
	CHECK_EQ(lay.pm1a_cnt_port, 0x604);
	CHECK_EQ(lay.pm1a_evt_port, 0x600);
	CHECK_EQ(lay.pm_tmr_port, 0x608);
	CHECK_EQ(lay.sci_irq, 9);
	CHECK_EQ(lay.slp_typ_s5, 5);

	/* What the walker does not read. */
	f = buf + (lay.fadt - GPA);
	CHECK(memcmp(f, "FACP", 4) == 0);
	CHECK_EQ(rd32(f + 4), 276);
	CHECK_EQ(f[8], 6);
	CHECK(memcmp(f + 10, "LHV   ", 6) == 0);
	CHECK_EQ(rd32(f + 36), lay.facs);                  /* FIRMWARE_CTRL */
	CHECK_EQ(rd64(f + 132), 0);                        /* X_FIRMWARE_CTRL */
	CHECK_EQ(rd32(f + 40), rd64(f + 140));             /* DSDT == X_DSDT */
	CHECK_EQ(rd32(f + 56), 0x600);                     /* PM1a_EVT_BLK */
	CHECK_EQ(f[88], 4);
	CHECK_EQ(rd64(f + 148 + 4), 0x600);                /* X_PM1a_EVT_BLK */
	CHECK_EQ(f[148 + 1], 32);
	CHECK_EQ(rd32(f + 112) & (1u << 20), 0);           /* not HW-reduced */
	CHECK(rd32(f + 112) & 1);                          /* WBINVD */
	CHECK_EQ(f[109] & 2, 0);                           /* no 8042 */
	CHECK(f[109] & 4);                                 /* no VGA */
	CHECK_EQ(f[109] & 0x20, 0);                        /* CMOS RTC present */
	h = buf + (lay.facs - GPA);
	CHECK(memcmp(h, "FACS", 4) == 0);
	CHECK_EQ(rd32(h + 4), 64);
	CHECK_EQ(lay.facs % 64, 0);
	/* RSDP: both checksums; RSDT present too and valid. */
	CHECK_EQ(sum(buf, 20), 0);
	CHECK_EQ(sum(buf, 36), 0);
	CHECK_EQ(rd32(buf + 16), lay.rsdt);
	CHECK_EQ(rd64(buf + 24), lay.xsdt);
	h = buf + (lay.rsdt - GPA);
	CHECK(memcmp(h, "RSDT", 4) == 0);
	CHECK_EQ(sum(h, rd32(h + 4)), 0);
	CHECK_EQ(rd32(h + 36), lay.fadt);
	CHECK_EQ(rd32(h + 40), lay.madt);
	h = buf + (lay.dsdt - GPA);
	CHECK_EQ(sum(h, rd32(h + 4)), 0);
	h = buf + (lay.madt - GPA);
	CHECK_EQ(h[8], 4);
	CHECK_EQ(lay.madt + rd32(h + 4) - GPA, lay.used);

	/* The same tables parsed through the RSDT only (an ACPI 1.0 view). */
	{
		uint8_t *r = malloc(len);
		struct mem m2 = { r, len, GPA };

		memcpy(r, buf, len);
		r[15] = 0;                  /* revision 0: RSDT */
		r[8] = 0;
		r[8] = (uint8_t)-sum(r, 20);
		memset(info, 0, sizeof(*info));
		CHECK(acpi_parse(r, len, map, &m2, info, err, sizeof(err)) == 0);
		CHECK_EQ(info->ncpus, expect);
		CHECK(info->have_s5);
		CHECK_EQ(info->pm1a_cnt.addr, 0x604);
		free(r);
	}
	free(info);
	free(buf);
}

static void check_errors(void)
{
	uint8_t buf[8192];
	struct acpi_layout lay;
	struct acpi_build_args args = { .ncpus = 4 };
	char err[200];

	args.ncpus = 0;
	CHECK(acpi_build(buf, sizeof(buf), GPA, &args, &lay, err, sizeof(err)) == -1);
	CHECK(strstr(err, "0 vCPUs") != NULL);
	args.ncpus = ACPI_BUILD_MAX_CPUS + 1;
	CHECK(acpi_build(buf, sizeof(buf), GPA, &args, &lay, err, sizeof(err)) == -1);
	args.ncpus = 4;
	CHECK(acpi_build(buf, 100, GPA, &args, &lay, err, sizeof(err)) == -1);
	CHECK(strstr(err, "need") != NULL);
	CHECK(acpi_build(buf, sizeof(buf), GPA + 8, &args, &lay, err, sizeof(err)) == -1);
	CHECK(strstr(err, "aligned") != NULL);
	CHECK(acpi_build(buf, sizeof(buf), 0xfffffe00ull, &args, &lay, err, sizeof(err)) == -1);
	CHECK(strstr(err, "4 GiB") != NULL);
	/* Found by tests/fuzz/acpi_build.c: an address whose end wraps past
	 * 2^64 passed the 4 GiB check, and the tables got addresses near
	 * 2^64 (the RSDP's 32-bit RSDT pointer truncated). */
	CHECK(acpi_build(buf, sizeof(buf), 0xffffffffffffff00ull, &args, &lay, err, sizeof(err)) == -1);
	CHECK(strstr(err, "4 GiB") != NULL);
	CHECK(acpi_build(buf, acpi_build_size(4), 0x100010, &args, &lay, err, sizeof(err)) == 0);

	args.no_cmos_rtc = true;
	CHECK(acpi_build(buf, sizeof(buf), GPA, &args, &lay, err, sizeof(err)) == 0);
	CHECK(buf[lay.fadt - GPA + 109] & 0x20);
}

static void check_s5_aml(void)
{
	/* The DSDT body alone, as acpi_parse_s5 sees it. */
	uint8_t buf[8192];
	struct acpi_layout lay;
	struct acpi_build_args args = { .ncpus = 1 };
	char err[200];
	uint8_t a = 0, b = 0;
	const uint8_t *d;

	CHECK(acpi_build(buf, sizeof(buf), GPA, &args, &lay, err, sizeof(err)) == 0);
	d = buf + (lay.dsdt - GPA);
	CHECK(acpi_parse_s5(d + 36, rd32(d + 4) - 36, &a, &b) == 0);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 5);
	/* SLP_TYP=5 with SLP_EN, as Linux writes it to PM1a_CNT. */
	CHECK_EQ((5u << ACPI_PM1_CNT_SLP_TYP_SHIFT) | ACPI_PM1_CNT_SLP_EN, 0x3400);
}

int main(void)
{
	static const unsigned ns[] = { 1, 2, 4, 64, 254, 255, 256, 300 };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		check_ncpus(ns[i]);
	check_errors();
	check_s5_aml();
	return check_done("test_acpi_build");
}
