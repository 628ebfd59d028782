/* A 16550 UART model per VM at COM1 (0x3f8-0x3ff). Output only: each line
 * the guest writes appears on the hypervisor console as "[<vm>] <text>". */
#ifndef VMM_VUART_H
#define VMM_VUART_H
#include "core/lib.h"

#define VUART_LINE_MAX 200

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	bool thr_int_pending;      /* THR-empty interrupt armed (IER bit 1) */
	char line[VUART_LINE_MAX + 1];
	unsigned len;
	const char *owner;         /* VM name for the console prefix */
};

void vuart_init(struct vuart *u, const char *owner);
/* offset 0-7 from the base; returns the value read. */
uint8_t vuart_read(struct vuart *u, unsigned off);
void vuart_write(struct vuart *u, unsigned off, uint8_t val);
/* Print what is left in the line buffer. */
void vuart_flush(struct vuart *u);
/* Interrupt line level (for the IOAPIC model once there is one). */
bool vuart_irq_level(const struct vuart *u);

#endif
