/* ACPI table walker (see hw/acpi_tables.h). Offsets and encodings follow the
 * ACPI specification (6.x): RSDP (5.2.5), system description table header
 * (5.2.6), RSDT/XSDT (5.2.7-8), FADT (5.2.9), MADT (5.2.12), and for \_S5 the
 * AML grammar (20.2: NameOp, PackageOp, PkgLength, data object prefixes).
 * Tables are read through map() and every read is bounds-checked first; all
 * multi-byte reads copy, since firmware tables are often unaligned. */
#include "hw/acpi_tables.h"
#include "core/fmt.h"

#define SDT_HDR_LEN   36u
#define SDT_MAX_LEN   (4u << 20)   /* far above any real table; stops garbage */
#define RSDP_V1_LEN   20u
#define RSDP_V2_LEN   36u

struct acpi_ctx {
	acpi_map_fn map;
	void *mctx;
	struct acpi_info *out;
	char *err;
	size_t errlen;
};

#define fail(c, ...) fmt_error((c)->err, (c)->errlen, __VA_ARGS__)

/* ACPI checksums: all bytes of the structure sum to 0 modulo 256. */
static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* NULL when p[0..len) holds a valid RSDP, else what is wrong with it. */
static const char *rsdp_problem(const uint8_t *p, size_t len)
{
	if (len < RSDP_V1_LEN)
		return "shorter than 20 bytes";
	if (memcmp(p, "RSD PTR ", 8) != 0)
		return "bad signature";
	if (sum8(p, RSDP_V1_LEN))
		return "bad checksum";
	/* Revision 2+ adds length, XSDT address and an extended checksum
	 * over the whole 36-byte structure. */
	if (p[15] >= 2 && len < RSDP_V2_LEN)
		return "revision 2+ but shorter than 36 bytes";
	if (p[15] >= 2 && sum8(p, RSDP_V2_LEN))
		return "bad extended checksum";
	return NULL;
}

long acpi_find_rsdp(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t off = 0; len >= RSDP_V1_LEN && off <= len - RSDP_V1_LEN; off += 16)
		if (!rsdp_problem(p + off, len - off))
			return (long)off;
	return -1;
}

/* Map and check the table at phys: signature sig (NULL: any), 36 <= length
 * <= SDT_MAX_LEN, checksum. what names the table in messages. */
static const uint8_t *map_sdt(struct acpi_ctx *c, uint64_t phys, const char *sig,
			      const char *what, uint32_t *len)
{
	const uint8_t *h;
	uint32_t n;

	h = phys ? c->map(c->mctx, phys, SDT_HDR_LEN) : NULL;
	if (!h) {
		fail(c, "ACPI %s at 0x%llx: cannot map its header", what, (unsigned long long)phys);
		return NULL;
	}
	if (sig && memcmp(h, sig, 4) != 0) {
		fail(c, "ACPI %s at 0x%llx: signature '%.4s' (expected '%s')", what,
		     (unsigned long long)phys, (const char *)h, sig);
		return NULL;
	}
	n = get_le32(h + 4);
	if (n < SDT_HDR_LEN || n > SDT_MAX_LEN) {
		fail(c, "ACPI %s at 0x%llx: length %u (expected %u..%u)", what,
		     (unsigned long long)phys, n, SDT_HDR_LEN, SDT_MAX_LEN);
		return NULL;
	}
	h = c->map(c->mctx, phys, n);
	if (!h) {
		fail(c, "ACPI %s at 0x%llx: cannot map %u bytes", what, (unsigned long long)phys, n);
		return NULL;
	}
	if (sum8(h, n)) {
		fail(c, "ACPI %s at 0x%llx: bad checksum", what, (unsigned long long)phys);
		return NULL;
	}
	*len = n;
	return h;
}

/* ---- MADT ---- */

static bool have_apic_id(const struct acpi_info *o, uint32_t id)
{
	for (unsigned i = 0; i < o->ncpus; i++)
		if (o->cpus[i].apic_id == id)
			return true;
	return false;
}

/* Firmware may describe a CPU both as LAPIC and x2APIC; count it once. */
static void add_cpu(struct acpi_info *o, uint32_t apic_id, uint32_t uid, bool x2)
{
	if (have_apic_id(o, apic_id))
		return;
	if (o->ncpus >= ACPI_MAX_CPUS) {
		o->dropped_cpus++;
		return;
	}
	o->cpus[o->ncpus].apic_id = apic_id;
	o->cpus[o->ncpus].uid = uid;
	o->cpus[o->ncpus].x2apic = x2;
	o->ncpus++;
}

