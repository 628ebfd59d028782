/* ACPI table builder; see acpi_build.h. Layouts from the ACPI specification
 * 6.x: RSDP 5.2.5.3, table header 5.2.6, RSDT 5.2.7, XSDT 5.2.8, FADT 5.2.9
 * (table 5.9, revision 6 = ACPI 6.0, 276 bytes), FACS 5.2.10, DSDT 5.2.11.1,
 * MADT 5.2.12 (revision 4), AML encoding chapter 20. */
#include "vmm/load/acpi_build.h"
#include "core/fmt.h"

#define HDR_LEN         36u
#define RSDP_LEN        36u
#define FADT_LEN        276u
#define FACS_LEN        64u
#define MADT_FIXED_LEN  44u
#define MADT_LAPIC_LEN  8u
#define MADT_X2APIC_LEN 16u
#define MADT_IOAPIC_LEN 12u
#define MADT_ISO_LEN    10u
#define MADT_NISO       2u
#define GAS_LEN         12u

/* Local APIC IDs below 255 must use the (8-bit) Processor Local APIC
 * structure; 255 and up need the x2APIC one (ACPI 5.2.12.12). */
#define XAPIC_MAX_ID    254u

/* AML: Name(\_S5, Package(4){5, 5, 0, 0}) (ACPI 20.2.5.1 NameOp, 20.2.5.4
 * PackageOp; PkgLength 8 counts itself, NumElements and the elements). */
static const uint8_t dsdt_aml[] = {
	0x08, '\\', '_', 'S', '5', '_',            /* NameOp \_S5_ */
	0x12, 0x08, 0x04,                           /* PackageOp, PkgLength, 4 elements */
	0x0a, ACPI_BUILD_SLP_TYP_S5,                /* BytePrefix 5: SLP_TYPa */
	0x0a, ACPI_BUILD_SLP_TYP_S5,                /* BytePrefix 5: SLP_TYPb */
	0x00, 0x00,                                 /* ZeroOp, ZeroOp (reserved) */
};


/* ACPI checksum byte: makes all bytes of the structure sum to 0 mod 256. */
static uint8_t csum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)-s;
}

/* System description table header (5.2.6); the checksum is set last. */
static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	memcpy(t, sig, 4);
	put_le32(t + 4, len);
	t[8] = rev;
	t[9] = 0;
	memcpy(t + 10, ACPI_BUILD_OEM_ID, 6);
	memcpy(t + 16, table_id, 8);
	put_le32(t + 24, 1);                /* OEM revision */
	memcpy(t + 28, "LHV ", 4);      /* creator ID */
	put_le32(t + 32, 1);                /* creator revision */
}

static void sdt_finish(uint8_t *t)
{
	uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 |
		       (uint32_t)t[7] << 24;

	t[9] = 0;
	t[9] = csum(t, len);
}

/* Generic Address Structure (5.2.3.2) for an I/O port block. access: 1 byte,
 * 2 word, 3 dword. */
static void gas_io(uint8_t *g, uint16_t port, uint8_t len, uint8_t access)
{
	g[0] = 1;                       /* system I/O space */
	g[1] = (uint8_t)(len * 8);      /* register bit width */
	g[2] = 0;                       /* bit offset */
	g[3] = access;
	put_le64(g + 4, port);
}

static unsigned madt_len(unsigned n)
{
	unsigned nx = n > XAPIC_MAX_ID + 1 ? n - (XAPIC_MAX_ID + 1) : 0;

	return MADT_FIXED_LEN + (n - nx) * MADT_LAPIC_LEN + nx * MADT_X2APIC_LEN +
	       MADT_IOAPIC_LEN + MADT_NISO * MADT_ISO_LEN;
}

size_t acpi_build_size(unsigned ncpus)
{
	/* Each table starts 16-byte aligned, the FACS 64-byte aligned. */
	return ALIGN_UP(RSDP_LEN, 16) + ALIGN_UP(HDR_LEN + 2 * 8, 16) +
	       ALIGN_UP(HDR_LEN + 2 * 4, 16) + ALIGN_UP(FADT_LEN, 16) + 64 + FACS_LEN +
	       ALIGN_UP(HDR_LEN + sizeof(dsdt_aml), 16) + madt_len(ncpus);
}

