/* Virtual local APIC (SDM Vol. 3 chapters 11-12 for the architecture). */
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vlapic_rules.h"
#include "vmm/dev/vdev.h"
#include "core/log.h"
#include "core/mm.h"
#include "hw/tsc.h"
#include "hw/x86.h"

#define R_ID     0x020
#define R_VER    0x030
#define R_TPR    0x080
#define R_APR    0x090
#define R_PPR    0x0A0
#define R_EOI    0x0B0
#define R_LDR    0x0D0
#define R_DFR    0x0E0
#define R_SVR    0x0F0
#define R_ISR    0x100
#define R_TMR    0x180
#define R_IRR    0x200
#define R_ESR    0x280
#define R_CMCI   0x2F0
#define R_ICR    0x300
#define R_ICR2   0x310
#define R_LVT_T  0x320
#define R_LVT_TH 0x330
#define R_LVT_PM 0x340
#define R_LVT0   0x350
#define R_LVT1   0x360
#define R_LVT_E  0x370
#define R_TMICT  0x380
#define R_TMCCT  0x390
#define R_TDCR   0x3E0
#define R_SELF   0x3F0    /* x2APIC only */

/* The shortest period a periodic timer re-arms with, as the PIT's (vpit.c):
 * a tiny initial count gets fewer interrupts, not a pCPU looping on its
 * timer queue. */
#define VLAPIC_MIN_PERIOD_NS 100000ull

#define LVT_MASK      (1u << 16)
#define TMR_PERIODIC  (1u << 17)
#define TMR_TSCDL     (2u << 17)
#define BASE_BSP      (1ull << 8)
#define BASE_EXTD     (1ull << 10)
#define BASE_EN       (1ull << 11)

struct vlapic {
	struct vcpu *v;
	spinlock_t lock;
	uint64_t base;                  /* IA32_APIC_BASE */
	uint32_t tpr, svr, ldr, dfr, icr_hi;
	/* Errors are collected in esr_acc; a write to the ESR latches them
	 * into esr, the value reads return, and starts collecting anew
	 * (SDM 11.5.3). */
	uint32_t esr, esr_acc;
	uint32_t lvt[7];                /* timer, thermal, perf, lint0, lint1, error, cmci */
	uint32_t irr[8], isr[8], tmr[8];
	/* Bit i set when irr[i] / isr[i] is not zero: finding the highest
	 * vector is then one bit scan, and "nothing pending", the answer
	 * before nearly every VM entry, costs a single test. */
	uint8_t irr_words, isr_words;
	uint32_t tmict, tdcr;
	uint64_t tm_start;              /* ns when the count was loaded */
	uint64_t tm_deadline;           /* ns of the next expiry, 0 = none */
	uint64_t tscdl;                 /* guest TSC-deadline value */
	struct timer timer;
	int eoi_level;                  /* level-triggered vector just EOIed, -1 if none */
};

static inline struct vlapic *L(struct vcpu *v) { return v->lapic; }
static bool x2(const struct vlapic *l) { return l->base & BASE_EXTD; }

static int lvt_index(unsigned off)
{
	switch (off) {
	case R_LVT_T: return 0; case R_LVT_TH: return 1; case R_LVT_PM: return 2;
	case R_LVT0: return 3; case R_LVT1: return 4; case R_LVT_E: return 5; case R_CMCI: return 6;
	}
	return -1;
}

/* The highest vector set in bits[8], whose non-zero words are `words`. */
static int highest(const uint32_t *bits, uint8_t words)
{
	if (!words)
		return -1;
	int i = 31 - __builtin_clz(words);
	return i * 32 + 31 - __builtin_clz(bits[i]);
}

static void vec_set(uint32_t *bits, uint8_t *words, unsigned vec)
{
	bits[vec / 32] |= 1u << (vec % 32);
	*words |= (uint8_t)(1u << (vec / 32));
}

static void vec_clear(uint32_t *bits, uint8_t *words, unsigned vec)
{
	bits[vec / 32] &= ~(1u << (vec % 32));
	if (!bits[vec / 32])
		*words &= (uint8_t)~(1u << (vec / 32));
}

