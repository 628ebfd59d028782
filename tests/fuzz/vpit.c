/* Fuzz target: the 8254 PIT as the guest sees it (vmm/dev/vpit.c: ports
 * 0x40-0x43 and 0x61, channel 0's host timer and IRQ0) on the counter logic
 * of vmm/dev/vpit_calc.c, against the stub clock and timers of
 * tests/fuzz/env.
 *
 * Input: a start time, then operations of one opcode byte and operands:
 * port writes and reads, and time steps (the timer interrupt on time, or
 * late). Checked after every operation: each channel's mode, access mode,
 * count (below its modulus), reload value (once loaded) and latch state are in range;
 * pit_chan_next_edge() is 0 or in the future for every channel; the host
 * timer is armed exactly when the model's deadline says so, never in the
 * past; port 0x61 shows channel 2's OUT and gate; and over a time step IRQ0
 * is raised at most once per PIT_MIN_PERIOD_NS (the model's 100 us floor),
 * so a tiny count gives fewer interrupts, never a storm. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/env/env.h"
#include "vmm/dev/vdev_priv.h"

#define TIME_MAX  (1ull << 62)          /* the clock stays below 146 years */
#define FLOOR_NS  100000ull             /* PIT_MIN_PERIOD_NS in vpit.c */

static void check_chan(const struct pit_chan *c, unsigned i)
{
	uint32_t mod = c->bcd ? 10000 : 65536;
	uint64_t e = pit_chan_next_edge(c, env.now);

	FUZZ_CHECK(c->mode <= 5 && c->mode_raw <= 7 && c->rw >= 1 && c->rw <= 3,
		   "channel %u: mode %u/%u rw %u", i, c->mode, c->mode_raw, c->rw);
	/* The count register as written; a control word that switches to BCD
	 * leaves the old one until a new count is loaded, and a BCD count with
	 * digits above 9 counts that many (0xFFFF: 16665) like the part's
	 * decade counters. */
	FUZZ_CHECK(!c->loaded || (c->reload >= 1 && c->reload <= (c->bcd ? 16665u : mod)),
		   "channel %u: reload %u (modulus %u)", i, c->reload, mod);
	FUZZ_CHECK(!c->running || c->loaded, "channel %u: counting without a count", i);
	FUZZ_CHECK(pit_chan_count(c, env.now) < mod, "channel %u: count %u", i,
		   pit_chan_count(c, env.now));
	FUZZ_CHECK(c->latch_left <= 2, "channel %u: %u latched bytes", i, c->latch_left);
	FUZZ_CHECK(!c->running || c->base >= 1, "channel %u: running from count 0", i);
	FUZZ_CHECK(e == 0 || e > env.now, "channel %u: next edge %llu not after now %llu", i,
		   (unsigned long long)e, (unsigned long long)env.now);
}

static void check(const struct vpit *p)
{
	uint64_t dl = 0;
	bool armed = env_timer_armed(&p->timer, &dl);

	for (unsigned i = 0; i < 3; i++)
		check_chan(&p->ch[i], i);
	FUZZ_CHECK(armed == (p->deadline != 0) && (!armed || dl == p->deadline),
		   "timer armed %d at %llu, model deadline %llu", armed,
		   (unsigned long long)dl, (unsigned long long)p->deadline);
	FUZZ_CHECK(p->ch[2].gate == (p->port61 & 1), "gate 2 %d, port 0x61 %x", p->ch[2].gate, p->port61);
	FUZZ_CHECK(p->ch[0].gate && p->ch[1].gate, "channel 0 or 1 gate low");
}

static void step(struct vpit *p, struct fz *f, bool exact)
{
	uint64_t d = exact ? fz_u32(f) & 0x3ffffff : fz_u64(f) % (TIME_MAX / 16);
	uint64_t to = env.now + d > TIME_MAX ? TIME_MAX : env.now + d;
	uint64_t pulses = env.pulses[VDEV_GSI_PIT], from = env.now;
	uint64_t allowed = (to - from) / FLOOR_NS + 1;
	uint64_t n = env_advance(to, exact, allowed + 2);

	FUZZ_CHECK(n <= allowed + 1, "%llu timer callbacks in %llu ns", (unsigned long long)n,
		   (unsigned long long)(to - from));
	n = env.pulses[VDEV_GSI_PIT] - pulses;
	FUZZ_CHECK(n <= allowed, "%llu IRQ0 pulses in %llu ns: below the %llu ns floor",
		   (unsigned long long)n, (unsigned long long)(to - from), FLOOR_NS);
	(void)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	static struct vm vm;
	struct vpit *p = calloc(1, sizeof(*p));
	static const uint16_t ports[] = { 0x40, 0x41, 0x42, 0x43, 0x61 };

	env_reset(fz_u64(&f) % (TIME_MAX / 2), 1000000);
	memset(&vm, 0, sizeof(vm));
	vm.state = VM_RUNNING;
	vpit_init(p, &vm);
	check(p);
	for (unsigned ops = 0; fz_left(&f) && ops < 4096; ops++) {
		uint8_t op = fz_u8(&f), b;
		uint16_t port = ports[(op >> 2) % 5];

		switch (op & 3) {
		case 0:
			b = fz_u8(&f);
			vpit_pio(p, port, false, &b);
			break;
		case 1:
			b = 0;
			vpit_pio(p, port, true, &b);
			if (port == 0x61)
				FUZZ_CHECK(!!(b & 0x20) == pit_chan_out(&p->ch[2], env.now) &&
					   (b & 0x0f) == p->port61, "port 0x61 read %02x", b);
			if (port == 0x43)
				FUZZ_CHECK(b == 0xff, "control register read %02x", b);
			break;
		case 2:
			step(p, &f, true);
			break;
		default:
			step(p, &f, false);
			break;
		}
		check(p);
	}
	vpit_destroy(p);
	env_timer_forget(&p->timer);
	free(p);
	return 0;
}
