/* vmm/vuart.c: console lines, the THRE interrupt and its line as Linux's
 * 8250 driver exercises them (startup tests, interrupt-driven transmit),
 * loopback. */
#include <stdio.h>
#include "vmm/dev/vuart.h"
#include "core/log.h"
#include "tests/unit/check.h"

static char last_line[512];
static unsigned nlines;

void log_puts_raw(const char *a, const char *b)
{
	snprintf(last_line, sizeof(last_line), "%s%s", a, b);
	nlines++;
}

static bool level;
static unsigned changes, rises;

static void irq(void *ctx, bool l)
{
	CHECK(ctx == &level);
	CHECK(l != level);                              /* only changes are reported */
	level = l;
	changes++;
	rises += l;
}

static void puts_uart(struct vuart *u, const char *s)
{
	while (*s)
		vuart_write(u, 0, (uint8_t)*s++);
}

int main(void)
{
	struct vuart u;
	vuart_init(&u, "vm1");
	vuart_attach_irq(&u, irq, &level);
	/* Console output. */
	puts_uart(&u, "hello\r\n");
	CHECK_EQ(nlines, 1);
	CHECK(!strcmp(last_line, "[vm1] hello"));
	puts_uart(&u, "a\tb");
	vuart_flush(&u);
	CHECK(!strcmp(last_line, "[vm1] a.b"));
	CHECK_EQ(changes, 0);                           /* IER 0: no interrupt */
	/* Register basics: LSR ready, scratch, IER keeps 4 bits. */
	CHECK_EQ(vuart_read(&u, 5), 0x60);
	vuart_write(&u, 7, 0xa5);
	CHECK_EQ(vuart_read(&u, 7), 0xa5);
	vuart_write(&u, 1, 0xff);
	CHECK_EQ(vuart_read(&u, 1), 0x0f);
	vuart_write(&u, 1, 0);
	/* FIFO bits of IIR follow FCR bit 0 (autoconfig: 16550A). */
	CHECK_EQ(vuart_read(&u, 2), 0x01);
	vuart_write(&u, 2, 0x01);
	CHECK_EQ(vuart_read(&u, 2) & 0xc0, 0xc0);
	/* Loopback: the 8250 probe's MSR check (MCR = LOOP | OUT2 | RTS). */
	vuart_write(&u, 4, 0x1a);
	CHECK_EQ(vuart_read(&u, 6) & 0xf0, 0x90);
	vuart_write(&u, 4, 0x1f);
	CHECK_EQ(vuart_read(&u, 6) & 0xf0, 0xf0);
	unsigned before = nlines;
	vuart_write(&u, 0, 0x55);
	CHECK_EQ(vuart_read(&u, 5) & 0x01, 1);
	CHECK_EQ(vuart_read(&u, 0), 0x55);
	CHECK_EQ(vuart_read(&u, 5) & 0x01, 0);
	CHECK_EQ(nlines, before);
	vuart_write(&u, 1, 0x03);                       /* interrupts enabled in loopback... */
	CHECK_EQ(changes, 0);                           /* ...but the pin stays low */
	vuart_write(&u, 1, 0);
	vuart_write(&u, 4, 0x00);
	CHECK_EQ(vuart_read(&u, 6), 0xb0);
	/* serial8250_do_startup's THRE test: enable THRI, read IIR twice
	 * around a disable/enable: THRE both times. */
	vuart_write(&u, 1, 0x02);
	CHECK_EQ(vuart_read(&u, 2) & 0x0f, 0x02);
	CHECK_EQ(vuart_read(&u, 2) & 0x0f, 0x01);       /* the read cleared it */
	vuart_write(&u, 1, 0x00);
	vuart_write(&u, 1, 0x02);
	CHECK_EQ(vuart_read(&u, 2) & 0x0f, 0x02);
	vuart_write(&u, 1, 0x00);
	CHECK_EQ(changes, 0);                           /* OUT2 off: no line */
	/* Now with OUT2 (set_mctrl) and THRI: the line rises. */
	vuart_write(&u, 4, 0x0b);
	CHECK(!level);
	vuart_write(&u, 1, 0x02);
	CHECK(level);
	CHECK_EQ(rises, 1);
	/* Interrupt-driven transmit: the handler reads IIR (line drops),
	 * writes a burst (one new rising edge, not one per byte), and the
	 * next interrupt finds THRE again. */
	for (int round = 0; round < 3; round++) {
		CHECK_EQ(vuart_read(&u, 2) & 0x0f, 0x02);
		CHECK(!level);
		puts_uart(&u, "0123456789abcdef");
		CHECK(level);
	}
	CHECK_EQ(rises, 4);
	/* Done: the driver stops TX by clearing THRI; the line drops. */
	vuart_read(&u, 2);
	vuart_write(&u, 1, 0x00);
	CHECK(!level);
	puts_uart(&u, "xyz\n");
	CHECK(!level);
	CHECK(!strcmp(last_line, "[vm1] 0123456789abcdef0123456789abcdef0123456789abcdefxyz"));
	/* Restarting TX raises it again even though THRE was never cleared. */
	vuart_write(&u, 1, 0x02);
	CHECK(level);
	CHECK_EQ(rises, 5);
	/* Dropping OUT2 lowers the line; DLAB hides IER but not the line. */
	vuart_write(&u, 4, 0x03);
	CHECK(!level);
	vuart_write(&u, 3, 0x80);
	CHECK_EQ(vuart_read(&u, 0), 1);                 /* DLL */
	vuart_write(&u, 3, 0x03);
	CHECK(vuart_irq_level(&u) == level);
	return check_done("test_vuart");
}