static void build_madt(uint8_t *t, unsigned n)
{
	uint32_t len = madt_len(n);
	uint8_t *e;

	sdt_header(t, "APIC", len, 4, "LHVMADT ");
	put_le32(t + 36, ACPI_BUILD_LAPIC_ADDR);
	put_le32(t + 40, 1);                /* PCAT_COMPAT: 8259s present (to mask) */
	e = t + MADT_FIXED_LEN;
	for (unsigned i = 0; i < n; i++) {
		if (i <= XAPIC_MAX_ID) {
			/* Processor Local APIC (5.2.12.2): UID, APIC ID,
			 * flags bit 0 Enabled. */
			e[0] = 0;
			e[1] = MADT_LAPIC_LEN;
			e[2] = (uint8_t)i;
			e[3] = (uint8_t)i;
			put_le32(e + 4, 1);
			e += MADT_LAPIC_LEN;
		} else {
			/* Processor Local x2APIC (5.2.12.12): reserved,
			 * x2APIC ID, flags, UID. */
			e[0] = 9;
			e[1] = MADT_X2APIC_LEN;
			put_le16(e + 2, 0);
			put_le32(e + 4, i);
			put_le32(e + 8, 1);
			put_le32(e + 12, i);
			e += MADT_X2APIC_LEN;
		}
	}
	/* I/O APIC (5.2.12.3): ID, reserved, address, GSI base. */
	e[0] = 1;
	e[1] = MADT_IOAPIC_LEN;
	e[2] = ACPI_BUILD_IOAPIC_ID(n);
	e[3] = 0;
	put_le32(e + 4, ACPI_BUILD_IOAPIC_ADDR);
	put_le32(e + 8, 0);
	e += MADT_IOAPIC_LEN;
	/* Interrupt Source Overrides (5.2.12.5): bus 0 (ISA), source, GSI,
	 * flags. The PIT's IRQ0 is wired to pin 2 as on PCs; the SCI is
	 * stated explicitly, since without an override an OS takes the
	 * SCI as level, active low. */
	e[0] = 2; e[1] = MADT_ISO_LEN; e[2] = 0; e[3] = 0;
	put_le32(e + 4, 2);
	put_le16(e + 8, ACPI_BUILD_IRQ0_FLAGS);
	e += MADT_ISO_LEN;
	e[0] = 2; e[1] = MADT_ISO_LEN; e[2] = 0; e[3] = ACPI_BUILD_SCI_IRQ;
	put_le32(e + 4, ACPI_BUILD_SCI_IRQ);
	put_le16(e + 8, ACPI_BUILD_SCI_FLAGS);
	sdt_finish(t);
}

/* FADT flags (table 5.10) and IAPC_BOOT_ARCH (table 5.11). */
#define FADT_F_WBINVD       (1u << 0)
#define FADT_F_PROC_C1      (1u << 2)
#define FADT_F_PWR_BUTTON   (1u << 4)   /* set: no fixed-feature power button */
#define FADT_F_SLP_BUTTON   (1u << 5)   /* set: no fixed-feature sleep button */
#define FADT_F_HW_REDUCED   (1u << 20)
#define IAPC_VGA_NOT_PRESENT   (1u << 2)
#define IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

static void build_fadt(uint8_t *t, uint64_t facs, uint64_t dsdt, bool no_cmos_rtc)
{
	uint16_t boot_arch = IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED;

	/* LEGACY_DEVICES and 8042 (bits 0, 1) stay clear: no ISA devices an
	 * OS should probe blindly, and no keyboard controller. */
	if (no_cmos_rtc)
		boot_arch |= IAPC_CMOS_RTC_NOT_PRESENT;
	sdt_header(t, "FACP", FADT_LEN, 6, "LHVFADT ");
	/* X_FIRMWARE_CTRL must be 0 when FIRMWARE_CTRL is used (5.2.9). */
	put_le32(t + 36, (uint32_t)facs);
	put_le32(t + 40, (uint32_t)dsdt);
	t[45] = 0;                      /* preferred PM profile: unspecified */
	put_le16(t + 46, ACPI_BUILD_SCI_IRQ);
	put_le32(t + 48, 0);                /* SMI_CMD 0: always in ACPI mode */
	put_le32(t + 56, ACPI_BUILD_PM1A_EVT_PORT);
	put_le32(t + 64, ACPI_BUILD_PM1A_CNT_PORT);
	put_le32(t + 76, ACPI_BUILD_PM_TMR_PORT);
	t[88] = ACPI_BUILD_PM1_EVT_LEN;
	t[89] = ACPI_BUILD_PM1_CNT_LEN;
	t[91] = ACPI_BUILD_PM_TMR_LEN;
	/* C2/C3 latencies above 100/1000 us mean "not supported" (5.2.9). */
	put_le16(t + 96, 101);
	put_le16(t + 98, 1001);
	put_le16(t + 109, boot_arch);
	put_le32(t + 112, FADT_F_WBINVD | FADT_F_PROC_C1 | FADT_F_PWR_BUTTON | FADT_F_SLP_BUTTON);
	t[131] = 0;                     /* FADT minor version: 6.0 */
	put_le64(t + 140, dsdt);            /* X_DSDT, equal to DSDT */
	/* X_ blocks match the 32-bit ones: same port, bit width = length*8.
	 * PM1 registers are 16-bit (word access), the timer 32-bit. */
	gas_io(t + 148, ACPI_BUILD_PM1A_EVT_PORT, ACPI_BUILD_PM1_EVT_LEN, 2);
	gas_io(t + 172, ACPI_BUILD_PM1A_CNT_PORT, ACPI_BUILD_PM1_CNT_LEN, 2);
	gas_io(t + 208, ACPI_BUILD_PM_TMR_PORT, ACPI_BUILD_PM_TMR_LEN, 3);
	memcpy(t + 268, "LHV\0\0\0\0\0", 8);   /* hypervisor vendor identity */
	sdt_finish(t);
}

