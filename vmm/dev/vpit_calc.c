/* Pure 8254 counter logic (see vpit_calc.h and the 82C54 datasheet's mode
 * descriptions). Times are ns on the hypervisor clock; t below is whole PIT
 * ticks since `start`. */
#include "vmm/dev/vpit_calc.h"

uint64_t pit_ns_to_ticks(uint64_t ns)
{
	/* Split at whole seconds so nothing overflows for centuries. */
	return ns / PIT_NS_PER_S * PIT_HZ + ns % PIT_NS_PER_S * PIT_HZ / PIT_NS_PER_S;
}

uint64_t pit_ticks_to_ns(uint64_t ticks)
{
	return ticks / PIT_HZ * PIT_NS_PER_S + DIV_ROUND_UP(ticks % PIT_HZ * PIT_NS_PER_S, PIT_HZ);
}

static uint32_t modulus(const struct pit_chan *c)
{
	return c->bcd ? 10000 : 65536;
}

static uint64_t ticks_since(const struct pit_chan *c, uint64_t now)
{
	return now > c->start ? pit_ns_to_ticks(now - c->start) : 0;
}

/* Periodic modes need N >= 2 (the datasheet calls 1 illegal there). */
static uint32_t period(const struct pit_chan *c)
{
	return c->reload < 2 ? 2 : c->reload;
}

static bool one_shot(const struct pit_chan *c)
{
	return c->mode != 2 && c->mode != 3;
}

static uint32_t count_at(const struct pit_chan *c, uint64_t t)
{
	uint32_t m = modulus(c);
	if (one_shot(c))
		/* Down from base, wrapping through 0 (= m) and on. */
		return (uint32_t)((c->base + (uint64_t)m - t % m) % m);
	uint32_t n = period(c), p = (uint32_t)(t % n);
	if (c->mode == 2)
		return n - p;                           /* N .. 1, reload */
	/* Mode 3 counts down by two through each half period. */
	uint32_t h = (n + 1) / 2, q = p < h ? p : p - h;
	uint32_t v = (n & ~1u) - 2 * q;
	return v ? v : 2;
}

static bool out_at(const struct pit_chan *c, uint64_t t)
{
	switch (c->mode) {
	case 0: case 1:
		/* Low while counting, high from the terminal count on. */
		return c->tc_seen || t >= c->base;
	case 4: case 5:
		/* High, low for one CLK when the count reaches 0 (once). */
		return c->tc_seen || t != c->base;
	case 2:
		return t % period(c) != period(c) - 1;
	default:
		return t % period(c) < (period(c) + 1) / 2;
	}
}

uint32_t pit_chan_count(const struct pit_chan *c, uint64_t now)
{
	uint32_t v = c->running ? count_at(c, ticks_since(c, now)) : c->frozen;
	return v % modulus(c);
}

bool pit_chan_out(const struct pit_chan *c, uint64_t now)
{
	return c->running ? out_at(c, ticks_since(c, now)) : c->out_frozen;
}

uint64_t pit_chan_next_edge(const struct pit_chan *c, uint64_t after)
{
	if (!c->running)
		return 0;
	uint64_t t = ticks_since(c, after), edge;
	switch (c->mode) {
	case 0: case 1:
		edge = c->base;
		break;
	case 4: case 5:
		edge = (uint64_t)c->base + 1;           /* end of the strobe */
		break;
	default:
		/* Modes 2 and 3 rise at every reload. */
		edge = (t / period(c) + 1) * period(c);
		return c->start + pit_ticks_to_ns(edge);
	}
	if (c->tc_seen)
		return 0;
	uint64_t at = c->start + pit_ticks_to_ns(edge);
	return at > after ? at : 0;
}

/* Stop counting where we are: the count and OUT hold. */
static void freeze(struct pit_chan *c, uint64_t now)
{
	if (!c->running)
		return;
	uint64_t t = ticks_since(c, now);
	c->frozen = count_at(c, t);
	c->out_frozen = out_at(c, t);
	if (c->mode == 0 || c->mode == 1)
		c->tc_seen = c->tc_seen || t >= c->base;
	else if (c->mode == 4 || c->mode == 5)
		c->tc_seen = c->tc_seen || t > c->base;
	c->running = false;
}

static void run_from(struct pit_chan *c, uint32_t base, uint64_t now)
{
	c->base = base ? base : modulus(c);
	c->start = now;
	c->running = true;
}

static uint32_t decode_count(const struct pit_chan *c, uint16_t raw)
{
	uint32_t v = raw;
	if (c->bcd)
		v = (raw >> 12 & 0xf) * 1000 + (raw >> 8 & 0xf) * 100 + (raw >> 4 & 0xf) * 10 + (raw & 0xf);
	return v ? v : modulus(c);                      /* 0 is the largest count */
}

