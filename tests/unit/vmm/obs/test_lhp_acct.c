/* The lock-holder preemption rules (vmm/obs/lhp_acct.c): which preemptions
 * are critical sections, how spin episodes open, extend and close, what
 * counts as an extended wait. */
#include "tests/unit/check.h"
#include "vmm/obs/lhp_acct.h"

static unsigned cls(uint8_t cpl, bool irq_on, bool pc_valid, uint32_t pc, bool idle_known, bool idle)
{
	struct lhp_sample s = { .rip = 0xffffffff81000000ull, .cpl = cpl, .irq_on = irq_on,
				.pc_valid = pc_valid, .pc = pc, .idle_known = idle_known, .idle = idle };
	return lhp_classify(&s);
}

static void test_classify(void)
{
	/* User mode is never a kernel critical section, whatever else. */
	CHECK_EQ(cls(3, false, true, 5, false, false), 0);
	CHECK_EQ(cls(3, true, false, 0, false, false), 0);
	/* Kernel, interrupts on, count 0 (PREEMPT_NEED_RESCHED's inverted
	 * bit 31 set or not): preemptible, not a critical section. */
	CHECK_EQ(cls(0, true, true, 0x80000000u, false, false), LHP_C_KERNEL | LHP_C_PC);
	CHECK_EQ(cls(0, true, true, 0, false, false), LHP_C_KERNEL | LHP_C_PC);
	/* A spinlock held (count 1), with or without the resched bit. */
	CHECK_EQ(cls(0, true, true, 0x80000001u, false, false),
		 LHP_C_KERNEL | LHP_C_PC | LHP_C_PCOFF | LHP_C_CS);
	CHECK_EQ(cls(0, true, true, 1, false, false), LHP_C_KERNEL | LHP_C_PC | LHP_C_PCOFF | LHP_C_CS);
	/* Softirq context (bits 8-15), hardirq (16-19). */
	CHECK(cls(0, true, true, 0x80000100u, false, false) & LHP_C_CS);
	CHECK(cls(0, true, true, 0x80010000u, false, false) & LHP_C_CS);
	/* Interrupts off in the kernel: a critical section even without the count. */
	CHECK_EQ(cls(0, false, false, 0, false, false), LHP_C_KERNEL | LHP_C_IRQOFF | LHP_C_CS);
	CHECK_EQ(cls(0, false, true, 0x80000000u, false, false),
		 LHP_C_KERNEL | LHP_C_IRQOFF | LHP_C_PC | LHP_C_CS);
	/* Without the count, interrupts on: not known to be one. */
	CHECK_EQ(cls(0, true, false, 0, false, false), LHP_C_KERNEL);
	/* The idle task runs with count 1 and halts with interrupts off:
	 * neither makes it a critical section; a count of 2 does. */
	CHECK_EQ(cls(0, true, true, 0x80000001u, true, true), LHP_C_KERNEL | LHP_C_PC | LHP_C_IDLE);
	CHECK_EQ(cls(0, false, true, 0x80000001u, true, true),
		 LHP_C_KERNEL | LHP_C_PC | LHP_C_IDLE | LHP_C_IRQOFF);
	CHECK(cls(0, true, true, 0x80000002u, true, true) & LHP_C_CS);
	CHECK(cls(0, true, true, 0x80000101u, true, true) & LHP_C_CS);
	/* Known not to be idle: count 1 is a critical section. */
	CHECK(cls(0, true, true, 1, true, false) & LHP_C_CS);
}

