/* Minimal fw_cfg: see vfwcfg.h (QEMU docs/specs/fw_cfg.rst for the ABI). */
#include "vmm/dev/vfwcfg.h"

#define KEY_SIGNATURE 0x00
#define KEY_ID        0x01
#define KEY_RAM_SIZE  0x03
#define KEY_NB_CPUS   0x05
#define KEY_MAX_CPUS  0x0f

void vfwcfg_init(struct vfwcfg *f, uint64_t ram_size, unsigned ncpus)
{
	*f = (struct vfwcfg){ .ram_size = ram_size, .ncpus = (uint16_t)ncpus };
}

/* Byte off of the selected item, little-endian; 0 past its end. */
static uint8_t item_byte(const struct vfwcfg *f)
{
	uint64_t v;
	unsigned len;
	switch (f->key) {
	case KEY_SIGNATURE: v = 0x554d4551; len = 4; break;     /* "QEMU" */
	case KEY_ID: v = 0; len = 4; break;
	case KEY_RAM_SIZE: v = f->ram_size; len = 8; break;
	case KEY_NB_CPUS: case KEY_MAX_CPUS: v = f->ncpus; len = 2; break;
	default: return 0;
	}
	return f->off < len ? (uint8_t)(v >> (8 * f->off)) : 0;
}

void vfwcfg_pio(struct vfwcfg *f, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	if (port == VFWCFG_PORT_SEL) {
		/* The selector is 16 bits; a write picks the item and rewinds. */
		if (!in && size >= 2) {
			f->key = (uint16_t)*val;
			f->off = 0;
		} else if (in) {
			*val = size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
		}
		return;
	}
	/* Data: one byte per access and step; wider reads get the next bytes
	 * (QEMU allows only bytes here; reading more is harmless). */
	if (!in)
		return;
	uint32_t out = 0;
	for (unsigned i = 0; i < size; i++) {
		out |= (uint32_t)item_byte(f) << (8 * i);
		if (f->off < 0x10000)
			f->off++;
	}
	*val = out;
}
