/* Fuzz target: the multiboot2 information parser (boot/mb2.c).
 * Input: one byte for the error buffer's size, then the information
 * structure itself (an exact-size, 8-byte aligned heap copy).
 * Checks: on success every string, module and RSDP points inside the
 * structure and is NUL-terminated there, the counts respect their arrays,
 * memory-map entries neither wrap nor are empty, and info_end - info_start
 * is the structure's total_size; on failure a message. */
#include "tests/fuzz/fuzz.h"
#include "boot/mb2.h"

static bool inside(const void *p, size_t len, const uint8_t *buf, size_t total)
{
	const uint8_t *q = p;
	return q >= buf && q <= buf + total && len <= (size_t)(buf + total - q);
}

static void check_str(const char *s, const uint8_t *buf, size_t total, const char *what)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	/* The defaults ("multiboot2", "") are static strings. */
	if (!inside(s, 0, buf, total))
		return;
	FUZZ_CHECK(strnlen(s, (size_t)(buf + total - (const uint8_t *)s)) <
		   (size_t)(buf + total - (const uint8_t *)s), "%s runs past total_size", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t errlen = fz_u8(&f) % 161, len;
	const uint8_t *body = fz_rest(&f, &len);
	uint8_t *buf = fz_dup(body, len);          /* malloc: 16-byte aligned */
	char *err = malloc(errlen ? errlen : 1);
	static struct boot_info bi;
	int r = mb2_parse(buf, len, 0x10000, &bi, err, errlen);

	fz_check_err(err, errlen, r != 0);
	FZ_DEBUG("mb2_parse %d '%s' mods %u mmap %u\n", r, errlen ? err : "", bi.nmods, bi.nmmap);
	if (r == 0) {
		uint32_t total = (uint32_t)(bi.info_end - bi.info_start);

		FUZZ_CHECK(bi.info_start == 0x10000 && total >= 16 && total <= len,
			   "info range 0x%llx-0x%llx", (unsigned long long)bi.info_start,
			   (unsigned long long)bi.info_end);
		FUZZ_CHECK(total == (uint32_t)(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24),
			   "info_end does not follow total_size");
		check_str(bi.cmdline, buf, total, "cmdline");
		check_str(bi.loader, buf, total, "loader");
		FUZZ_CHECK(bi.nmods <= BOOT_MAX_MODULES, "nmods %u", bi.nmods);
		FUZZ_CHECK(bi.nmmap <= BOOT_MAX_MMAP, "nmmap %u", bi.nmmap);
		for (unsigned i = 0; i < bi.nmods; i++) {
			FUZZ_CHECK(bi.mods[i].start <= bi.mods[i].end, "module %u reversed", i);
			FUZZ_CHECK(inside(bi.mods[i].cmdline, 1, buf, total), "module %u string outside", i);
			check_str(bi.mods[i].cmdline, buf, total, "module string");
		}
		for (unsigned i = 0; i < bi.nmmap; i++) {
			const struct boot_mmap_entry *e = &bi.mmap[i];
			FUZZ_CHECK(e->len && e->len <= UINT64_MAX - e->base, "mmap entry %u", i);
		}
		if (bi.rsdp) {
			FUZZ_CHECK(bi.rsdp_len >= 20 && inside(bi.rsdp, bi.rsdp_len, buf, total),
				   "RSDP copy of %zu bytes outside the info", bi.rsdp_len);
		}
		FUZZ_CHECK(!bi.dropped_mods || bi.nmods == BOOT_MAX_MODULES, "dropped modules with room left");
		FUZZ_CHECK(!bi.dropped_mmap || bi.nmmap == BOOT_MAX_MMAP, "dropped mmap with room left");
	}
	/* Misaligned info is refused before anything is read. */
	if (len >= 8)
		FUZZ_CHECK(mb2_parse(buf, len, 0x10004, &bi, err, errlen) == -1, "misaligned info accepted");
	free(err);
	free(buf);
	return 0;
}