/* Minimum length of each entry type we read; 0 = type we skip. */
static uint8_t madt_min_len(uint8_t type)
{
	switch (type) {
	case 0: return 8;    /* processor local APIC */
	case 1: return 12;   /* I/O APIC */
	case 2: return 10;   /* interrupt source override */
	case 5: return 12;   /* local APIC address override */
	case 9: return 16;   /* processor local x2APIC */
	default: return 0;
	}
}

static void madt_entry(struct acpi_info *o, const uint8_t *e)
{
	switch (e[0]) {
	case 0:   /* uid u8, apic id u8, flags u32 (bit 0 enabled) */
		if (get_le32(e + 4) & 1)
			add_cpu(o, e[3], e[2], false);
		break;
	case 9:   /* reserved u16, x2apic id u32, flags u32, uid u32 */
		if (get_le32(e + 8) & 1)
			add_cpu(o, get_le32(e + 4), get_le32(e + 12), true);
		break;
	case 1:   /* id u8, reserved u8, address u32, GSI base u32 */
		if (o->nioapics < ACPI_MAX_IOAPICS) {
			o->ioapics[o->nioapics].id = e[2];
			o->ioapics[o->nioapics].addr = get_le32(e + 4);
			o->ioapics[o->nioapics].gsi_base = get_le32(e + 8);
			o->nioapics++;
		}
		break;
	case 2:   /* bus u8 (0 = ISA), source IRQ u8, GSI u32, flags u16 */
		if (o->nisos < ACPI_MAX_ISOS) {
			o->isos[o->nisos].irq = e[3];
			o->isos[o->nisos].gsi = get_le32(e + 4);
			o->isos[o->nisos].flags = get_le16(e + 8);
			o->nisos++;
		}
		break;
	case 5:   /* reserved u16, 64-bit local APIC address */
		o->lapic_addr = get_le64(e + 4);
		break;
	}
}

static int parse_madt(struct acpi_ctx *c, const uint8_t *t, uint32_t len)
{
	struct acpi_info *o = c->out;
	uint32_t off = 44;   /* header, local APIC address u32, flags u32 */

	if (len < 44)
		return fail(c, "ACPI MADT: length %u too short (expected >= 44)", len);
	o->lapic_addr = get_le32(t + 36);
	o->pcat_compat = get_le32(t + 40) & 1;
	while (off < len) {
		uint8_t type, elen;

		if (len - off < 2)
			return fail(c, "ACPI MADT: truncated entry header at offset %u", off);
		type = t[off];
		elen = t[off + 1];
		/* A zero length would loop forever; one less than the header
		 * cannot be right either. */
		if (elen < 2 || elen > len - off)
			return fail(c, "ACPI MADT: entry type %u at offset %u: length %u (table length %u)",
				    type, off, elen, len);
		if (elen < madt_min_len(type))
			return fail(c, "ACPI MADT: entry type %u at offset %u: length %u (expected >= %u)",
				    type, off, elen, madt_min_len(type));
		madt_entry(o, t + off);
		off += elen;
	}
	o->have_madt = true;
	return 0;
}

/* ---- FADT ---- */

/* FADT field offsets (ACPI 6.x table 5.9). */
enum {
	FADT_DSDT = 40, FADT_SCI_INT = 46, FADT_SMI_CMD = 48, FADT_ACPI_ENABLE = 52,
	FADT_PM1A_CNT = 64, FADT_PM1B_CNT = 68, FADT_PM_TMR = 76,
	FADT_PM1_CNT_LEN = 89, FADT_PM_TMR_LEN = 91, FADT_FLAGS = 112,
	FADT_RESET_REG = 116, FADT_RESET_VALUE = 128, FADT_X_DSDT = 140,
	FADT_X_PM1A_CNT = 172, FADT_X_PM1B_CNT = 184, FADT_X_PM_TMR = 208,
};
#define FADT_TMR_VAL_EXT   (1u << 8)
#define FADT_RESET_REG_SUP (1u << 10)
#define GAS_LEN 12u

/* Generic Address Structure: space u8, bit width u8, bit offset u8,
 * access size u8, address u64. */
static struct acpi_gas read_gas(const uint8_t *p)
{
	return (struct acpi_gas){ .space = p[0], .width = p[1], .addr = get_le64(p + 4) };
}

/* The 32-bit I/O-port block, replaced by its X_ GAS when the table has one
 * with a non-zero address. */
