/* COM1 output, polled. The UART is not programmed (no divisor, no LCR): the
 * firmware (bare) or the hypervisor's model already has it usable, and a
 * minimal emulated 16550 might print divisor bytes written with DLAB set.
 * We only read LSR (base+5) and write THR (base+0). */
#include "guest/testkern/arch.h"
#include "guest/testkern/tk.h"

#define COM1 0x3f8
#define LSR_THRE 0x20 /* transmit holding register empty: may write a byte */
#define LSR_TEMT 0x40 /* transmitter empty: everything is on the wire */

/* Bounded polls: a missing or stuck UART must not hang the kernel (then the
 * output is lost, but the exit through port 0xf4 still happens). */
#define POLL_LIMIT 1000000u

static volatile uint32_t serial_lock;

static void wait_lsr(uint8_t bit)
{
	for (uint32_t i = 0; i < POLL_LIMIT; i++)
		if (inb(COM1 + 5) & bit)
			return;
}

static void serial_putc(char c)
{
	wait_lsr(LSR_THRE);
	outb(COM1, (uint8_t)c);
}

void serial_drain(void)
{
	wait_lsr(LSR_TEMT);
}

static void lock(void)
{
	uint32_t v;
	do {
		v = 1;
		__asm__ volatile("xchgl %0, %1" : "+r"(v), "+m"(serial_lock) : : "memory");
		if (v)
			cpu_relax();
	} while (v);
}

static void unlock(void)
{
	__asm__ volatile("" ::: "memory");
	serial_lock = 0;
}

void tk_printf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = tk_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = (int)sizeof(line) - 1;
	lock();
	for (int i = 0; i < n; i++)
		serial_putc(line[i]);
	unlock();
}