static uint16_t encode_count(const struct pit_chan *c, uint32_t v)
{
	if (!c->bcd)
		return (uint16_t)v;
	v %= 10000;
	return (uint16_t)((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

void pit_chan_init(struct pit_chan *c, bool gate)
{
	memset(c, 0, sizeof(*c));
	c->rw = 3;
	c->gate = gate;
	c->reload = 65536;
	c->null_count = true;
}

void pit_chan_control(struct pit_chan *c, uint8_t cw, uint64_t now)
{
	uint32_t cur = pit_chan_count(c, now);
	c->rw = (cw >> 4) & 3;
	c->mode_raw = (cw >> 1) & 7;
	c->mode = c->mode_raw > 5 ? c->mode_raw - 4 : c->mode_raw;
	c->bcd = cw & 1;
	/* A control word resets the channel's logic: counting stops until a
	 * count is written, OUT goes to its initial level (low in mode 0,
	 * high otherwise), and both byte pointers restart at the LSB. */
	c->running = false;
	c->loaded = false;
	c->tc_seen = false;
	c->null_count = true;
	c->frozen = cur % modulus(c);
	c->out_frozen = c->mode != 0;
	c->wr_msb = c->rd_msb = false;
	c->latch_left = 0;
	c->status_latched = false;
}

void pit_chan_latch(struct pit_chan *c, uint64_t now)
{
	/* A second latch before the first was read is ignored. */
	if (c->latch_left)
		return;
	c->latch = encode_count(c, pit_chan_count(c, now));
	c->latch_left = c->rw == 3 ? 2 : 1;
}

void pit_chan_readback(struct pit_chan *c, bool count, bool status, uint64_t now)
{
	if (status && !c->status_latched) {
		c->status = (uint8_t)(pit_chan_out(c, now) << 7 | c->null_count << 6 |
				      c->rw << 4 | c->mode_raw << 1 | c->bcd);
		c->status_latched = true;
	}
	if (count)
		pit_chan_latch(c, now);
}

static void load(struct pit_chan *c, uint16_t raw, uint64_t now)
{
	c->reload = decode_count(c, raw);
	c->loaded = true;
	c->null_count = false;
	switch (c->mode) {
	case 0: case 4:
		/* Software-started: a new count restarts the one-shot; with the
		 * gate low it waits (count loaded, not counting). */
		c->tc_seen = false;
		if (c->gate) {
			run_from(c, c->reload, now);
		} else {
			c->running = false;
			c->frozen = c->reload % modulus(c);
			c->out_frozen = c->mode == 4;
		}
		break;
	case 2: case 3:
		if (c->gate) {
			run_from(c, c->reload, now);
		} else {
			c->running = false;
			c->frozen = c->reload % modulus(c);
			c->out_frozen = true;
		}
		break;
	default:
		/* Modes 1 and 5 wait for a gate trigger; a running one-shot
		 * finishes with its old count. */
		if (!c->running) {
			c->frozen = c->reload % modulus(c);
			c->out_frozen = true;
		}
		break;
	}
}

bool pit_chan_write(struct pit_chan *c, uint8_t val, uint64_t now)
{
	switch (c->rw) {
	case 1:
		load(c, val, now);
		return true;
	case 2:
		load(c, (uint16_t)(val << 8), now);
		return true;
	default:
		if (!c->wr_msb) {
			c->wr_lsb = val;
			c->wr_msb = true;
			/* Mode 0: writing the first byte stops the count and
			 * OUT goes low at once. */
			if (c->mode == 0) {
				freeze(c, now);
				c->out_frozen = false;
				c->tc_seen = false;
			}
			return false;
		}
		c->wr_msb = false;
		load(c, (uint16_t)(c->wr_lsb | val << 8), now);
		return true;
	}
}

uint8_t pit_chan_read(struct pit_chan *c, uint64_t now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	uint16_t v;
	bool msb;
	if (c->latch_left) {
		v = c->latch;
		msb = c->rw == 2 || (c->rw == 3 && c->latch_left == 1);
		c->latch_left--;
	} else {
		/* Unlatched: each byte comes from the live count. */
		v = encode_count(c, pit_chan_count(c, now));
		msb = c->rw == 2 || (c->rw == 3 && c->rd_msb);
		if (c->rw == 3)
			c->rd_msb = !c->rd_msb;
	}
	return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

void pit_chan_set_gate(struct pit_chan *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	switch (c->mode) {
	case 0: case 4:
		/* The gate enables counting: low pauses, high resumes. */
		if (!gate) {
			freeze(c, now);
		} else if (c->loaded && !c->running) {
			bool tc = c->tc_seen;
			run_from(c, c->frozen, now);
			c->tc_seen = tc;
		}
		break;
	case 2: case 3:
		/* Low stops counting with OUT high; high reloads. */
		if (!gate) {
			freeze(c, now);
			c->out_frozen = true;
		} else if (c->loaded) {
			run_from(c, c->reload, now);
		}
		break;
	default:
		/* Modes 1 and 5: a rising gate (re)triggers the one-shot. */
		if (gate && c->loaded) {
			c->tc_seen = false;
			run_from(c, c->reload, now);
		}
		break;
	}
}
