#include "vmm/vuart.h"
#include "core/log.h"

#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_THRI 0x02

void vuart_init(struct vuart *u, const char *owner)
{
	memset(u, 0, sizeof(*u));
	u->owner = owner;
	u->dll = 1;
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

uint8_t vuart_read(struct vuart *u, unsigned off)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case 0: return dlab ? u->dll : 0;                  /* no input */
	case 1: return dlab ? u->dlm : u->ier;
	case 2: {                                          /* IIR */
		if (u->thr_int_pending && (u->ier & IER_THRI)) {
			u->thr_int_pending = false;        /* reading IIR clears it */
			return 0xc2;
		}
		return 0xc1;                               /* FIFOs on, none pending */
	}
	case 3: return u->lcr;
	case 4: return u->mcr;
	case 5: return LSR_THRE | LSR_TEMT;                /* always ready */
	case 6: return 0xb0;                               /* DCD, DSR, CTS */
	case 7: return u->scr;
	}
	return 0xff;
}

void vuart_write(struct vuart *u, unsigned off, uint8_t val)
{
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case 0:
		if (dlab) {
			u->dll = val;
		} else {
			put_char(u, (char)val);
			u->thr_int_pending = true;
		}
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
	case 3: u->lcr = val; break;
	case 4: u->mcr = val & 0x1f; break;
	case 7: u->scr = val; break;
	default: break;                                    /* FCR, LSR, MSR */
	}
}

bool vuart_irq_level(const struct vuart *u)
{
	return u->thr_int_pending && (u->ier & IER_THRI) && (u->mcr & 0x08);
}