static uint32_t ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr, l->isr_words);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
	return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

static uint64_t divider(const struct vlapic *l)
{
	return vlapic_divisor(l->tdcr);
}

static void timer_arm(struct vlapic *l, uint64_t deadline)
{
	l->tm_deadline = deadline;
	if (deadline)
		timer_set(&l->timer, deadline);
	else
		timer_cancel(&l->timer);
}

#define ESR_SEND_ILLEGAL 0x20
#define ESR_RECV_ILLEGAL 0x40

/* Record an error; an unmasked LVT error entry with a legal vector
 * interrupts (SDM 11.5.3; an illegal one there is ignored, not re-logged). */
static void error_locked(struct vlapic *l, uint32_t bit)
{
	l->esr_acc |= bit;
	uint32_t lvt = l->lvt[5];
	if (!(lvt & LVT_MASK) && (lvt & 0xff) >= 16)
		vec_set(l->irr, &l->irr_words, lvt & 0xff);
}

static void deliver_locked(struct vlapic *l, uint8_t vec)
{
	if (vec < 16) {
		error_locked(l, ESR_RECV_ILLEGAL);
		return;
	}
	vec_set(l->irr, &l->irr_words, vec);
}

/* Arm the timer for the TSC-deadline l->tscdl of the guest's TSC: at once
 * if it has passed, at most VLAPIC_TSCDL_MAX_NS ahead otherwise (the
 * expiry re-arms for the rest), so a huge value overflows nothing. */
static void tscdl_arm(struct vlapic *l)
{
	if (!l->tscdl) {
		timer_arm(l, 0);
		return;
	}
	uint64_t gnow = rdtsc() + (uint64_t)l->v->vm->tsc_offset, now = time_now();
	uint64_t left = l->tscdl > gnow ? l->tscdl - gnow : 0;
	uint64_t max_ticks = ns_to_tsc(VLAPIC_TSCDL_MAX_NS);
	uint64_t ns = left > max_ticks ? VLAPIC_TSCDL_MAX_NS : tsc_to_ns(left);
	/* tsc_to_ns rounds down: a deadline less than a nanosecond's worth of
	 * ticks ahead would be armed at `now`, fire, find the TSC short of it
	 * and re-arm at `now` again, with no time passing in between where
	 * the clock is coarse (found by tests/fuzz/vlapic.c). At least 1 ns. */
	if (left && !ns)
		ns = 1;
	timer_arm(l, now + ns);
}

static void timer_fire(struct timer *t, void *arg)
{
	struct vlapic *l = arg;
	uint64_t f = spin_lock_irqsave(&l->lock);
	uint64_t now = time_now();
	if (!l->tm_deadline) {
		spin_unlock_irqrestore(&l->lock, f);
		return;
	}
	if (l->v->vm->state != VM_RUNNING) {
		l->tm_deadline = 0;             /* a stopped VM's timer stops */
		spin_unlock_irqrestore(&l->lock, f);
		return;
	}
	if (now < l->tm_deadline) {             /* re-armed elsewhere, or early */
		timer_set(&l->timer, l->tm_deadline);
		spin_unlock_irqrestore(&l->lock, f);
		return;
	}
	uint32_t lvt = l->lvt[0];
	if ((lvt & (3u << 17)) == TMR_TSCDL && l->tscdl &&
	    rdtsc() + (uint64_t)l->v->vm->tsc_offset < l->tscdl) {
		/* A far deadline was armed in steps: not there yet. */
		tscdl_arm(l);
		spin_unlock_irqrestore(&l->lock, f);
		return;
	}
	if (!(lvt & LVT_MASK))
		deliver_locked(l, lvt & 0xff);
	if ((lvt & (3u << 17)) == TMR_PERIODIC && l->tmict) {
		uint64_t period = vlapic_period_ns(l->tmict, divider(l), true);
		uint64_t next = vlapic_next_period(l->tm_deadline, period, now);
		l->tm_start = next - period;
		timer_arm(l, next);
	} else {
		l->tm_deadline = 0;
		if ((lvt & (3u << 17)) == TMR_TSCDL)
			l->tscdl = 0;
	}
	spin_unlock_irqrestore(&l->lock, f);
	vcpu_kick(l->v);
}

