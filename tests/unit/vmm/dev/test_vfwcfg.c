/* Host tests for vmm/dev/vfwcfg.c: the items kvm-unit-tests reads
 * (lib/x86/fwcfg.c: a 16-bit OUT of the key to 0x510, then byte INs from
 * 0x511, little-endian). */
#include "tests/unit/check.h"
#include "vmm/dev/vfwcfg.h"

static struct vfwcfg f;

static uint64_t get(uint16_t key, unsigned bytes)
{
	uint32_t v = key;
	vfwcfg_pio(&f, VFWCFG_PORT_SEL, 2, false, &v);
	uint64_t r = 0;
	for (unsigned i = 0; i < bytes; i++) {
		vfwcfg_pio(&f, VFWCFG_PORT_DATA, 1, true, &v);
		r |= (uint64_t)(v & 0xff) << (8 * i);
	}
	return r;
}

int main(void)
{
	vfwcfg_init(&f, 32ull << 20, 3);
	CHECK_EQ(get(0x00, 4), 0x554d4551);             /* "QEMU" */
	CHECK_EQ(get(0x01, 4), 0);
	CHECK_EQ(get(0x03, 8), 32ull << 20);
	CHECK_EQ(get(0x05, 2), 3);
	CHECK_EQ(get(0x0f, 2), 3);
	CHECK_EQ(get(0x11, 8), 0);                      /* MAX_RAM: 0, no limit */
	CHECK_EQ(get(0x1234, 4), 0);
	CHECK_EQ(get(0xffff, 4), 0);
	/* Past the end reads 0; a new selection rewinds. */
	CHECK_EQ(get(0x05, 4), 3);
	CHECK_EQ(get(0x05, 1), 3);
	uint32_t v = 0;
	vfwcfg_pio(&f, VFWCFG_PORT_DATA, 4, true, &v);   /* bytes 1-4 of the CPU count */
	CHECK_EQ(v, 0);
	/* A byte write to the selector does not select; data writes change nothing. */
	v = 0x03;
	vfwcfg_pio(&f, VFWCFG_PORT_SEL, 1, false, &v);
	v = 0xaa;
	vfwcfg_pio(&f, VFWCFG_PORT_DATA, 1, false, &v);
	CHECK_EQ(get(0x00, 4), 0x554d4551);
	/* A large offset stays bounded. */
	vfwcfg_pio(&f, VFWCFG_PORT_SEL, 2, false, &(uint32_t){ 0x03 });
	for (unsigned i = 0; i < 100000; i++)
		vfwcfg_pio(&f, VFWCFG_PORT_DATA, 1, true, &v);
	CHECK_EQ(v & 0xff, 0);
	return check_done("test_vfwcfg");
}
