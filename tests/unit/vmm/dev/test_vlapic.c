/* vmm/dev/vlapic.c's timer on the host, against the stub clock and timers
 * of tests/fuzz/env (whose hw/x86.h replaces the real one): the defects
 * tests/fuzz/vlapic.c found.
 * - A periodic timer with initial count 1 and divider 1 re-armed every
 *   nanosecond: on hardware the pCPU's timer queue never emptied (the
 *   machine hung, issue 14). It now re-arms no faster than every
 *   VLAPIC_MIN_PERIOD_NS (100 us).
 * - The current count read back above the initial count after the divide
 *   configuration was lowered while counting (and, with the floor, after a
 *   clamped period).
 * - A TSC deadline less than a nanosecond's worth of ticks ahead was armed
 *   at the current instant, fired, found the TSC short of it and re-armed
 *   at the same instant again and again (508 callbacks in one fuzz step):
 *   it now waits at least 1 ns, so it fires once.
 * - With a TSC slower than 1 GHz (Bochs' is about 100 MHz) the conversion
 *   of a far TSC deadline to nanoseconds overflowed 64 bits, so a deadline
 *   centuries ahead could fire at once (found while writing the target,
 *   which then kept to 1-4 GHz; now it covers 10 MHz-4 GHz). Deadlines are
 *   now armed in bounded steps. */
#include "vmm/dev/vlapic.h"
#include "tests/fuzz/env/env.h"
#include "tests/unit/check.h"

#define R_SVR   0x0f0
#define R_IRR   0x200
#define R_LVT_T 0x320
#define R_TMICT 0x380
#define R_TMCCT 0x390
#define R_TDCR  0x3e0
#define PERIODIC (1u << 17)
#define MS 1000000ull

static struct vm vm;
static struct vcpu vcpu;

static void wr(unsigned off, uint32_t v)
{
	uint64_t val = v;
	vlapic_mmio(&vcpu, off, 4, true, &val);
}

static uint32_t rd(unsigned off)
{
	uint64_t val = 0;
	vlapic_mmio(&vcpu, off, 4, false, &val);
	return (uint32_t)val;
}

static void setup_khz(uint64_t tsc_khz)
{
	env_reset(5000 * MS, tsc_khz);
	memset(&vm, 0, sizeof(vm));
	memset(&vcpu, 0, sizeof(vcpu));
	vm.nvcpus = 1;
	vm.vcpus[0] = &vcpu;
	vcpu.vm = &vm;
	vcpu.sipi_vector = -1;
	CHECK_EQ(vlapic_create(&vcpu), 0);
	wr(R_SVR, 0x1ff);                       /* software-enabled */
}

static void setup(void)
{
	setup_khz(2000000);
}

static void teardown(void)
{
	vlapic_destroy(&vcpu);
}

static void test_periodic_floor(void)
{
	setup();
	wr(R_TDCR, 0xb);                        /* divide by 1 */
	wr(R_LVT_T, PERIODIC | 0x30);
	wr(R_TMICT, 1);
	/* 10 ms with the timer interrupt on time: at most one expiry per
	 * 100 us (plus the first, 1 ns after the write). */
	uint64_t fired = env_advance(env.now + 10 * MS, true, 1000000);
	CHECK(fired >= 2 && fired <= 101);
	CHECK(rd(R_IRR + 0x10) & (1u << 16));   /* vector 0x30 pending */
	CHECK(rd(R_TMCCT) <= 1);
	/* A late pCPU skips the missed periods: one expiry. */
	CHECK_EQ(env_advance(env.now + 1000 * MS, false, 1000000), 1);
	teardown();

	/* An ordinary 1 ms period is untouched. */
	setup();
	wr(R_TDCR, 0xb);
	wr(R_LVT_T, PERIODIC | 0x30);
	wr(R_TMICT, 1000000);
	CHECK_EQ(env_advance(env.now + 10 * MS, true, 1000000), 10);
	teardown();
}

static void test_count_after_divider_change(void)
{
	setup();
	wr(R_TDCR, 0xa);                        /* divide by 128 */
	wr(R_LVT_T, 0x30);                      /* one-shot */
	wr(R_TMICT, 100);
	env_advance(env.now + 1280, true, 10);  /* 10 counts gone */
	CHECK_EQ(rd(R_TMCCT), 90);
	wr(R_TDCR, 0xb);                        /* divide by 1 */
	CHECK(rd(R_TMCCT) <= 100);
	teardown();
}

static void test_tscdl_subnanosecond(void)
{
	setup();
	wr(R_LVT_T, (2u << 17) | 0x30);         /* TSC-deadline mode */
	/* 2 GHz: one tick is half a nanosecond ahead. */
	CHECK(vlapic_wrmsr(&vcpu, 0x6e0, env_rdtsc() + (uint64_t)vm.tsc_offset + 1));
	uint64_t fired = env_advance(env.now + 10 * MS, true, 1000);
	CHECK(fired >= 1 && fired <= 2);        /* not a callback storm */
	CHECK(rd(R_IRR + 0x10) & (1u << 16));   /* and vector 0x30 delivered */
	teardown();
}

static void test_tscdl_slow_tsc(void)
{
	setup_khz(100000);                      /* 100 MHz */
	wr(R_LVT_T, (2u << 17) | 0x30);
	uint64_t now = env_rdtsc() + (uint64_t)vm.tsc_offset;
	/* One second ahead fires after 1 s, not before. */
	CHECK(vlapic_wrmsr(&vcpu, 0x6e0, now + 100000000));
	env_advance(env.now + 999 * MS, true, 1000);
	CHECK(!(rd(R_IRR + 0x10) & (1u << 16)));
	env_advance(env.now + 2 * MS, true, 1000);
	CHECK(rd(R_IRR + 0x10) & (1u << 16));
	teardown();

	/* UINT64_MAX / 10 + 1 ticks (584 years) ahead: at 10 ns a tick that
	 * is 2^64 + 4 ns, which the old conversion wrapped to 4 ns. Nothing
	 * fires in 100 s. */
	setup_khz(100000);
	wr(R_LVT_T, (2u << 17) | 0x30);
	now = env_rdtsc() + (uint64_t)vm.tsc_offset;
	CHECK(vlapic_wrmsr(&vcpu, 0x6e0, now + UINT64_MAX / 10 + 1));
	CHECK(env_advance(env.now + 100000 * MS, true, 1000) == 0);
	CHECK(!(rd(R_IRR + 0x10) & (1u << 16)));
	teardown();
}

int main(void)
{
	test_tscdl_slow_tsc();
	test_tscdl_subnanosecond();
	test_periodic_floor();
	test_count_after_divider_change();
	return check_done("test_vlapic");
}
