/* A minimal QEMU fw_cfg (pure logic, host-tested), what test kernels
 * written for QEMU ask before anything else (kvm-unit-tests reads the CPU
 * count from it in every test): the selector at port 0x510 (16-bit write,
 * which also rewinds), data bytes at 0x511. Items: the signature "QEMU"
 * (0x00), the interface ID 0 (0x01: no DMA, no file directory), the RAM
 * size in bytes (0x03, 64-bit), the number of CPUs (0x05 and 0x0f, 16-bit).
 * Every other item, and reads past an item's end, read 0. Writes to the
 * data port are ignored (QEMU has them read-only since 2.4). */
#ifndef VMM_DEV_VFWCFG_H
#define VMM_DEV_VFWCFG_H
#include "core/lib.h"

#define VFWCFG_PORT_SEL  0x510
#define VFWCFG_PORT_DATA 0x511

struct vfwcfg {
	uint16_t key;           /* selected item */
	uint32_t off;           /* next byte of it */
	uint64_t ram_size;
	uint16_t ncpus;
};

void vfwcfg_init(struct vfwcfg *f, uint64_t ram_size, unsigned ncpus);
/* An access of size bytes at port (0x510 or 0x511); in: *val receives it. */
void vfwcfg_pio(struct vfwcfg *f, uint16_t port, unsigned size, bool in, uint32_t *val);

#endif
