/* Fuzz target: the PVH start-info parser (boot/pvh.c).
 * Input: one byte for the error buffer's size, then guest-physical memory
 * from 0x1000 on, the start info at its first byte (padded with zeros to a
 * whole number of 4 KiB pages). map() hands out exact-size copies, so a
 * read past what was mapped is a heap overflow.
 * Checks: on success (or the version-0 failure, which fills all but the
 * memory map) strings are readable and NUL-terminated, counts respect their
 * arrays and the dropped counts, entries neither wrap nor are empty,
 * modules are ordered, info_start/info_end span the start info; on any
 * failure, a message. */
#include "tests/fuzz/fuzz.h"
#include "boot/pvh.h"

#define BASE 0x1000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t errlen = fz_u8(&f) % 161, len;
	const uint8_t *body = fz_rest(&f, &len);
	static struct fz_phys m;
	static struct boot_info bi;
	/* Memory comes in pages: pvh_parse probes strings a page-bounded chunk
	 * at a time. */
	size_t memlen = (len + 4095) / 4096 * 4096;
	uint8_t *mem = calloc(1, memlen ? memlen : 4096);
	char *err = malloc(errlen ? errlen : 1);
	int r;

	memcpy(mem, body, len);
	m.mem = mem;
	m.len = memlen ? memlen : 4096;
	m.base = BASE;
	uint8_t *si = fz_dup(mem, 56);
	r = pvh_parse(si, fz_phys_map, &m, BASE, &bi, err, errlen);
	fz_check_err(err, errlen, r != 0);
	FZ_DEBUG("pvh_parse %d '%s' mods %u mmap %u\n", r, errlen ? err : "", bi.nmods, bi.nmmap);
	bool v0 = r != 0 && errlen > 40 && strstr(err, "version 0 has no memory map");
	if (r == 0 || v0) {
		fz_touch_str(bi.cmdline);
		fz_touch_str(bi.loader);
		FUZZ_CHECK(bi.nmods <= BOOT_MAX_MODULES && bi.nmmap <= BOOT_MAX_MMAP,
			   "nmods %u nmmap %u", bi.nmods, bi.nmmap);
		for (unsigned i = 0; i < bi.nmods; i++) {
			FUZZ_CHECK(bi.mods[i].start <= bi.mods[i].end, "module %u reversed", i);
			fz_touch_str(bi.mods[i].cmdline);
		}
		FUZZ_CHECK(!bi.dropped_mods || bi.nmods == BOOT_MAX_MODULES, "dropped %u modules with room",
			   bi.dropped_mods);
		for (unsigned i = 0; i < bi.nmmap; i++)
			FUZZ_CHECK(bi.mmap[i].len && bi.mmap[i].len <= UINT64_MAX - bi.mmap[i].base,
				   "mmap entry %u", i);
		FUZZ_CHECK(bi.info_start <= BASE && bi.info_end >= BASE + 40 &&
			   bi.info_start < bi.info_end, "info range 0x%llx-0x%llx",
			   (unsigned long long)bi.info_start, (unsigned long long)bi.info_end);
		/* Everything handed out came from map(): inside the input. */
		FUZZ_CHECK(bi.info_end <= BASE + m.len && bi.info_start >= BASE,
			   "info range 0x%llx-0x%llx beyond the memory given",
			   (unsigned long long)bi.info_start, (unsigned long long)bi.info_end);
	}
	fz_arena_free(&m.arena);
	free(si);
	free(err);
	free(mem);
	return 0;
}