int vlapic_create(struct vcpu *v)
{
	struct vlapic *l = kzalloc(sizeof(*l));
	if (!l)
		return -1;
	l->v = v;
	timer_init(&l->timer, timer_fire, l);
	v->lapic = l;
	vlapic_reset(v);
	return 0;
}

void vlapic_destroy(struct vcpu *v)
{
	if (!v->lapic)
		return;
	timer_cancel(&L(v)->timer);
	kfree(v->lapic);
	v->lapic = NULL;
}

void vlapic_reset(struct vcpu *v)
{
	struct vlapic *l = L(v);
	uint64_t f = spin_lock_irqsave(&l->lock);
	timer_arm(l, 0);
	l->base = VLAPIC_BASE | BASE_EN | (v->id == 0 ? BASE_BSP : 0);
	l->tpr = 0;
	l->svr = 0xff;
	l->ldr = 0;
	l->dfr = 0xffffffff;
	l->esr = l->esr_acc = 0;
	l->icr_hi = 0;
	for (int i = 0; i < 7; i++)
		l->lvt[i] = LVT_MASK;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	l->irr_words = l->isr_words = 0;
	memset(l->tmr, 0, sizeof(l->tmr));
	l->tmict = l->tdcr = 0;
	l->tscdl = 0;
	l->eoi_level = -1;
	spin_unlock_irqrestore(&l->lock, f);
}

/* Does this LAPIC accept a logical destination? */
static bool logical_match(const struct vlapic *l, uint32_t dest)
{
	if (x2(l)) {
		uint32_t ldr = (l->v->apic_id >> 4) << 16 | 1u << (l->v->apic_id & 0xf);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	uint8_t d = (uint8_t)dest, id = (uint8_t)(l->ldr >> 24);
	if ((l->dfr >> 28) == 0xf)
		return d & id;                           /* flat */
	return (d >> 4) == (id >> 4) && (d & id & 0xf);  /* cluster */
}

static void set_irq_trig(struct vcpu *v, uint8_t vector, bool level)
{
	struct vlapic *l = L(v);
	uint64_t f = spin_lock_irqsave(&l->lock);
	deliver_locked(l, vector);
	/* TMR remembers level-triggered vectors: their EOI goes to the IOAPIC. */
	if (level)
		l->tmr[vector / 32] |= 1u << (vector % 32);
	else
		l->tmr[vector / 32] &= ~(1u << (vector % 32));
	spin_unlock_irqrestore(&l->lock, f);
	vcpu_kick(v);
}

/* Returns whether the delivery mode is one lhv models (the message was
 * accepted). */
static bool send_one(struct vcpu *t, unsigned mode, uint8_t vec, bool level)
{
	switch (mode) {
	case 0: case 1:                                  /* fixed, lowest priority */
		set_irq_trig(t, vec, level);
		break;
	case 4:                                          /* NMI */
		t->nmi_pending = true;
		vcpu_kick(t);
		break;
	case 5:                                          /* INIT */
		/* The target's pCPU applies the INIT later (run loop), maybe
		 * only after the SIPIs that follow it have come: a SIPI sent
		 * before this INIT is void, one sent after it must survive. */
		spin_lock(&t->lock);
		t->init_pending = true;
		t->sipi_vector = -1;
		spin_unlock(&t->lock);
		vcpu_kick(t);
		break;
	case 6:
		/* SIPI: taken in wait-for-SIPI, which a vCPU with an INIT
		 * still to apply is as good as in (its pCPU may be busy with
		 * other work when the SIPI comes); the first one counts. */
		spin_lock(&t->lock);
		if ((t->state == VCPU_WAIT_SIPI || t->init_pending) && t->sipi_vector < 0)
			t->sipi_vector = vec;
		spin_unlock(&t->lock);
		vcpu_kick(t);
		break;
	default:                                         /* SMI, ExtINT: not modelled */
		return false;
	}
	return true;
}

bool vlapic_send_msg(struct vcpu *t, uint32_t icr_lo)
{
	unsigned mode = (icr_lo >> 8) & 7;
	if (mode == 5 && !(icr_lo & (1u << 14)))
		return false;                            /* INIT level de-assert */
	return send_one(t, mode, icr_lo & 0xff, false);
}

/* Deliver to every LAPIC of vm that dest/shorthand selects; src is the
 * sender for the self shorthands (NULL for the IOAPIC). */
static void route(struct vm *vm, struct vcpu *src, unsigned shorthand, uint32_t dest,
		  bool logical, unsigned mode, uint8_t vec, bool level, uint32_t bcast)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *t = vm->vcpus[i];
		bool self = t == src, hit;
		switch (shorthand) {
		case 1: hit = self; break;
		case 2: hit = true; break;
		case 3: hit = !self; break;
		default:
			if (logical)
				hit = logical_match(L(t), dest);
			else
				hit = dest == bcast || dest == t->apic_id;
		}
		if (hit) {
			send_one(t, mode, vec, level);
			if (mode == 1 && !shorthand)
				break;                   /* lowest priority: one target */
		}
	}
}

