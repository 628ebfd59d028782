/* 8254 PIT at ports 0x40-0x43 and the PC's system control port B (0x61):
 * three counters from vmm/vpit_calc.c on the hypervisor clock, channel 0's
 * OUT driving ISA IRQ0 (GSI 2), channel 2's gate and OUT on port 0x61.
 *
 * One host timer, for channel 0's next rising OUT edge only: periodic modes
 * (2, 3) re-arm it from its callback, one-shot modes (0, 1, 4, 5) arm it
 * once per count written. A guest that stops using the PIT (Linux writes
 * mode 0, and perhaps a last count, when the LAPIC timer takes over) thus
 * costs at most one more timer and one interrupt. Missed periods (the
 * callback ran late) are skipped, not replayed, and the period of the host
 * timer is never below PIT_MIN_PERIOD_NS: a guest that programs a tiny count
 * in mode 2 gets fewer interrupts, not an interrupt storm. Counts and OUT
 * read through the ports always follow the exact clock. */
#include "vmm/dev/vdev_priv.h"
#include "core/log.h"

#define PIT_MIN_PERIOD_NS 100000ull     /* 10 kHz at most */

#define P61_GATE2    0x01
#define P61_SPKR     0x02
#define P61_RW       0x0f               /* gate, speaker, parity/IOCHK enables */
#define P61_REFRESH  0x10
#define P61_OUT2     0x20
#define REFRESH_NS   15085ull           /* refresh request toggles every 15.085 us */

static void arm(struct vpit *p, uint64_t deadline)
{
	p->deadline = deadline;
	if (deadline)
		timer_set(&p->timer, deadline);
	else
		timer_cancel(&p->timer);
}

/* Channel 0 changed: aim the timer at its next rising edge. */
static void rearm(struct vpit *p, uint64_t now)
{
	arm(p, pit_chan_next_edge(&p->ch[0], now));
}

static void timer_fn(struct timer *t, void *arg)
{
	struct vpit *p = arg;
	uint64_t f = spin_lock_irqsave(&p->lock);
	uint64_t now = time_now();
	/* The timer may fire once after a cancel or re-arm elsewhere: only
	 * a deadline that is still ours and due counts. */
	if (!p->deadline || now < p->deadline) {
		spin_unlock_irqrestore(&p->lock, f);
		return;
	}
	if (p->vm->state != VM_RUNNING) {
		/* A stopped VM's PIT stops loading the host. */
		p->deadline = 0;
		spin_unlock_irqrestore(&p->lock, f);
		return;
	}
	const struct pit_chan *c = &p->ch[0];
	uint64_t next = pit_chan_next_edge(c, p->deadline);
	if (next && next <= now)
		next = pit_chan_next_edge(c, now);      /* skip missed periods */
	if (next && next < now + PIT_MIN_PERIOD_NS)
		next = now + PIT_MIN_PERIOD_NS;
	arm(p, next);
	p->irqs++;
	spin_unlock_irqrestore(&p->lock, f);
	vm_irq_pulse(p->vm, VDEV_GSI_PIT);
}

void vpit_init(struct vpit *p, struct vm *vm)
{
	p->vm = vm;
	/* The gates of channels 0 and 1 are tied high on a PC. */
	pit_chan_init(&p->ch[0], true);
	pit_chan_init(&p->ch[1], true);
	pit_chan_init(&p->ch[2], false);
	p->port61 = 0;
	p->deadline = 0;
	timer_init(&p->timer, timer_fn, p);
}

void vpit_destroy(struct vpit *p)
{
	uint64_t f = spin_lock_irqsave(&p->lock);
	arm(p, 0);
	spin_unlock_irqrestore(&p->lock, f);
}

void vdev_pit_pio(struct vdevs *d, uint16_t port, unsigned size, bool in, uint32_t *val)
{
	uint8_t b = (uint8_t)*val;
	vpit_pio(&d->pit, port, in, &b);
	if (in)
		*val = b;
}

static void control(struct vpit *p, uint8_t cw, uint64_t now)
{
	unsigned sc = cw >> 6;
	if (sc == 3) {
		/* Read-back: bit 5 clear latches counts, bit 4 clear latches
		 * status, bits 1-3 select channels 0-2. */
		for (unsigned i = 0; i < 3; i++)
			if (cw & (2u << i))
				pit_chan_readback(&p->ch[i], !(cw & 0x20), !(cw & 0x10), now);
		return;
	}
	if (!(cw & 0x30))
		pit_chan_latch(&p->ch[sc], now);
	else
		pit_chan_control(&p->ch[sc], cw & 0x3f, now);
	if (sc == 0)
		rearm(p, now);
}

void vpit_pio(struct vpit *p, uint16_t port, bool in, uint8_t *val)
{
	uint64_t f = spin_lock_irqsave(&p->lock);
	uint64_t now = time_now();
	if (port == 0x61) {
		if (in) {
			*val = (uint8_t)((p->port61 & P61_RW) |
					 ((now / REFRESH_NS) & 1 ? P61_REFRESH : 0) |
					 (pit_chan_out(&p->ch[2], now) ? P61_OUT2 : 0));
		} else {
			p->port61 = *val & P61_RW;
			pit_chan_set_gate(&p->ch[2], *val & P61_GATE2, now);
		}
	} else if (port == 0x43) {
		if (in)
			*val = 0xff;                    /* the control register is write-only */
		else
			control(p, *val, now);
	} else {
		struct pit_chan *c = &p->ch[port - 0x40];
		if (in) {
			*val = pit_chan_read(c, now);
		} else {
			pit_chan_write(c, *val, now);
			/* Even a first byte matters: it stops a mode-0 count. */
			if (port == 0x40)
				rearm(p, now);
		}
	}
	spin_unlock_irqrestore(&p->lock, f);
}
