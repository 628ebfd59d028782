/* Multiboot2 boot information parser (see boot/mb2.h).
 *
 * Layout (Multiboot2 specification, "Boot information format"): a u32
 * total_size and a u32 reserved word, then tags { u32 type; u32 size; ... }
 * each starting 8-byte aligned (the padding is not counted in size), closed
 * by an end tag { 0, 8 }. Every read goes through rd32/rd64, which copy, so
 * an unaligned host buffer is no undefined behaviour; bounds are checked
 * before each read. */
#include "boot/mb2.h"
#include "core/fmt.h"

enum {
	MB2_TAG_END = 0, MB2_TAG_CMDLINE = 1, MB2_TAG_LOADER = 2,
	MB2_TAG_MODULE = 3, MB2_TAG_MMAP = 6, MB2_TAG_RSDP_OLD = 14,
	MB2_TAG_RSDP_NEW = 15,
};

#define TAG_HDR        8u   /* type, size */
#define MMAP_HDR       16u  /* tag header, entry_size, entry_version */
#define MMAP_ENTRY_MIN 24u  /* base, len, type, reserved */
#define MODULE_HDR     16u  /* tag header, mod_start, mod_end */
#define RSDP_V1_LEN    20u
#define RSDP_V2_LEN    36u

struct mb2_ctx {
	const uint8_t *info;
	uint32_t total;
	struct boot_info *out;
	bool have_new_rsdp;
	char *err;
	size_t errlen;
};

#define fail(c, ...) fmt_error((c)->err, (c)->errlen, __VA_ARGS__)

/* A string filling p[0..len) must end inside it. */
static const char *tag_string(const uint8_t *p, size_t len)
{
	return strnlen((const char *)p, len) < len ? (const char *)p : NULL;
}

static int parse_string_tag(struct mb2_ctx *c, const uint8_t *tag, uint32_t size,
			    const char **dst, const char *what)
{
	const char *s = tag_string(tag + TAG_HDR, size - TAG_HDR);

	if (!s)
		return fail(c, "multiboot2: %s tag: string not NUL-terminated inside its %u-byte tag",
			    what, size);
	*dst = s;
	return 0;
}

static int parse_module(struct mb2_ctx *c, const uint8_t *tag, uint32_t size)
{
	uint32_t start, end;
	const char *s;

	if (size < MODULE_HDR + 1)
		return fail(c, "multiboot2: module tag: size %u too small (expected >= %u)",
			    size, MODULE_HDR + 1);
	start = get_le32(tag + 8);
	end = get_le32(tag + 12);
	if (start > end)
		return fail(c, "multiboot2: module tag: start 0x%x > end 0x%x", start, end);
	s = tag_string(tag + MODULE_HDR, size - MODULE_HDR);
	if (!s)
		return fail(c, "multiboot2: module tag at 0x%x: string not NUL-terminated", start);
	if (c->out->nmods >= BOOT_MAX_MODULES) {
		c->out->dropped_mods++;
		return 0;
	}
	c->out->mods[c->out->nmods++] = (struct boot_module){ start, end, s };
	return 0;
}

static int parse_mmap(struct mb2_ctx *c, const uint8_t *tag, uint32_t size)
{
	uint32_t esize, n;

	if (size < MMAP_HDR)
		return fail(c, "multiboot2: memory map tag: size %u too small (expected >= %u)",
			    size, MMAP_HDR);
	esize = get_le32(tag + 8);
	if (esize < MMAP_ENTRY_MIN)
		return fail(c, "multiboot2: memory map tag: entry_size %u (expected >= %u)",
			    esize, MMAP_ENTRY_MIN);
	if ((size - MMAP_HDR) % esize)
		return fail(c, "multiboot2: memory map tag: size %u is not 16 + a multiple of entry_size %u",
			    size, esize);
	n = (size - MMAP_HDR) / esize;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = tag + MMAP_HDR + (size_t)i * esize;
		uint64_t base = get_le64(e), len = get_le64(e + 8);

		if (len > UINT64_MAX - base)
			return fail(c, "multiboot2: memory map entry %u: base 0x%llx + length 0x%llx overflows",
				    i, (unsigned long long)base, (unsigned long long)len);
		if (len == 0)
			continue;   /* says nothing; not worth a slot */
		if (c->out->nmmap >= BOOT_MAX_MMAP) {
			c->out->dropped_mmap++;
			continue;
		}
		c->out->mmap[c->out->nmmap++] = (struct boot_mmap_entry){ base, len, get_le32(e + 16) };
	}
	return 0;
}

