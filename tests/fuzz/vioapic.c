/* Fuzz target: the I/O APIC's registers and redirection logic
 * (vmm/dev/vioapic_regs.c), driven as vmm/dev/vioapic.c drives it: MMIO
 * reads and writes at any offset, input lines set, cleared and pulsed (a
 * pulse is two calls into one message list, as vioapic_set_line does) and
 * EOIs, each operation with a fresh, exact-size message list.
 * Input: an APIC ID byte, then operations of one opcode byte and operands.
 * Checks after every operation: at most one message per pin and no more
 * than the list holds; each message is the redirection entry of an unmasked
 * pin whose delivery count went up (pins in ascending order), level-
 * triggered exactly when the entry is level with a fixed or lowest-priority
 * mode, and then that pin's remote IRR is set; edge pins deliver only on a
 * rising line; entries hold only writable bits plus remote IRR, remote IRR
 * only on level entries; no level pin is left asserted, unmasked, not
 * waiting for an EOI and yet undelivered; reads of the redirection table
 * return the entries, the version register its constant. */
#include "tests/fuzz/fuzz.h"
#include "vmm/dev/vioapic_regs.h"

static bool is_level(uint64_t rte)
{
	return (rte & VIOAPIC_RTE_LEVEL) && ((rte & VIOAPIC_RTE_DELMODE) >> 8) <= 1;
}

static void check(const struct vioapic_regs *s, const struct vioapic_regs *before,
		  const struct vioapic_out *out, int edge_pin)
{
	unsigned k = 0;

	FUZZ_CHECK(out->n <= VIOAPIC_NPINS, "%u messages", out->n);
	FUZZ_CHECK(s->id <= 0xf, "ID %u", s->id);
	for (unsigned p = 0; p < VIOAPIC_NPINS; p++) {
		uint64_t rte = s->rte[p], d = s->delivered[p] - before->delivered[p];

		FUZZ_CHECK(!(rte & ~(VIOAPIC_RTE_WRITABLE | VIOAPIC_RTE_REMOTE_IRR)), "pin %u: RTE 0x%llx", p,
			   (unsigned long long)rte);
		FUZZ_CHECK(!(rte & VIOAPIC_RTE_REMOTE_IRR) || (rte & VIOAPIC_RTE_LEVEL),
			   "pin %u: remote IRR on an edge entry", p);
		FUZZ_CHECK(d <= 1, "pin %u delivered %llu times in one operation", p, (unsigned long long)d);
		FUZZ_CHECK(!(is_level(rte) && (s->lines >> p & 1) && !(rte & VIOAPIC_RTE_MASKED) &&
			     !(rte & VIOAPIC_RTE_REMOTE_IRR)), "pin %u: asserted level pin left undelivered", p);
		if (!d)
			continue;
		FUZZ_CHECK(k < out->n, "pin %u counted a delivery without a message", p);
		const struct vioapic_msg *m = &out->msg[k++];
		FUZZ_CHECK(!(rte & VIOAPIC_RTE_MASKED), "pin %u: masked but delivered", p);
		FUZZ_CHECK(m->vector == (rte & 0xff) && m->dest == (rte >> 56) &&
			   m->mode == ((rte >> 8) & 7) && m->logical == !!(rte & VIOAPIC_RTE_DESTLOG),
			   "pin %u: message differs from its entry", p);
		FUZZ_CHECK(m->level == is_level(rte), "pin %u: trigger mode", p);
		if (m->level)
			FUZZ_CHECK(rte & VIOAPIC_RTE_REMOTE_IRR, "pin %u: level delivery without remote IRR", p);
		else
			FUZZ_CHECK(edge_pin == (int)p && !(before->lines >> p & 1),
				   "pin %u: edge delivery without a rising line", p);
	}
	FUZZ_CHECK(k == out->n, "%u messages for %u deliveries", out->n, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct vioapic_regs *s = malloc(sizeof(*s)), before;

	vioapic_regs_init(s, fz_u8(&f));
	for (unsigned ops = 0; fz_left(&f) && ops < 8192; ops++) {
		uint8_t op = fz_u8(&f);
		struct vioapic_out *out = calloc(1, sizeof(*out));
		int edge_pin = -1;

		before = *s;
		switch (op % 8) {
		case 0:
			vioapic_regs_write(s, VIOAPIC_IOREGSEL, fz_u8(&f), out);
			break;
		case 1:
			vioapic_regs_write(s, VIOAPIC_IOWIN, fz_u32(&f), out);
			break;
		case 2: {
			unsigned off = fz_u8(&f) & 0xfc;
			vioapic_regs_write(s, off, fz_u32(&f), out);
			break;
		}
		case 3: {
			unsigned off = fz_u8(&f) & 0xfc, r = s->regsel;
			uint32_t v = vioapic_regs_read(s, off);
			if (off == VIOAPIC_IOREGSEL)
				FUZZ_CHECK(v == r, "IOREGSEL read 0x%x", v);
			else if (off == VIOAPIC_IOWIN && r >= 0x10 && r < 0x10 + 2 * VIOAPIC_NPINS)
				FUZZ_CHECK(v == (uint32_t)(s->rte[(r - 0x10) / 2] >> (r & 1 ? 32 : 0)),
					   "redirection register 0x%x read 0x%x", r, v);
			else if (off == VIOAPIC_IOWIN && r == VIOAPIC_REG_VER)
				FUZZ_CHECK(v == 0x00170011, "version 0x%x", v);
			else if (off != VIOAPIC_IOWIN)
				FUZZ_CHECK(v == 0, "offset 0x%x read 0x%x", off, v);
			break;
		}
		case 4: case 5: {
			unsigned pin = fz_u8(&f) % 32;
			bool lvl = op % 8 == 4;
			if (lvl && pin < VIOAPIC_NPINS && !is_level(s->rte[pin]))
				edge_pin = (int)pin;
			vioapic_regs_set_line(s, pin, lvl, out);
			break;
		}
		case 6: {
			unsigned pin = fz_u8(&f) % 32;
			if (pin < VIOAPIC_NPINS && !is_level(s->rte[pin]))
				edge_pin = (int)pin;
			vioapic_regs_set_line(s, pin, true, out);
			vioapic_regs_set_line(s, pin, false, out);
			break;
		}
		default:
			vioapic_regs_eoi(s, fz_u8(&f), out);
			break;
		}
		check(s, &before, out, edge_pin);
		free(out);
	}
	free(s);
	return 0;
}
