/* 16550A UART model (National Semiconductor PC16550D datasheet register
 * map); see vuart.h for what is and is not modelled. */
#include "vmm/dev/vuart.h"
#include "core/log.h"

#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDI  0x01
#define IER_THRI 0x02
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define FCR_EN   0x01
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI  0x04

void vuart_init(struct vuart *u, const char *owner)
{
	memset(u, 0, sizeof(*u));
	u->owner = owner;
	u->dll = 1;
}

void vuart_attach_irq(struct vuart *u, void (*set)(void *ctx, bool level), void *ctx)
{
	u->irq_set = set;
	u->irq_ctx = ctx;
	u->irq_out = false;
}

static void emit_line(struct vuart *u)
{
	u->line[u->len] = 0;
	char prefix[48];
	size_t n = 0;
	prefix[n++] = '[';
	for (const char *s = u->owner; *s && n < sizeof(prefix) - 3; s++)
		prefix[n++] = *s;
	prefix[n++] = ']';
	prefix[n++] = ' ';
	prefix[n] = 0;
	log_puts_raw(prefix, u->line);
	u->len = 0;
}

void vuart_flush(struct vuart *u)
{
	if (u->len)
		emit_line(u);
}

static void put_char(struct vuart *u, char c)
{
	if (c == '\n') {
		emit_line(u);
		return;
	}
	if (c == '\r')
		return;
	/* Keep the console readable: no control characters from guests. */
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		c = '.';
	u->line[u->len++] = c;
	if (u->len == VUART_LINE_MAX)
		vuart_flush(u);
}

/* The highest-priority pending and enabled interrupt, as IIR bits 3-0. */
static uint8_t iir_source(const struct vuart *u)
{
	if (u->rx_ready && (u->ier & IER_RDI))
		return IIR_RDI;
	if (u->thr_int_pending && (u->ier & IER_THRI))
		return IIR_THRI;
	return IIR_NONE;
}

bool vuart_irq_level(const struct vuart *u)
{
	/* On a PC the INTR output reaches the IRQ line through OUT2; in
	 * loopback OUT2 is disconnected from the pin. */
	return iir_source(u) != IIR_NONE && (u->mcr & (MCR_OUT2 | MCR_LOOP)) == MCR_OUT2;
}

static void update_irq(struct vuart *u)
{
	bool lvl = vuart_irq_level(u);
	if (lvl == u->irq_out)
		return;
	u->irq_out = lvl;
	if (u->irq_set)
		u->irq_set(u->irq_ctx, lvl);
}

static uint8_t msr(const struct vuart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return 0xb0;                               /* DCD, DSR, CTS */
	/* Loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2. */
	return (uint8_t)((u->mcr & MCR_RTS ? 0x10 : 0) | (u->mcr & MCR_DTR ? 0x20 : 0) |
			 (u->mcr & MCR_OUT1 ? 0x40 : 0) | (u->mcr & MCR_OUT2 ? 0x80 : 0));
}

static uint8_t do_read(struct vuart *u, unsigned off)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case 0:
		if (dlab)
			return u->dll;
		u->rx_ready = false;
		return u->rbr;
	case 1: return dlab ? u->dlm : u->ier;
	case 2: {                                          /* IIR */
		uint8_t src = iir_source(u);
		if (src == IIR_THRI)
			u->thr_int_pending = false;        /* reading it clears it */
		return (uint8_t)((u->fcr & FCR_EN ? 0xc0 : 0) | src);
	}
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return (uint8_t)(LSR_THRE | LSR_TEMT | (u->rx_ready ? LSR_DR : 0));
	case 6: return msr(u);
	case 7: return u->scr;
	}
	return 0xff;
}

static void do_write(struct vuart *u, unsigned off, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case 0:
		if (dlab) {
			u->dll = val;
			break;
		}
		if (u->mcr & MCR_LOOP) {
			u->rbr = val;
			u->rx_ready = true;
		} else {
			put_char(u, (char)val);
		}
		/* Sent at once: the THR is empty again. */
		u->thr_int_pending = true;
		break;
	case 1:
		if (dlab) {
			u->dlm = val;
		} else {
			if ((val & IER_THRI) && !(u->ier & IER_THRI))
				u->thr_int_pending = true;     /* THR is empty now */
			u->ier = val & 0x0f;
		}
		break;
	case 2: u->fcr = val & 0xc9; break;                /* FIFO enable, DMA mode, trigger */
	case 3: u->lcr = val; break;
	case 4: u->mcr = val & 0x1f; break;
	case 7: u->scr = val; break;
	default: break;                                    /* LSR, MSR */
	}
}

uint8_t vuart_read(struct vuart *u, unsigned off)
{
	uint8_t v = do_read(u, off);
	update_irq(u);
	return v;
}

void vuart_write(struct vuart *u, unsigned off, uint8_t val)
{
	do_write(u, off, val);
	update_irq(u);
}