static void send_ipi(struct vlapic *src, uint32_t lo, uint32_t dest)
{
	unsigned mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
	if (mode == 5 && !(lo & (1u << 14)))
		return;                                  /* INIT level de-assert */
	if (mode == 3 || mode == 7 || mode == 2)
		return;                                  /* reserved, ExtINT, SMI: nothing */
	if (mode <= 1 && (lo & 0xff) < 16) {
		/* Fixed or lowest priority with vector 0-15: the sender logs
		 * "send illegal vector" and nothing is sent (SDM 11.5.3). */
		uint64_t f = spin_lock_irqsave(&src->lock);
		error_locked(src, ESR_SEND_ILLEGAL);
		spin_unlock_irqrestore(&src->lock, f);
		vcpu_kick(src->v);
		return;
	}
	route(src->v->vm, src->v, shorthand, dest, lo & (1u << 11), mode, lo & 0xff, false,
	      x2(src) ? 0xffffffffu : 0xffu);
}

void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode, uint8_t vector, bool level)
{
	/* An IOAPIC message: 0xff broadcasts in xAPIC terms; x2APIC guests use
	 * IDs below 255 here (the IOAPIC destination field is 8 bits). Only
	 * fixed, lowest priority, NMI and INIT messages act; a start-up
	 * message cannot come from an I/O APIC (its mode 6 is reserved). */
	if (mode != 0 && mode != 1 && mode != 4 && mode != 5)
		return;
	route(vm, NULL, 0, dest, logical, mode, vector, level, 0xff);
}

static uint32_t current_count(const struct vlapic *l)
{
	if (!l->tm_deadline || (l->lvt[0] & (3u << 17)) == TMR_TSCDL)
		return 0;
	uint64_t now = time_now();
	if (now >= l->tm_deadline)
		return 0;
	return vlapic_current_count(l->tm_deadline - now, divider(l), l->tmict);
}

static uint32_t reg_read(struct vlapic *l, unsigned off)
{
	int lvt = lvt_index(off);
	if (lvt >= 0)
		return l->lvt[lvt];
	if (off >= R_ISR && off < R_ISR + 0x80)
		return l->isr[(off - R_ISR) >> 4];
	if (off >= R_TMR && off < R_TMR + 0x80)
		return l->tmr[(off - R_TMR) >> 4];
	if (off >= R_IRR && off < R_IRR + 0x80)
		return l->irr[(off - R_IRR) >> 4];
	switch (off) {
	case R_ID: return x2(l) ? l->v->apic_id : l->v->apic_id << 24;
	case R_VER: return 0x14 | (6u << 16);            /* 7 LVTs, no EOI broadcast suppression */
	case R_TPR: return l->tpr;
	case R_APR: return 0;
	case R_PPR: return ppr(l);
	case R_LDR: return x2(l) ? ((l->v->apic_id >> 4) << 16 | 1u << (l->v->apic_id & 0xf)) : l->ldr;
	case R_DFR: return l->dfr;
	case R_SVR: return l->svr;
	case R_ESR: return l->esr;
	case R_ICR: return 0;                            /* delivery always complete */
	case R_ICR2: return l->icr_hi;
	case R_TMICT: return l->tmict;
	case R_TMCCT: return current_count(l);
	case R_TDCR: return l->tdcr;
	}
	return 0;
}

