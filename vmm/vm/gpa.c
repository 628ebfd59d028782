/* Guest-physical RAM access: RAM is a list of 2 MiB host chunks. */
#include "vmm/vm/gpa.h"
#include "core/mm.h"

/* Is [gpa, gpa+len) all RAM (an empty range is)? The copies check it
 * whole first, so a copy that fails copies nothing (a kvmclock record half
 * past the end of RAM is not half written). */
static bool range_is_ram(const struct vm *vm, uint64_t gpa, size_t len)
{
	return !len || (gpa < vm->ram_size && len <= vm->ram_size - gpa);
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, size_t len)
{
	if (!len || !range_is_ram(vm, gpa, len))
		return NULL;
	uint64_t chunk = gpa >> 21, off = gpa & (MiB(2) - 1);
	if (off + len > MiB(2))
		return NULL;
	return phys_to_virt(vm->ram_chunks[chunk] + off);
}

bool vm_read_gpa(struct vm *vm, uint64_t gpa, void *dst, size_t len)
{
	uint8_t *d = dst;
	if (!range_is_ram(vm, gpa, len))
		return false;
	while (len) {
		size_t n = MIN(len, (size_t)(MiB(2) - (gpa & (MiB(2) - 1))));
		void *src = gpa_to_hva(vm, gpa, n);
		if (!src)
			return false;
		memcpy(d, src, n);
		d += n;
		gpa += n;
		len -= n;
	}
	return true;
}

bool vm_write_gpa(struct vm *vm, uint64_t gpa, const void *src, size_t len)
{
	const uint8_t *s = src;
	if (!range_is_ram(vm, gpa, len))
		return false;
	while (len) {
		size_t n = MIN(len, (size_t)(MiB(2) - (gpa & (MiB(2) - 1))));
		void *dst = gpa_to_hva(vm, gpa, n);
		if (!dst)
			return false;
		memcpy(dst, s, n);
		s += n;
		gpa += n;
		len -= n;
	}
	return true;
}