static struct acpi_gas fadt_block(const uint8_t *t, uint32_t len, unsigned off,
				  unsigned len_off, unsigned xoff)
{
	struct acpi_gas g = { ACPI_SPACE_IO, 0, 0 };

	if (len >= off + 4)
		g.addr = get_le32(t + off);
	if (len > len_off)
		g.width = (uint8_t)(t[len_off] * 8);
	if (len >= xoff + GAS_LEN && get_le64(t + xoff + 4))
		g = read_gas(t + xoff);
	return g;
}

static void parse_fadt(struct acpi_info *o, const uint8_t *t, uint32_t len)
{
	uint32_t flags = len >= FADT_FLAGS + 4 ? get_le32(t + FADT_FLAGS) : 0;

	if (len >= FADT_SCI_INT + 2) o->sci_irq = get_le16(t + FADT_SCI_INT);
	if (len >= FADT_SMI_CMD + 4) o->smi_cmd = get_le32(t + FADT_SMI_CMD);
	if (len > FADT_ACPI_ENABLE) o->acpi_enable = t[FADT_ACPI_ENABLE];
	o->pm1a_cnt = fadt_block(t, len, FADT_PM1A_CNT, FADT_PM1_CNT_LEN, FADT_X_PM1A_CNT);
	o->pm1b_cnt = fadt_block(t, len, FADT_PM1B_CNT, FADT_PM1_CNT_LEN, FADT_X_PM1B_CNT);
	o->pm_tmr = fadt_block(t, len, FADT_PM_TMR, FADT_PM_TMR_LEN, FADT_X_PM_TMR);
	o->pm_tmr_32bit = flags & FADT_TMR_VAL_EXT;
	/* RESET_REG appeared in FADT revision 2 (ACPI 2.0). */
	if (t[8] >= 2 && len > FADT_RESET_VALUE && (flags & FADT_RESET_REG_SUP)) {
		o->reset_reg = read_gas(t + FADT_RESET_REG);
		o->reset_value = t[FADT_RESET_VALUE];
		o->have_reset = o->reset_reg.addr != 0;
	}
	if (len >= FADT_DSDT + 4) o->dsdt = get_le32(t + FADT_DSDT);
	if (len >= FADT_X_DSDT + 8 && get_le64(t + FADT_X_DSDT)) o->dsdt = get_le64(t + FADT_X_DSDT);
	o->have_fadt = true;
}

/* ---- \_S5 in the DSDT ---- */

/* PkgLength at p (AML 20.2.4): bits 7-6 of the lead byte count the extra
 * bytes (0-3); with none, bits 5-0 are the length, else bits 3-0 are its low
 * nibble and each extra byte adds 8 more bits. Returns bytes used or 0. */
static size_t pkg_length(const uint8_t *p, size_t avail, uint32_t *out)
{
	size_t extra;
	uint32_t v;

	if (avail == 0)
		return 0;
	extra = p[0] >> 6;
	if (extra == 0) {
		*out = p[0] & 0x3f;
		return 1;
	}
	if (avail < extra + 1 || (p[0] & 0x30))
		return 0;
	v = p[0] & 0x0f;
	for (size_t i = 0; i < extra; i++)
		v |= (uint32_t)p[1 + i] << (4 + 8 * i);
	*out = v;
	return extra + 1;
}

/* One integer element of the package; returns bytes used or 0. SLP_TYP is a
 * 3-bit field, so the low byte of a wider constant is all that matters. */
static size_t s5_element(const uint8_t *p, size_t avail, uint8_t *v)
{
	if (avail == 0)
		return 0;
	switch (p[0]) {
	case 0x00: *v = 0; return 1;                        /* ZeroOp */
	case 0x01: *v = 1; return 1;                        /* OneOp */
	case 0x0a: if (avail < 2) return 0; *v = p[1]; return 2;  /* BytePrefix */
	case 0x0b: if (avail < 3) return 0; *v = p[1]; return 3;  /* WordPrefix */
	case 0x0c: if (avail < 5) return 0; *v = p[1]; return 5;  /* DWordPrefix */
	default:
		/* Some firmware writes small values as bare bytes; anything
		 * that could be another opcode or a name is not a value. */
		if (p[0] <= 0x09) { *v = p[0]; return 1; }
		return 0;
	}
}

