/* Fuzz target: the virtual local APIC (vmm/dev/vlapic.c), several per VM,
 * driven as a guest and the devices would: xAPIC MMIO and x2APIC/APIC_BASE/
 * TSC_DEADLINE MSR accesses, I/O APIC messages, device interrupts, interrupt
 * acknowledge, TPR writes, INIT resets and time steps on the stub clock
 * (tests/fuzz/env). vlapic.c is #included so its private state can be
 * checked; nothing in it is changed.
 *
 * Input: one byte (number of vCPUs 1-4, TSC frequency), then operations of
 * one opcode byte and their operands. Checked after every operation, on
 * every LAPIC: IRR/ISR summary words agree with the vectors, no vector
 * below 16 is pending or in service, register fields hold only their
 * defined bits, a software-disabled APIC has every LVT masked, the
 * APIC_BASE value is one the MSR can hold, the timer is armed on the clock
 * exactly when the model says so, the current count never exceeds the
 * initial count, an acknowledged vector was the highest pending one above
 * the PPR, and time steps run at most one expiry per VLAPIC_MIN_PERIOD_NS
 * of simulated time and vCPU: no periodic timer re-arms faster than the
 * model's floor, none loops re-arming in the past. */
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/env/env.h"
#include "vmm/dev/vlapic.c"

#define MAX_VCPUS 4
/* The hypervisor clock stays below 2^62 ns (146 years of uptime). */
#define TIME_MAX (1ull << 62)

#ifndef VLAPIC_MIN_PERIOD_NS
#error "vlapic.c defines no VLAPIC_MIN_PERIOD_NS: the timer floor this target checks"
#endif

static struct vm vm;

static void check_lapic(struct vcpu *v)
{
	struct vlapic *l = L(v);
	uint8_t iw = 0, sw = 0;

	for (unsigned i = 0; i < 8; i++) {
		iw |= (uint8_t)((l->irr[i] != 0) << i);
		sw |= (uint8_t)((l->isr[i] != 0) << i);
	}
	FUZZ_CHECK(iw == l->irr_words && sw == l->isr_words,
		   "summary words irr %02x/%02x isr %02x/%02x", l->irr_words, iw, l->isr_words, sw);
	FUZZ_CHECK(!(l->irr[0] & 0xffff) && !(l->isr[0] & 0xffff),
		   "vector below 16 pending (%08x) or in service (%08x)", l->irr[0], l->isr[0]);
	FUZZ_CHECK(l->tpr <= 0xff && l->svr <= 0x1ff && !(l->tdcr & ~0xbu),
		   "tpr %x svr %x tdcr %x", l->tpr, l->svr, l->tdcr);
	FUZZ_CHECK(!(l->ldr & 0xffffff) && (l->dfr & 0x0fffffff) == 0x0fffffff,
		   "ldr %x dfr %x", l->ldr, l->dfr);
	if (!(l->svr & 0x100))
		for (int i = 0; i < 7; i++)
			FUZZ_CHECK(l->lvt[i] & LVT_MASK, "LVT %d unmasked while software-disabled", i);
	FUZZ_CHECK((l->base & ~(BASE_EN | BASE_EXTD | BASE_BSP)) == VLAPIC_BASE &&
		   (!(l->base & BASE_EXTD) || (l->base & BASE_EN)), "APIC_BASE 0x%llx",
		   (unsigned long long)l->base);
	FUZZ_CHECK(l->eoi_level == -1, "EOI left pending after an access");

	uint64_t dl = 0;
	bool armed = env_timer_armed(&l->timer, &dl);
	FUZZ_CHECK(armed == (l->tm_deadline != 0) && (!armed || dl == l->tm_deadline),
		   "timer armed %d at %llu, model deadline %llu", armed, (unsigned long long)dl,
		   (unsigned long long)l->tm_deadline);
	if ((l->lvt[0] & (3u << 17)) == TMR_TSCDL)
		FUZZ_CHECK(l->tmict == 0, "TSC-deadline mode with an initial count");
	FUZZ_CHECK(current_count(l) <= l->tmict, "current count %u above the initial count %u",
		   current_count(l), l->tmict);
	FUZZ_CHECK(v->sipi_vector >= -1 && v->sipi_vector <= 0xff, "sipi_vector %d", v->sipi_vector);
}

static void check_all(void)
{
	for (unsigned i = 0; i < vm.nvcpus; i++)
		check_lapic(vm.vcpus[i]);
}

static struct vcpu *pick(struct fz *f)
{
	return vm.vcpus[fz_u8(f) % vm.nvcpus];
}

static uint32_t pick_msr(struct fz *f)
{
	uint8_t s = fz_u8(f);
	switch (s & 3) {
	case 0: return 0x1b;
	case 1: return 0x6e0;
	default: return 0x800 + fz_u8(f);
	}
}

static void ack(struct vcpu *v)
{
	struct vlapic *l = L(v);
	bool pend = vlapic_pending(v);
	int hi = highest(l->irr, l->irr_words);
	uint32_t p = ppr(l);
	int vec = vlapic_ack(v);

	FUZZ_CHECK(pend == (vec >= 0), "pending %d but ack gave %d", pend, vec);
	if (vec < 0)
		return;
	FUZZ_CHECK(vec == hi && vec >= 16 && ((uint32_t)vec & 0xf0) > (p & 0xf0),
		   "acknowledged %d: highest %d, PPR %x", vec, hi, p);
	FUZZ_CHECK((l->isr[vec / 32] >> (vec % 32)) & 1, "acknowledged %d not in service", vec);
}