/* Returns the vector whose level-triggered interrupt ended, or -1. */
static int eoi(struct vlapic *l)
{
	int v = highest(l->isr, l->isr_words);
	if (v < 0)
		return -1;
	vec_clear(l->isr, &l->isr_words, (unsigned)v);
	return (l->tmr[v / 32] >> (v % 32)) & 1 ? v : -1;
}

/* Returns an ICR write to send after the lock is dropped (lo, dest), or 0. */
static bool reg_write(struct vlapic *l, unsigned off, uint32_t val, uint32_t *ipi_lo, uint32_t *ipi_dest)
{
	int lvt = lvt_index(off);
	if (lvt >= 0) {
		if (!(l->svr & 0x100))
			val |= LVT_MASK;                 /* software-disabled: masked */
		uint32_t old = l->lvt[lvt];
		l->lvt[lvt] = val;
		if (lvt == 0 && ((old ^ val) & (3u << 17))) {
			/* A mode change stops the timer (SDM 11.5.4.1). */
			l->tmict = 0;
			l->tscdl = 0;
			timer_arm(l, 0);
		}
		return false;
	}
	switch (off) {
	case R_TPR: l->tpr = val & 0xff; break;
	case R_EOI: l->eoi_level = eoi(l); break;
	case R_LDR: if (!x2(l)) l->ldr = val & 0xff000000u; break;
	case R_DFR: if (!x2(l)) l->dfr = val | 0x0fffffffu; break;
	case R_SVR:
		l->svr = val & 0x1ff;
		if (!(val & 0x100))
			for (int i = 0; i < 7; i++)
				l->lvt[i] |= LVT_MASK;
		break;
	case R_ESR:
		l->esr = l->esr_acc;
		l->esr_acc = 0;
		break;
	case R_ICR2: l->icr_hi = val; break;
	case R_ICR:
		*ipi_lo = val;
		*ipi_dest = x2(l) ? l->icr_hi : l->icr_hi >> 24;
		return true;
	case R_TMICT:
		if ((l->lvt[0] & (3u << 17)) == TMR_TSCDL)
			break;
		l->tmict = val;
		l->tm_start = time_now();
		timer_arm(l, val ? l->tm_start + vlapic_period_ns(val, divider(l),
			  (l->lvt[0] & (3u << 17)) == TMR_PERIODIC) : 0);
		break;
	case R_TDCR: l->tdcr = val & 0xb; break;
	case R_SELF:
		if (x2(l))
			deliver_locked(l, val & 0xff);
		break;
	default: break;                                  /* read-only or reserved */
	}
	return false;
}

/* After a register access (lock held, flags f): drop the lock, then do what
 * must not happen under it: forward a level-triggered EOI to the IOAPIC,
 * send an IPI, and let the vCPU re-evaluate its pending interrupts. */
static void finish_access(struct vcpu *v, uint64_t f, bool ipi, uint32_t lo, uint32_t dest, bool write)
{
	struct vlapic *l = L(v);
	int eoi_vec = l->eoi_level;
	l->eoi_level = -1;
	spin_unlock_irqrestore(&l->lock, f);
	if (eoi_vec >= 0)
		vioapic_eoi(v->vm, (uint8_t)eoi_vec);
	if (ipi)
		send_ipi(l, lo, dest);
	if (write)
		vcpu_kick(v);
}

void vlapic_mmio(struct vcpu *v, unsigned off, unsigned size, bool write, uint64_t *val)
{
	struct vlapic *l = L(v);
	if (x2(l) || !(l->base & BASE_EN)) {
		/* In x2APIC mode (or disabled) the MMIO page does not respond. */
		if (!write)
			*val = 0xffffffffffffffffull;
		return;
	}
	unsigned reg = off & ~0xfu;
	uint32_t lo = 0, dest = 0;
	bool ipi = false;
	uint64_t f = spin_lock_irqsave(&l->lock);
	if (write) {
		if ((off & 0xf) == 0 && size == 4)
			ipi = reg_write(l, reg, (uint32_t)*val, &lo, &dest);
	} else {
		uint32_t r = reg_read(l, reg);
		*val = (r >> (8 * (off & 3))) & (size >= 4 ? 0xffffffffull : (1ull << (8 * size)) - 1);
	}
	finish_access(v, f, ipi, lo, dest, write);
}