static void test_spin(void)
{
	struct lhp_spin s = { 0 };
	struct lhp_wait w;
	const uint64_t ms = 1000000;
	/* Three PAUSE-loop exits, each followed by a dispatch shortly after:
	 * one episode. */
	CHECK(!lhp_spin_exit(&s, 10 * ms, 0x1234, &w));
	CHECK(s.open);
	lhp_spin_dispatch(&s, 12 * ms);                 /* waited 2 ms for a pCPU */
	CHECK(!lhp_spin_exit(&s, 12 * ms + 50000, 0x9999, &w));
	lhp_spin_dispatch(&s, 15 * ms);
	CHECK(!lhp_spin_exit(&s, 15 * ms + 30000, 0x9999, &w));
	lhp_spin_dispatch(&s, 16 * ms);
	/* A short run preempted without a PAUSE-loop exit: may still spin. */
	CHECK(!lhp_spin_leave(&s, 16 * ms + SPIN_GAP_NS - 1, false, &w));
	CHECK(s.open);
	lhp_spin_dispatch(&s, 20 * ms);
	/* Then it ran SPIN_GAP_NS without spinning: the episode ended at that
	 * last dispatch, 10 ms after it began, with three exits. */
	CHECK(lhp_spin_leave(&s, 20 * ms + SPIN_GAP_NS, false, &w));
	CHECK(!s.open);
	CHECK_EQ(w.end, 20 * ms);
	CHECK_EQ(w.ns, 10 * ms);
	CHECK_EQ(w.exits, 3);
	CHECK_EQ(w.rip, 0x1234);
	CHECK(w.extended);
	struct lhp_counts c = { 0 };
	lhp_count_spin(&c, &w);
	CHECK_EQ(c.spins, 1);
	CHECK_EQ(c.long_spins, 1);
	CHECK_EQ(c.long_spin_ns, 10 * ms);

	/* A short episode closed by a halt is not extended. */
	CHECK(!lhp_spin_exit(&s, 30 * ms, 0x1, &w));
	lhp_spin_dispatch(&s, 30 * ms + 100000);
	CHECK(lhp_spin_leave(&s, 30 * ms + 120000, true, &w));
	CHECK_EQ(w.ns, 100000);
	CHECK(!w.extended);
	lhp_count_spin(&c, &w);
	CHECK_EQ(c.spins, 2);
	CHECK_EQ(c.long_spins, 1);
	CHECK_EQ(c.spin_ns, 10 * ms + 100000);

	/* A PAUSE-loop exit after a long non-spinning stretch: the old
	 * episode closes at its last dispatch and a new one opens. */
	CHECK(!lhp_spin_exit(&s, 40 * ms, 0x2, &w));
	lhp_spin_dispatch(&s, 40 * ms + 10000);
	CHECK(lhp_spin_exit(&s, 40 * ms + 10000 + SPIN_GAP_NS, 0x3, &w));
	CHECK_EQ(w.ns, 10000);
	CHECK_EQ(w.rip, 0x2);
	CHECK(s.open);
	CHECK_EQ(s.rip, 0x3);
	CHECK_EQ(s.start, 40 * ms + 10000 + SPIN_GAP_NS);
	/* Exactly LONG_WAIT_NS is not "longer than 1 ms". */
	lhp_spin_dispatch(&s, s.start + LONG_WAIT_NS);
	CHECK(lhp_spin_flush(&s, &w));
	CHECK_EQ(w.ns, LONG_WAIT_NS);
	CHECK(!w.extended);
	CHECK(!lhp_spin_flush(&s, &w));
	/* Leaving without an open episode closes nothing. */
	CHECK(!lhp_spin_leave(&s, 100 * ms, true, &w));
}

static void test_counts(void)
{
	struct lhp_counts c = { 0 }, d, e = { 0 };
	lhp_count_preempt(&c, LHP_C_KERNEL | LHP_C_PCOFF | LHP_C_CS | LHP_C_PC);
	lhp_count_preempt(&c, 0);
	lhp_count_preempt(&c, LHP_C_KERNEL | LHP_C_IRQOFF | LHP_C_CS);
	lhp_count_preempt(&c, LHP_C_KERNEL | LHP_C_IDLE);
	CHECK_EQ(c.preempts, 4);
	CHECK_EQ(c.cs, 2);
	CHECK_EQ(c.kernel, 3);
	CHECK_EQ(c.user, 1);
	CHECK_EQ(c.irqoff, 1);
	CHECK_EQ(c.idle, 1);
	struct lhp_wait pv = { .ns = 3000000, .extended = true };
	lhp_count_pv(&c, &pv);
	CHECK_EQ(c.pv_halts, 1);
	CHECK_EQ(c.long_pv, 1);
	CHECK_EQ(c.long_pv_ns, 3000000);
	/* Phase arithmetic: later minus earlier, never below zero. */
	lhp_counts_add(&e, &c);
	lhp_counts_add(&e, &c);
	lhp_counts_sub(&d, &e, &c);
	CHECK_EQ(d.preempts, 4);
	CHECK_EQ(d.pv_halt_ns, 3000000);
	lhp_counts_sub(&d, &c, &e);
	CHECK_EQ(d.preempts, 0);
	CHECK_EQ(lhp_ppm(1, 4), 250000);
	CHECK_EQ(lhp_ppm(5, 0), 0);
	CHECK_EQ(lhp_ppm(~0ull / 2, ~0ull), 499999);
}

int main(void)
{
	test_classify();
	test_spin();
	test_counts();
	return check_done("test_lhp_acct");
}