static int parse_rsdp(struct mb2_ctx *c, const uint8_t *tag, uint32_t size, bool is_new)
{
	uint32_t need = is_new ? RSDP_V2_LEN : RSDP_V1_LEN;

	if (size < TAG_HDR + need)
		return fail(c, "multiboot2: ACPI %s RSDP tag: size %u too small (expected >= %u)",
			    is_new ? "new" : "old", size, TAG_HDR + need);
	/* The new (ACPI 2.0+) copy wins whatever the tag order. */
	if (!is_new && c->have_new_rsdp)
		return 0;
	c->have_new_rsdp |= is_new;
	c->out->rsdp = tag + TAG_HDR;
	c->out->rsdp_len = size - TAG_HDR;
	return 0;
}

static int parse_tag(struct mb2_ctx *c, const uint8_t *tag, uint32_t type, uint32_t size)
{
	switch (type) {
	case MB2_TAG_CMDLINE:  return parse_string_tag(c, tag, size, &c->out->cmdline, "cmdline");
	case MB2_TAG_LOADER:   return parse_string_tag(c, tag, size, &c->out->loader, "boot loader name");
	case MB2_TAG_MODULE:   return parse_module(c, tag, size);
	case MB2_TAG_MMAP:     return parse_mmap(c, tag, size);
	case MB2_TAG_RSDP_OLD: return parse_rsdp(c, tag, size, false);
	case MB2_TAG_RSDP_NEW: return parse_rsdp(c, tag, size, true);
	default:               return 0;   /* framebuffer, EFI, ...: not ours */
	}
}

static int walk_tags(struct mb2_ctx *c)
{
	size_t off = 8;

	while (off + TAG_HDR <= c->total) {
		const uint8_t *tag = c->info + off;
		uint32_t type = get_le32(tag), size = get_le32(tag + 4);

		if (size < TAG_HDR)
			return fail(c, "multiboot2: tag type %u at offset %zu: size %u < 8",
				    type, off, size);
		if (size > c->total - off)
			return fail(c, "multiboot2: tag type %u at offset %zu: size %u runs past total_size %u",
				    type, off, size, c->total);
		if (type == MB2_TAG_END) {
			if (size != TAG_HDR)
				return fail(c, "multiboot2: end tag at offset %zu: size %u (expected 8)",
					    off, size);
			return 0;
		}
		if (parse_tag(c, tag, type, size))
			return -1;
		off += ALIGN_UP((size_t)size, 8);
	}
	return fail(c, "multiboot2: no end tag within total_size %u", c->total);
}

int mb2_parse(const void *info, size_t avail, uint64_t phys,
	      struct boot_info *out, char *err, size_t errlen)
{
	struct mb2_ctx c = { info, 0, out, false, err, errlen };

	memset(out, 0, sizeof(*out));
	out->loader = "multiboot2";
	out->cmdline = "";
	if (errlen)
		err[0] = '\0';
	if (!info || avail < 8)
		return fail(&c, "multiboot2: info too small (%zu bytes readable)", avail);
	/* Tags are aligned relative to the info, which must itself be 8-byte
	 * aligned (the loader guarantees it; anything else is corruption). */
	if (phys & 7)
		return fail(&c, "multiboot2: info at 0x%llx is not 8-byte aligned",
			    (unsigned long long)phys);
	c.total = get_le32(info);
	if (c.total < 8 + TAG_HDR)
		return fail(&c, "multiboot2: total_size %u too small for an end tag", c.total);
	if (c.total > avail)
		return fail(&c, "multiboot2: total_size %u exceeds the %zu readable bytes",
			    c.total, avail);
	out->info_start = phys;
	out->info_end = phys + c.total;
	return walk_tags(&c);
}
