/* A 16550A UART model per VM at COM1 (0x3f8-0x3ff). Output only: each line
 * the guest writes appears on the hypervisor console as "[<vm>] <text>".
 *
 * Interrupts: the only source is "transmitter holding register empty"
 * (THRE; the transmitter is infinitely fast, so the THR is always empty).
 * It is pending after IER.ETBEI goes from 0 to 1 and after every byte
 * written to the THR, and is cleared by an IIR read that reports it (or by
 * the next THR write, which at once sets it again). The interrupt line is
 * pending-and-enabled gated by MCR.OUT2, as on a PC; it is low in loopback
 * mode. Loopback (MCR.LOOP) sends THR bytes to the receiver buffer instead
 * of the console and reflects the modem-control outputs in the MSR. */
#ifndef VMM_VUART_H
#define VMM_VUART_H
#include "core/lib.h"

#define VUART_LINE_MAX 200

struct vuart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_int_pending;      /* THR-empty interrupt pending (shown if IER bit 1) */
	uint8_t rbr;               /* loopback: the byte received */
	bool rx_ready;             /* loopback: LSR.DR */
	char line[VUART_LINE_MAX + 1];
	unsigned len;
	const char *owner;         /* VM name for the console prefix */
	/* Interrupt line (vuart_attach_irq); called on every level change. */
	void (*irq_set)(void *ctx, bool level);
	void *irq_ctx;
	bool irq_out;              /* level last reported */
};

void vuart_init(struct vuart *u, const char *owner);
/* Connect the interrupt output (after vuart_init, which clears it): set()
 * is called with the new level whenever it changes, from inside
 * vuart_read/vuart_write, so with the caller's UART lock held. */
void vuart_attach_irq(struct vuart *u, void (*set)(void *ctx, bool level), void *ctx);
/* offset 0-7 from the base; returns the value read. */
uint8_t vuart_read(struct vuart *u, unsigned off);
void vuart_write(struct vuart *u, unsigned off, uint8_t val);
/* Print what is left in the line buffer. */
void vuart_flush(struct vuart *u);
/* Interrupt line level. */
bool vuart_irq_level(const struct vuart *u);

#endif
