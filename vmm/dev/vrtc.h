/* MC146818-style CMOS RTC and its 128 bytes of CMOS memory at ports
 * 0x70 (index; bit 7 = NMI disable) / 0x71 (data). Pure: time comes in as
 * nanoseconds since the VM started; host-tested (tests/unit/test_vrtc.c).
 *
 * The wall clock is VRTC_EPOCH (2026-01-01 00:00:00 UTC) plus the VM's
 * running time plus whatever offset the guest set by writing the time
 * registers: the same every run, so boots under Bochs are reproducible.
 * It shows years 1970-9999 and stops at either end (VRTC_TIME_MAX).
 * Registers: seconds, minutes, hours, day of week, day, month, year,
 * century (0x32) in BCD and 24-hour mode by default (status B = 0x02); the
 * guest may switch status B to binary or 12-hour mode and reads follow.
 * Status A reads divider 0x26 (32.768 kHz, 1024 Hz rate) with UIP (bit 7)
 * set for the last 244 us of every second, as on the real part, so the
 * "wait for UIP clear, read, re-check" loops terminate quickly. Status D
 * reads 0x80 (valid RAM and time). Status C reads 0: this RTC raises no
 * interrupts (periodic, alarm and update-ended flags never set; the alarm
 * registers are plain storage). The SET bit of status B is stored only:
 * time writes take effect at once. Registers 0x15-0x18, 0x30-0x31,
 * 0x34-0x35 and 0x5b-0x5d give the RAM size the BIOS convention's way;
 * every other byte is read/write storage. */
#ifndef VMM_VRTC_H
#define VMM_VRTC_H
#include "core/lib.h"

#define VRTC_EPOCH      1767225600ull   /* 2026-01-01 00:00:00 UTC, Unix time */
#define VRTC_TIME_MAX   253402300799ull /* 9999-12-31 23:59:59 UTC: the clock stops there */

struct vrtc {
	uint8_t index;
	bool nmi_disabled;      /* stored; there are no NMI sources to gate */
	uint8_t ram[128];
	int64_t offset;         /* seconds the guest moved the clock by */
};

struct vrtc_tm {
	unsigned year, mon, mday, hour, min, sec, wday;  /* mon 1-12, wday 0 = Sunday */
};

/* Unix seconds <-> calendar (UTC, proleptic Gregorian, years 1970-9999). */
void vrtc_time_to_tm(uint64_t t, struct vrtc_tm *tm);
uint64_t vrtc_tm_to_time(const struct vrtc_tm *tm);

/* ram_bytes: the VM's RAM (contiguous from 0) for the memory-size bytes. */
void vrtc_init(struct vrtc *r, uint64_t ram_bytes);
/* Port 0x70/0x71 accesses; ns = nanoseconds since the VM started. */
uint8_t vrtc_read(struct vrtc *r, uint16_t port, uint64_t ns);
void vrtc_write(struct vrtc *r, uint16_t port, uint8_t val, uint64_t ns);

#endif