/* A guest programming the timer the usual way: enable, divide, LVT, count. */
static void program_timer(struct fz *f, struct vcpu *v)
{
	uint64_t val = 0x1ff;
	uint8_t mode = fz_u8(f) % 3;

	vlapic_mmio(v, R_SVR, 4, true, &val);
	val = fz_u8(f) & 0xb;
	vlapic_mmio(v, R_TDCR, 4, true, &val);
	val = (uint64_t)(mode << 17) | (fz_u8(f) | 0x20u) | (fz_bool(f) ? LVT_MASK : 0);
	vlapic_mmio(v, R_LVT_T, 4, true, &val);
	if (mode == 2) {
		vlapic_wrmsr(v, 0x6e0, fz_u64(f));
	} else {
		val = fz_u32(f);
		vlapic_mmio(v, R_TMICT, 4, true, &val);
	}
}

static void step(struct fz *f, bool exact)
{
	uint64_t d = exact ? fz_u32(f) & 0xffffff : fz_u64(f) % (TIME_MAX / 16);
	uint64_t to = env.now + d > TIME_MAX ? TIME_MAX : env.now + d;
	uint64_t allowed = vm.nvcpus * ((to - env.now) / VLAPIC_MIN_PERIOD_NS + 2);
	uint64_t n = env_advance(to, exact, allowed + 1);

	FUZZ_CHECK(n <= allowed, "%llu timer expiries in %llu ns on %u vCPUs: a timer re-arms "
		   "faster than the %llu ns floor", (unsigned long long)n,
		   (unsigned long long)d, vm.nvcpus, (unsigned long long)VLAPIC_MIN_PERIOD_NS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t cfg = fz_u8(&f);
	static struct vcpu vcpus[MAX_VCPUS];
	uint64_t val;

	/* TSCs of 1-4 GHz, or (cfg bit 4) 10-310 MHz: Bochs' TSC runs at about
	 * 100 MHz, where one tick is more than a nanosecond. */
	env_reset(fz_u64(&f) % (TIME_MAX / 2),
		  (cfg & 0x10 ? 10000 + 100000ull * ((cfg >> 2) & 3) : 1000000 + 1000000ull * ((cfg >> 2) & 3)));
	memset(&vm, 0, sizeof(vm));
	vm.nvcpus = 1 + (cfg & 3);
	vm.tsc_offset = (int64_t)fz_u64(&f);
	for (unsigned i = 0; i < vm.nvcpus; i++) {
		struct vcpu *v = &vcpus[i];
		memset(v, 0, sizeof(*v));
		v->vm = &vm;
		v->id = i;
		v->apic_id = (cfg & 0x80) ? i * 2 : i;
		v->sipi_vector = -1;
		v->state = i ? VCPU_WAIT_SIPI : VCPU_RUNNING;
		vm.vcpus[i] = v;
		FUZZ_CHECK(vlapic_create(v) == 0, "vlapic_create");
	}
	check_all();

	for (unsigned ops = 0; fz_left(&f) && ops < 4096; ops++) {
		uint8_t op = fz_u8(&f);
		struct vcpu *v = pick(&f);

		switch (op % 12) {
		case 0: {
			unsigned off = fz_u16(&f) & 0xfff, sz = 1u << (fz_u8(&f) & 3);
			val = fz_u32(&f);
			vlapic_mmio(v, off, sz, true, &val);
			break;
		}
		case 1: {
			unsigned off = fz_u16(&f) & 0xfff, sz = 1u << (fz_u8(&f) & 3);
			bool responds = !x2(L(v)) && (L(v)->base & BASE_EN);
			val = 0;
			vlapic_mmio(v, off, sz, false, &val);
			/* An enabled xAPIC page returns the access's bytes of a
			 * 32-bit register; otherwise all ones (mmio.c masks). */
			FUZZ_CHECK(responds ? (sz >= 4 ? val <= 0xffffffffull : val < (1ull << (8 * sz))) : val == ~0ull,
				   "%u-byte read gave 0x%llx", sz, (unsigned long long)val);
			break;
		}
		case 2: {
			uint32_t msr = pick_msr(&f);
			vlapic_wrmsr(v, msr, fz_u64(&f));
			break;
		}
		case 3: {
			uint32_t msr = pick_msr(&f);
			vlapic_rdmsr(v, msr, &val);
			break;
		}
		case 4: {
			uint32_t dest = fz_u8(&f);
			uint8_t m = fz_u8(&f);
			vlapic_deliver(&vm, dest, m & 8, m & 7, fz_u8(&f), m & 16);
			break;
		}
		case 5:
			vlapic_set_irq(v, fz_u8(&f));
			break;
		case 6:
			ack(v);
			break;
		case 7:
			vlapic_set_tpr(v, fz_u8(&f));
			FUZZ_CHECK(vlapic_get_tpr(v) <= 0xff, "TPR");
			break;
		case 8:
			step(&f, true);
			break;
		case 9:
			step(&f, false);
			break;
		case 10:
			vlapic_reset(v);
			break;
		default:
			program_timer(&f, v);
			break;
		}
		check_all();
		/* EOIs of level-triggered vectors go to the I/O APIC: only
		 * vectors the TMR marked, never below 16. */
		for (unsigned i = 0; i < env.neois && i < ENV_MAX_EOIS; i++)
			FUZZ_CHECK(env.eoi_vec[i] >= 16, "EOI forwarded for vector %u", env.eoi_vec[i]);
		env.neois = 0;
	}
	for (unsigned i = 0; i < vm.nvcpus; i++) {
		env_timer_forget(&L(vm.vcpus[i])->timer);
		vlapic_destroy(vm.vcpus[i]);
	}
	return 0;
}
