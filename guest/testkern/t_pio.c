/* pio: port I/O round trips through the hypervisor's UART model (scratch
 * register) and accesses to ports nobody models must simply complete. */
#include "guest/testkern/arch.h"
#include "guest/testkern/tests.h"
#include "guest/testkern/tk.h"

#define COM1_SCR 0x3ff  /* 16550 scratch register: plain storage */

enum verdict t_pio(void)
{
	static const uint8_t vals[] = { 0x00, 0x55, 0xaa, 0xff, 0x5a, 0xa5, 0x01, 0x80 };
	uint8_t old = inb(COM1_SCR);
	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
		outb(COM1_SCR, vals[i]);
		uint8_t got = inb(COM1_SCR);
		if (got != vals[i]) {
			outb(COM1_SCR, old);
			return tk_fail("scratch 0x3ff wrote 0x%02x read 0x%02x", vals[i], got);
		}
	}
	outb(COM1_SCR, old);

	/* Unmodelled ports (COM2 LSR, the POST port): reading must neither
	 * fault nor stop the VM. Their values are not specified. */
	uint8_t com2_lsr = inb(0x2fd);
	uint8_t post = inb(0x80);
	outb(0x80, 0x42);
	tk_printf("INFO pio unused ports read 0x2fd=0x%02x 0x80=0x%02x\n", com2_lsr, post);
	return V_PASS;
}
