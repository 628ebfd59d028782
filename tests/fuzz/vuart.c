/* Fuzz target: the 16550A UART (vmm/dev/vuart.c), its console lines and
 * its interrupt line, driven through the eight register offsets.
 * Input: the owner name's length (u8), then operations of one opcode byte
 * and a value byte.
 * Checks: every console line is exactly what a reference model of the
 * transmitter expects (bytes written to THR outside loopback and DLAB,
 * '\r' dropped, control and non-ASCII bytes shown as '.', a line cut at
 * VUART_LINE_MAX), prefixed with "[owner] "; the line buffer never
 * reaches its size; registers hold only their defined bits; the interrupt
 * callback fires only on changes and always agrees with vuart_irq_level();
 * loopback receives what was sent; the LSR always says the transmitter is
 * empty. */
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/vuart.h"
#include "core/log.h"

static char expect[VUART_LINE_MAX + 1];
static size_t elen;
static char prefix[64];
static unsigned lines;

void log_puts_raw(const char *a, const char *b)
{
	FUZZ_CHECK(!strcmp(a, prefix), "prefix '%s', expected '%s'", a, prefix);
	FUZZ_CHECK(strlen(b) == elen && !memcmp(b, expect, elen), "line '%s', expected '%.*s'", b,
		   (int)elen, expect);
	elen = 0;
	lines++;
}

static bool level;
static unsigned changes;

static void irq(void *ctx, bool l)
{
	FUZZ_CHECK(ctx == &level, "IRQ context");
	FUZZ_CHECK(l != level, "IRQ callback without a change (%d)", l);
	level = l;
	changes++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t nlen = fz_u8(&f) % 60;
	char *owner = malloc(nlen + 1);
	struct vuart *u = malloc(sizeof(*u));
	unsigned want_lines = 0;

	for (size_t i = 0; i < nlen; i++)
		owner[i] = (char)('a' + i % 26);
	owner[nlen] = '\0';
	/* emit_line keeps at most 44 characters of the name. */
	snprintf(prefix, sizeof(prefix), "[%.*s] ", (int)(nlen < 44 ? nlen : 44), owner);
	elen = 0;
	expect[0] = '\0';
	lines = 0;
	level = false;
	changes = 0;
	vuart_init(u, owner);
	vuart_attach_irq(u, irq, &level);
	for (unsigned ops = 0; fz_left(&f) && ops < 8192; ops++) {
		uint8_t op = fz_u8(&f), val = fz_u8(&f);
		unsigned off = op & 7;

		if (op & 8) {
			bool dlab = u->lcr & 0x80, loop = u->mcr & 0x10;
			if (off == 0 && !dlab && !loop) {
				/* The reference transmitter: the model's lines are
				 * checked against expect[] in log_puts_raw. */
				if (val == '\n') {
					want_lines++;
				} else if (val != '\r') {
					expect[elen++] = (val < 0x20 || val >= 0x7f) ? '.' : (char)val;
					expect[elen] = '\0';
					if (elen == VUART_LINE_MAX)
						want_lines++;
				}
				vuart_write(u, off, val);
				FUZZ_CHECK(lines == want_lines, "%u lines, expected %u", lines, want_lines);
			} else {
				vuart_write(u, off, val);
			}
			if (off == 0 && !dlab && loop) {
				FUZZ_CHECK(u->rx_ready && (vuart_read(u, 5) & 1), "loopback byte not received");
				FUZZ_CHECK(vuart_read(u, 0) == val, "loopback received another byte");
			}
		} else {
			uint8_t v = vuart_read(u, off);
			if (off == 5)
				FUZZ_CHECK((v & 0x60) == 0x60, "LSR 0x%02x: transmitter not empty", v);
			if (off == 2)
				FUZZ_CHECK((v & 0x01) || (v & 0x06), "IIR 0x%02x", v);
		}
		FUZZ_CHECK(u->len < VUART_LINE_MAX && u->len == elen, "line buffer %u, expected %zu", u->len, elen);
		FUZZ_CHECK(u->ier <= 0x0f && u->mcr <= 0x1f && !(u->fcr & ~0xc9), "IER %x MCR %x FCR %x",
			   u->ier, u->mcr, u->fcr);
		FUZZ_CHECK(level == vuart_irq_level(u) && u->irq_out == level, "IRQ line %d, level %d",
			   level, vuart_irq_level(u));
	}
	/* What is left goes out on a flush. */
	if (elen)
		want_lines++;
	vuart_flush(u);
	FUZZ_CHECK(lines == want_lines, "%u lines after the flush, expected %u", lines, want_lines);
	free(u);
	free(owner);
	return 0;
}
