/* Polled 16550 driver for COM1 at 115200 8N1. Polled output keeps the
 * console usable from any context, panics included. */
#include "hw/uart.h"
#include "hw/x86.h"

#define COM1 0x3f8
#define REG_THR 0
#define REG_IER 1
#define REG_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_SCR 7
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static bool present;

void uart_init(void)
{
	/* No UART answers with 0xff everywhere: check the scratch register. */
	outb(COM1 + REG_SCR, 0x5a);
	if (inb(COM1 + REG_SCR) != 0x5a)
		return;
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, 0x80);         /* divisor latch */
	outb(COM1 + 0, 1);                  /* 115200 = 115200 / 1 */
	outb(COM1 + 1, 0);
	outb(COM1 + REG_LCR, 0x03);         /* 8N1 */
	outb(COM1 + REG_FCR, 0x07);         /* FIFO on, cleared */
	outb(COM1 + REG_MCR, 0x03);         /* DTR, RTS */
	present = true;
}

void uart_putc(char c)
{
	if (!present)
		return;
	/* Bounded wait: a wedged UART must not hang the hypervisor. */
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + REG_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + REG_THR, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_drain(void)
{
	if (!present)
		return;
	for (unsigned i = 0; i < 1000000 && !(inb(COM1 + REG_LSR) & LSR_TEMT); i++)
		cpu_relax();
}
