/* One 8254 counter (Intel 82C54 datasheet), as pure functions of the
 * hypervisor clock in nanoseconds: no locks, no timers, host-tested
 * (tests/unit/test_vpit.c). vmm/vpit.c decodes the ports, keeps three of
 * these under a lock and turns channel 0's rising OUT edges into IRQ0.
 *
 * Modelled: modes 0-5 (6 and 7 are 2 and 3), binary and BCD counts, LSB /
 * MSB / LSB-then-MSB access, the counter-latch and read-back commands (count
 * and status), live (unlatched) reads, the gate (channel 2 from port 0x61).
 * Simplified, documented in docs/devices.md: a count is loaded at once (no
 * extra CLK before counting starts); a new count written in mode 2 or 3
 * while counting restarts the period at once instead of at its end; the
 * count read in mode 3 is only approximate; writing a control word never
 * makes an OUT edge. */
#ifndef VMM_VPIT_CALC_H
#define VMM_VPIT_CALC_H
#include "core/lib.h"

#define PIT_HZ          1193182u            /* input clock, Hz */
#define PIT_NS_PER_S    1000000000ull

/* Whole PIT ticks in ns nanoseconds (rounded down), and the first
 * nanosecond at which ticks ticks have elapsed (rounded up): exact for any
 * 64-bit input that the hypervisor clock can reach. */
uint64_t pit_ns_to_ticks(uint64_t ns);
uint64_t pit_ticks_to_ns(uint64_t ticks);

struct pit_chan {
	/* Programming (control word). */
	uint8_t mode;           /* 0-5 as it behaves */
	uint8_t mode_raw;       /* as written (6, 7 read back in the status) */
	uint8_t rw;             /* 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;
	bool loaded;            /* a count was written since the control word */
	bool null_count;        /* status bit 6 */
	/* Count register writes. */
	bool wr_msb;            /* rw 3: the next write is the MSB */
	uint8_t wr_lsb;
	/* Counting. */
	bool gate;
	uint32_t reload;        /* N, 1..65536 (binary) or 1..10000 (BCD) */
	bool running;
	uint64_t start;         /* ns at which the count was `base` */
	uint32_t base;
	bool tc_seen;           /* one-shot modes: terminal count already passed */
	uint32_t frozen;        /* count shown while not running */
	bool out_frozen;        /* OUT while not running */
	/* Reads. */
	bool rd_msb;            /* rw 3, unlatched: the next read is the MSB */
	uint8_t latch_left;     /* latched count bytes still to read */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

/* Power-on: mode 0 not counting, OUT low... the BIOS-less state a guest
 * must program before use; gate as given (channels 0 and 1: always high). */
void pit_chan_init(struct pit_chan *c, bool gate);

/* Control word for this channel with RW != 0 (bits 5-0 of the word). */
void pit_chan_control(struct pit_chan *c, uint8_t cw, uint64_t now);
/* Counter latch command (RW == 0). */
void pit_chan_latch(struct pit_chan *c, uint64_t now);
/* Read-back command's part for this channel. */
void pit_chan_readback(struct pit_chan *c, bool count, bool status, uint64_t now);
/* A byte written to / read from the channel's data port. pit_chan_write
 * returns true when it (re)started counting (the caller re-arms timers). */
bool pit_chan_write(struct pit_chan *c, uint8_t val, uint64_t now);
uint8_t pit_chan_read(struct pit_chan *c, uint64_t now);
void pit_chan_set_gate(struct pit_chan *c, bool gate, uint64_t now);

/* The counting element's value (0..65535; BCD channels: 0..9999 in binary)
 * and the OUT pin at time now. */
uint32_t pit_chan_count(const struct pit_chan *c, uint64_t now);
bool pit_chan_out(const struct pit_chan *c, uint64_t now);
/* The first rising edge of OUT strictly after `after` (ns), or 0 if OUT
 * will not rise again without a new write or gate change. */
uint64_t pit_chan_next_edge(const struct pit_chan *c, uint64_t after);

#endif