/* FACS (5.2.10): no checksum; version 2; the waking vector stays 0 (no S3). */
static void build_facs(uint8_t *f)
{
	memcpy(f, "FACS", 4);
	put_le32(f + 4, FACS_LEN);
	f[32] = 2;
}

int acpi_build(void *buf, size_t buflen, uint64_t gpa, const struct acpi_build_args *args,
	       struct acpi_layout *out, char *err, size_t errlen)
{
	uint8_t *b = buf, *t;
	unsigned n = args->ncpus;
	uint64_t off, need, rsdp, xsdt, rsdt, fadt, facs, dsdt, madt;

	if (n == 0 || n > ACPI_BUILD_MAX_CPUS)
		return fmt_error(err, errlen, "ACPI tables for %u vCPUs (expected 1..%u)", n, ACPI_BUILD_MAX_CPUS);
	if (!IS_ALIGNED(gpa, 16))
		return fmt_error(err, errlen, "ACPI tables at 0x%llx: RSDP not 16-byte aligned",
			    (unsigned long long)gpa);
	need = acpi_build_size(n);
	if (buflen < need)
		return fmt_error(err, errlen, "ACPI table buffer of %zu bytes (need %llu for %u vCPUs)",
			    buflen, (unsigned long long)need, n);
	if (gpa > GiB(4) || need > GiB(4) - gpa)        /* gpa + need could wrap */
		return fmt_error(err, errlen, "ACPI tables at 0x%llx: must lie below 4 GiB",
			    (unsigned long long)gpa);
	memset(b, 0, need);

	/* Guest-physical placement, aligned on absolute addresses. */
	rsdp = gpa;
	xsdt = ALIGN_UP(rsdp + RSDP_LEN, 16);
	rsdt = ALIGN_UP(xsdt + HDR_LEN + 2 * 8, 16);
	fadt = ALIGN_UP(rsdt + HDR_LEN + 2 * 4, 16);
	facs = ALIGN_UP(fadt + FADT_LEN, 64);   /* FACS: 64-byte aligned */
	dsdt = ALIGN_UP(facs + FACS_LEN, 16);
	madt = ALIGN_UP(dsdt + HDR_LEN + sizeof(dsdt_aml), 16);
	off = madt + madt_len(n) - gpa;

	/* DSDT: header, then the AML. Revision 2: 64-bit integers. */
	t = b + (dsdt - gpa);
	sdt_header(t, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2, "LHVDSDT ");
	memcpy(t + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	sdt_finish(t);

	build_facs(b + (facs - gpa));
	build_fadt(b + (fadt - gpa), facs, dsdt, args->no_cmos_rtc);
	build_madt(b + (madt - gpa), n);

	/* XSDT (64-bit entries) and RSDT (32-bit), both FADT then MADT. */
	t = b + (xsdt - gpa);
	sdt_header(t, "XSDT", HDR_LEN + 2 * 8, 1, "LHVXSDT ");
	put_le64(t + HDR_LEN, fadt);
	put_le64(t + HDR_LEN + 8, madt);
	sdt_finish(t);
	t = b + (rsdt - gpa);
	sdt_header(t, "RSDT", HDR_LEN + 2 * 4, 1, "LHVRSDT ");
	put_le32(t + HDR_LEN, (uint32_t)fadt);
	put_le32(t + HDR_LEN + 4, (uint32_t)madt);
	sdt_finish(t);

	/* RSDP revision 2: the first checksum covers the ACPI 1.0 part (20
	 * bytes), the extended one all 36 (5.2.5.3). */
	t = b + (rsdp - gpa);
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, ACPI_BUILD_OEM_ID, 6);
	t[15] = 2;
	put_le32(t + 16, (uint32_t)rsdt);
	put_le32(t + 20, RSDP_LEN);
	put_le64(t + 24, xsdt);
	t[8] = csum(t, 20);
	t[32] = csum(t, RSDP_LEN);

	*out = (struct acpi_layout){
		.rsdp = rsdp, .xsdt = xsdt, .rsdt = rsdt, .fadt = fadt, .facs = facs,
		.dsdt = dsdt, .madt = madt, .used = (size_t)off,
		.pm1a_evt_port = ACPI_BUILD_PM1A_EVT_PORT,
		.pm1a_cnt_port = ACPI_BUILD_PM1A_CNT_PORT,
		.pm_tmr_port = ACPI_BUILD_PM_TMR_PORT,
		.sci_irq = ACPI_BUILD_SCI_IRQ,
		.ioapic_id = ACPI_BUILD_IOAPIC_ID(n),
		.slp_typ_s5 = ACPI_BUILD_SLP_TYP_S5,
	};
	return 0;
}