bool vlapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *l = L(v);
	if (msr == 0x1b) {
		*val = l->base;
		return true;
	}
	if (msr == 0x6e0) {
		*val = l->tscdl;
		return true;
	}
	if (msr < 0x800 || msr > 0x8ff || !x2(l))
		return false;
	unsigned off = (msr - 0x800) << 4;
	if (!vlapic_x2apic_access_ok(off, false, 0))
		return false;
	uint64_t f = spin_lock_irqsave(&l->lock);
	*val = reg_read(l, off);
	if (off == R_ICR)
		*val |= (uint64_t)l->icr_hi << 32;
	spin_unlock_irqrestore(&l->lock, f);
	return true;
}

bool vlapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *l = L(v);
	if (msr == 0x1b) {
		/* Only the enable bits may change; the base stays put, and the
		 * only legal mode changes are xAPIC -> x2APIC and -> disabled. */
		uint64_t keep = VLAPIC_BASE | (l->base & BASE_BSP);
		if ((val & ~(BASE_EN | BASE_EXTD | BASE_BSP)) != VLAPIC_BASE ||
		    ((val & BASE_EXTD) && !(val & BASE_EN)) ||
		    (x2(l) && (val & BASE_EN) && !(val & BASE_EXTD)) ||
		    (!(l->base & BASE_EN) && (val & BASE_EXTD)))     /* disabled -> x2APIC */
			return false;
		l->base = keep | (val & (BASE_EN | BASE_EXTD));
		return true;
	}
	if (msr == 0x6e0) {
		uint64_t f = spin_lock_irqsave(&l->lock);
		l->tscdl = val;
		if ((l->lvt[0] & (3u << 17)) == TMR_TSCDL)
			tscdl_arm(l);
		spin_unlock_irqrestore(&l->lock, f);
		return true;
	}
	if (msr < 0x800 || msr > 0x8ff || !x2(l))
		return false;
	unsigned off = (msr - 0x800) << 4;
	if (!vlapic_x2apic_access_ok(off, true, val))
		return false;
	uint32_t lo = 0, dest = 0;
	uint64_t f = spin_lock_irqsave(&l->lock);
	if (off == R_ICR)
		l->icr_hi = (uint32_t)(val >> 32);
	bool ipi = reg_write(l, off, (uint32_t)val, &lo, &dest);
	finish_access(v, f, ipi, lo, dest, true);
	return true;
}

void vlapic_set_irq(struct vcpu *v, uint8_t vector)
{
	struct vlapic *l = L(v);
	uint64_t f = spin_lock_irqsave(&l->lock);
	deliver_locked(l, vector);
	spin_unlock_irqrestore(&l->lock, f);
	vcpu_kick(v);
}

bool vlapic_pending(struct vcpu *v)
{
	struct vlapic *l = L(v);
	if (!(l->svr & 0x100) || !(l->base & BASE_EN))
		return false;
	int irr = highest(l->irr, l->irr_words);
	return irr >= 0 && ((uint32_t)irr & 0xf0) > (ppr(l) & 0xf0);
}

int vlapic_ack(struct vcpu *v)
{
	struct vlapic *l = L(v);
	uint64_t f = spin_lock_irqsave(&l->lock);
	int vec = -1;
	if (vlapic_pending(v)) {
		vec = highest(l->irr, l->irr_words);
		vec_clear(l->irr, &l->irr_words, (unsigned)vec);
		vec_set(l->isr, &l->isr_words, (unsigned)vec);
	}
	spin_unlock_irqrestore(&l->lock, f);
	return vec;
}

uint32_t vlapic_get_tpr(struct vcpu *v) { return L(v)->tpr; }
void vlapic_set_tpr(struct vcpu *v, uint32_t tpr) { L(v)->tpr = tpr & 0xff; }