/* Decode the package after the "_S5_" name at aml[at]; 0 when it is one. */
static int s5_package(const uint8_t *aml, size_t len, size_t at, uint8_t *typa, uint8_t *typb)
{
	size_t p = at + 4, n, end;
	uint32_t pkglen;

	if (p >= len || aml[p] != 0x12)     /* PackageOp */
		return -1;
	p++;
	n = pkg_length(aml + p, len - p, &pkglen);
	/* PkgLength counts itself and the package body. */
	if (n == 0 || pkglen < n + 1 || pkglen > len - p)
		return -1;
	end = p + pkglen;
	p += n;
	if (aml[p++] < 2)                   /* NumElements */
		return -1;
	n = s5_element(aml + p, end - p, typa);
	if (n == 0)
		return -1;
	p += n;
	return s5_element(aml + p, end - p, typb) ? 0 : -1;
}

int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	/* Find a definition Name(_S5, Package...): NameOp 0x08, optionally a
	 * root prefix '\', then "_S5_". Other mentions (references inside
	 * methods) are skipped and the search goes on. */
	for (size_t i = 1; len >= 4 && i <= len - 4; i++) {
		bool named;

		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		named = aml[i - 1] == 0x08 ||
			(aml[i - 1] == '\\' && i >= 2 && aml[i - 2] == 0x08);
		if (named && s5_package(aml, len, i, typa, typb) == 0)
			return 0;
	}
	return -1;
}

/* ---- RSDT/XSDT walk ---- */

static int use_table(struct acpi_ctx *c, uint64_t phys, const char *root, unsigned idx)
{
	char what[32];
	const uint8_t *h, *t;
	uint32_t len;

	if (phys == 0)
		return 0;   /* empty slot: some firmware leaves them */
	h = c->map(c->mctx, phys, SDT_HDR_LEN);
	if (!h)
		return fail(c, "ACPI %s entry %u (0x%llx): cannot map", root, idx,
			    (unsigned long long)phys);
	if (memcmp(h, "APIC", 4) == 0 && !c->out->have_madt) {
		fmt_snprintf(what, sizeof(what), "MADT (%s entry %u)", root, idx);
		t = map_sdt(c, phys, "APIC", what, &len);
		return t ? parse_madt(c, t, len) : -1;
	}
	if (memcmp(h, "FACP", 4) == 0 && !c->out->have_fadt) {
		fmt_snprintf(what, sizeof(what), "FADT (%s entry %u)", root, idx);
		t = map_sdt(c, phys, "FACP", what, &len);
		if (!t)
			return -1;
		parse_fadt(c->out, t, len);
	}
	return 0;   /* tables we do not use are not checked */
}

static int parse_s5(struct acpi_ctx *c)
{
	const uint8_t *t;
	uint32_t len;

	if (!c->out->dsdt)
		return 0;
	t = map_sdt(c, c->out->dsdt, "DSDT", "DSDT", &len);
	if (!t)
		return -1;
	/* No \_S5 is not an error: the machine just cannot power off by ACPI. */
	c->out->have_s5 = acpi_parse_s5(t + SDT_HDR_LEN, len - SDT_HDR_LEN,
					&c->out->slp_typa, &c->out->slp_typb) == 0;
	return 0;
}

int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
	       struct acpi_info *out, char *err, size_t errlen)
{
	struct acpi_ctx c = { map, ctx, out, err, errlen };
	const uint8_t *r = rsdp, *root;
	uint64_t xsdt = 0;
	uint32_t len, esize;
	const char *rname, *problem;

	memset(out, 0, sizeof(*out));
	if (errlen)
		err[0] = '\0';
	if (!r)
		return fail(&c, "ACPI RSDP: none given");
	if ((problem = rsdp_problem(r, rsdp_len)))
		return fail(&c, "ACPI RSDP: %s", problem);
	out->revision = r[15];
	memcpy(out->oem, r + 9, 6);
	if (out->revision >= 2)
		xsdt = get_le64(r + 24);
	/* XSDT entries are 64-bit, RSDT ones 32-bit. */
	rname = xsdt ? "XSDT" : "RSDT";
	esize = xsdt ? 8 : 4;
	root = map_sdt(&c, xsdt ? xsdt : get_le32(r + 16), rname, rname, &len);
	if (!root)
		return -1;
	for (uint32_t i = 0; i < (len - SDT_HDR_LEN) / esize; i++) {
		const uint8_t *e = root + SDT_HDR_LEN + (size_t)i * esize;

		if (use_table(&c, esize == 8 ? get_le64(e) : get_le32(e), rname, i))
			return -1;
	}
	return parse_s5(&c);
}
