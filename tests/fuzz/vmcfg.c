/* Fuzz target: guest module lines (vmm/vm/config.c).
 * Input: the free memory (8 bytes, little-endian), the error buffer's size
 * (1 byte), then the line (cut at its first NUL; an exact-size heap copy).
 * Checks: an accepted line gives a valid name, 1-64 vCPUs, memory that is
 * a multiple of 2 MiB between 2 MiB and the free memory, a weight of
 * 1-65535, a cap of at most 100% per vCPU, no slice or one of 100 us-1 s,
 * a NUL-terminated guest command line shorter than its buffer, an initrd
 * line carries nothing but its name and a Multiboot module line nothing but
 * its name and string; a refused one has a message,
 * prefixed with "vm=<name>: " exactly when a valid name was given (and
 * then cfg->name holds it). */
#include "tests/fuzz/fuzz.h"
#include "vmm/vm/config.h"

static bool name_ok(const char *s)
{
	size_t n = strnlen(s, VM_NAME_MAX);
	if (n == 0 || n >= VM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint64_t mem_free = fz_u64(&f);
	size_t errlen = fz_u8(&f) % 200, n;
	const uint8_t *body = fz_rest(&f, &n);
	char *line = fz_strdup(body, n);
	char *err = malloc(errlen ? errlen : 1);
	struct vm_config *c = malloc(sizeof(*c));
	int r;

	memset(c, 0xa5, sizeof(*c));
	r = vm_config_parse(line, mem_free, c, err, errlen);
	if (r != 0)
		fz_check_err(err, errlen, true);        /* err is only written on failure */
	FZ_DEBUG("vm_config_parse %d '%s'\n", r, r && errlen ? err : "");
	FUZZ_CHECK(!c->name[0] || name_ok(c->name), "cfg->name '%.32s' invalid", c->name);
	if (r == 0) {
		FUZZ_CHECK(name_ok(c->name), "accepted without a valid name");
		if (c->is_initrd || c->is_module) {
			/* A module line ("vm=<name> module [-- <string>]") may
			 * carry its string, nothing else. */
			FUZZ_CHECK(!c->vcpus && !c->mem && !c->cap && !c->slice_ns &&
				   (c->is_module || !c->has_cmdline) && c->weight == VM_WEIGHT_DEFAULT,
				   "%s line with options", c->is_initrd ? "initrd" : "module");
			FUZZ_CHECK(!(c->is_initrd && c->is_module), "both initrd and module");
		} else {
			FUZZ_CHECK(c->vcpus >= 1 && c->vcpus <= VM_MAX_VCPUS, "vcpus %u", c->vcpus);
			FUZZ_CHECK(c->mem >= VM_MEM_MIN && c->mem <= mem_free &&
				   c->mem % VM_MEM_ALIGN == 0, "mem %llu of %llu free",
				   (unsigned long long)c->mem, (unsigned long long)mem_free);
			FUZZ_CHECK(c->weight >= 1 && c->weight <= VM_WEIGHT_MAX, "weight %u", c->weight);
			FUZZ_CHECK(c->cap <= 100 * c->vcpus, "cap %u for %u vcpus", c->cap, c->vcpus);
			FUZZ_CHECK(!c->slice_ns || (c->slice_ns >= VM_SLICE_MIN_NS &&
						    c->slice_ns <= VM_SLICE_MAX_NS),
				   "slice %llu ns", (unsigned long long)c->slice_ns);
		}
		if (c->has_cmdline) {
			size_t l = strnlen(c->cmdline, sizeof(c->cmdline));
			FUZZ_CHECK(l < sizeof(c->cmdline), "guest command line not terminated");
			FUZZ_CHECK(!l || (c->cmdline[l - 1] != ' ' && c->cmdline[l - 1] != '\t' &&
					  c->cmdline[l - 1] != '\n' && c->cmdline[l - 1] != '\r'),
				   "trailing blank kept");
			FUZZ_CHECK(strstr(line, c->cmdline) != NULL, "guest command line not from the line");
		}
	} else if (errlen > VM_NAME_MAX + 8) {
		bool named = name_ok(c->name);
		char prefix[VM_NAME_MAX + 8];
		snprintf(prefix, sizeof(prefix), "vm=%s: ", c->name);
		FUZZ_CHECK(!named || !strncmp(err, prefix, strlen(prefix)),
			   "message '%s' without its vm= prefix", err);
	}
	free(c);
	free(err);
	free(line);
	return 0;
}
