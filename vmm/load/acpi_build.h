/* ACPI tables for a VM (pure logic, host-tested): RSDP, XSDT and RSDT, FADT,
 * FACS, a minimal DSDT, and the MADT, built into one caller buffer that the
 * guest sees at a given guest-physical address (ACPI 6.x, chapter 5).
 *
 * What the tables promise, and so what the device model must provide:
 *  - local APICs at 0xFEE00000 with APIC IDs 0..n-1, all enabled;
 *  - one I/O APIC at 0xFEC00000, GSI base 0, ID ACPI_BUILD_IOAPIC_ID(n);
 *    ISA IRQ0 arrives on GSI2 (edge, active high), the SCI on GSI9 (level,
 *    active high); the other ISA IRQs are identity-mapped, edge, high;
 *  - 8259 PICs present (MADT PCAT_COMPAT), no 8042, no VGA, no MSI;
 *  - ACPI fixed hardware in I/O ports: PM1a event block (status, enable) at
 *    ACPI_BUILD_PM1A_EVT_PORT, PM1a control at ACPI_BUILD_PM1A_CNT_PORT, a
 *    24-bit 3.579545 MHz PM timer at ACPI_BUILD_PM_TMR_PORT; no SMI command
 *    port, so the OS takes the machine as always in ACPI mode; no GPE
 *    blocks, no fixed power or sleep button;
 *  - \_S5 = {5, 5}: Linux's poweroff writes SLP_TYP=5 with SLP_EN to
 *    PM1a_CNT (ACPI 4.8.3.2.1, 7.4.2), which the device model treats as
 *    "power off this VM".
 * Table placement: the RSDP first (16-byte aligned, for the BIOS-area search
 * of ACPI 5.2.5.1, so gpa is normally ACPI_BUILD_RSDP_GPA), the rest after
 * it; everything must lie below 4 GiB (the RSDT and FADT hold 32-bit
 * addresses too). */
#ifndef VMM_ACPI_BUILD_H
#define VMM_ACPI_BUILD_H
#include "core/lib.h"

#define ACPI_BUILD_RSDP_GPA         0xe0000ull  /* BIOS read-only area */
#define ACPI_BUILD_OEM_ID           "LHV   "    /* 6 characters */

#define ACPI_BUILD_LAPIC_ADDR       0xfee00000u
#define ACPI_BUILD_IOAPIC_ADDR      0xfec00000u
#define ACPI_BUILD_IOAPIC_PINS      24
/* After the local APICs' IDs while they leave room in 8 bits; a 64-bit
 * Linux only wants I/O APIC IDs unique among I/O APICs. */
#define ACPI_BUILD_IOAPIC_ID(n)     ((uint8_t)((n) < 0xfe ? (n) : 0xfe))
#define ACPI_BUILD_MAX_CPUS         1024u

/* Fixed hardware I/O ports (FADT PM1a_EVT_BLK, PM1a_CNT_BLK, PM_TMR_BLK). */
#define ACPI_BUILD_PM_BASE          0x600
#define ACPI_BUILD_PM1A_EVT_PORT    0x600   /* PM1_STS u16, then PM1_EN u16 */
#define ACPI_BUILD_PM1_EVT_LEN      4
#define ACPI_BUILD_PM1A_CNT_PORT    0x604   /* PM1_CNT u16 */
#define ACPI_BUILD_PM1_CNT_LEN      2
#define ACPI_BUILD_PM_TMR_PORT      0x608   /* PM_TMR u32, 24 bits count */
#define ACPI_BUILD_PM_TMR_LEN       4
#define ACPI_BUILD_PM_TMR_HZ        3579545u

/* SCI: ISA IRQ 9 = GSI 9, level-triggered, active high (MADT ISO). */
#define ACPI_BUILD_SCI_IRQ          9
/* MPS INTI flags (ACPI 5.2.12.5): polarity bits 1:0, trigger mode 3:2. */
#define ACPI_INTI_POL_HIGH          0x1
#define ACPI_INTI_POL_LOW           0x3
#define ACPI_INTI_TRIG_EDGE         (0x1 << 2)
#define ACPI_INTI_TRIG_LEVEL        (0x3 << 2)
#define ACPI_BUILD_SCI_FLAGS        (ACPI_INTI_POL_HIGH | ACPI_INTI_TRIG_LEVEL)
#define ACPI_BUILD_IRQ0_FLAGS       (ACPI_INTI_POL_HIGH | ACPI_INTI_TRIG_EDGE)

/* PM1 control register (ACPI 4.8.3.2.1). */
#define ACPI_PM1_CNT_SCI_EN         (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT  10
#define ACPI_PM1_CNT_SLP_TYP_MASK   (7u << 10)
#define ACPI_PM1_CNT_SLP_EN         (1u << 13)
#define ACPI_BUILD_SLP_TYP_S5       5       /* \_S5 package values */

struct acpi_build_args {
	unsigned ncpus;                 /* 1..ACPI_BUILD_MAX_CPUS */
	bool no_cmos_rtc;               /* FADT IAPC_BOOT_ARCH "CMOS RTC not present" */
};

/* Where each table went (guest-physical) and what they describe. */
struct acpi_layout {
	uint64_t rsdp, xsdt, rsdt, fadt, facs, dsdt, madt;
	size_t used;                    /* bytes of the buffer written */
	uint16_t pm1a_evt_port, pm1a_cnt_port, pm_tmr_port;
	uint8_t sci_irq;
	uint8_t ioapic_id;
	uint8_t slp_typ_s5;
};

/* Bytes acpi_build needs for ncpus vCPUs (an upper bound, padding included). */
size_t acpi_build_size(unsigned ncpus);

/* Build the tables into buf (buflen bytes) for guest-physical gpa (16-byte
 * aligned). Returns 0, or -1 with a message in err (size errlen). */
int acpi_build(void *buf, size_t buflen, uint64_t gpa, const struct acpi_build_args *args,
	       struct acpi_layout *out, char *err, size_t errlen);

#endif
