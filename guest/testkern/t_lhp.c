/* lhv's own LHP interface (docs/hypercalls.md, "lhv's LHP interface"):
 *
 *   lhp   every call with good and bad arguments: LHV_HINT_REGISTER
 *         (misaligned, bad version, outside RAM: -22; a good area gets
 *         version 1 and its dispatch count moves), LHV_SPIN (bad holder:
 *         -22), LHV_BALLOON (0 and over 1 s: -22; 2 ms halts at least
 *         2 ms), LHV_YIELD, LHV_SPEED (<= 1024), and from CPL 3 (-1
 *         unless `user_lhp=1`, the VM's user_hc=lhp, then they work there
 *         too); `want_speed=1|0`: the area's speed and LHV_SPEED's must be
 *         non-zero / zero. The hypervisor's
 *         counters of the refusals are checked by the test scripts.
 *   lock  an SMP spinlock workload for the scheduling policies: the BSP
 *         and every AP take a test-and-set lock in turn for `lock_ms`
 *         (300) ms, `cs_len` (20000) loop iterations inside, `out_len`
 *         (20000) outside. With `proto=1` each vCPU registers a hint
 *         area, raises its critical-section count while it holds the
 *         lock, calls LHV_YIELD when it leaves with preemption pending,
 *         and reports spins past `long_spin` (2^16) pauses with LHV_SPIN naming the
 *         holder; `pause=0` spins without PAUSE (no PAUSE-loop exits, so
 *         slice ends, not spin yields, decide who runs). FAIL if mutual exclusion broke (a counter bumped
 *         non-atomically inside the lock disagrees with the acquisitions).
 *         Prints LOCK vcpus=<n> acq=<n> yields=<n> spins=<n> pending=<n>. */
#include "guest/testkern/bootinfo.h"
#include "guest/testkern/lapic.h"
#include "guest/testkern/pv.h"
#include "guest/testkern/smp.h"
#include "guest/testkern/tests.h"

#define HC_LHV_HINT_REGISTER 0x4C480010u
#define HC_LHV_YIELD         0x4C480011u
#define HC_LHV_SPIN          0x4C480012u
#define HC_LHV_BALLOON       0x4C480013u
#define HC_LHV_SPEED         0x4C480014u
#define LONG_SPIN            65536u      /* Friebel and Biemueller: 2^16 covers 98% of waits */

struct lhv_hint {
	volatile uint32_t version, cs, pending, speed, dispatches;
	uint32_t pad[11];
} __attribute__((aligned(64)));

static struct lhv_hint hints[AP_MAX + 1];   /* lock: [AP_MAX] is the BSP's */
static struct lhv_hint lhp_area;            /* lhp's own, never registered before */

static enum verdict want(const char *what, uint32_t got, uint32_t exp)
{
	if (got == 0xdeadbeefu)
		return tk_fail("%s: the hypercall faulted (vector %d)", what, tk_fault_vector);
	if (got != exp)
		return tk_fail("%s returned 0x%x, want 0x%x", what, got, exp);
	return V_PASS;
}

#define WANT(what, got, exp) do { enum verdict w_ = want(what, got, exp); \
	if (w_ != V_PASS) return w_; } while (0)

enum verdict t_lhp(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	struct lhv_hint *h = &lhp_area;
	uint32_t a = (uint32_t)(uintptr_t)h;
	/* Registration: bad ones change nothing. */
	for (uint32_t off = 4; off < 64; off += 12)
		WANT("register misaligned", pv_call(HC_LHV_HINT_REGISTER, a + off, 1, 0, 0), RET_EINVAL);
	WANT("register version 0", pv_call(HC_LHV_HINT_REGISTER, a, 0, 0, 0), RET_EINVAL);
	WANT("register version 2", pv_call(HC_LHV_HINT_REGISTER, a, 2, 0, 0), RET_EINVAL);
	WANT("register outside RAM", pv_call(HC_LHV_HINT_REGISTER, 0xC0000000u, 1, 0, 0), RET_EINVAL);
	WANT("register at 4G-64", pv_call(HC_LHV_HINT_REGISTER, 0xffffffc0u, 1, 0, 0), RET_EINVAL);
	if (h->version)
		return tk_fail("a refused registration wrote the area (version %u)", h->version);
	WANT("register", pv_call(HC_LHV_HINT_REGISTER, a, 1, 0, 0), 0);
	if (h->version != 1)
		return tk_fail("area version %u after registration, want 1", h->version);
	uint32_t d0 = h->dispatches;
	pv_spin_ms(40);             /* several slices: dispatches go on */
	if (h->dispatches == d0)
		return tk_fail("dispatch count stuck at %u over 40 ms", d0);
	if (h->speed > 1024)
		return tk_fail("speed %u above 1024", h->speed);
	/* want_speed=1: the policy publishes speeds (balloon), so a vCPU that
	 * has run for a while has one; want_speed=0: it does not, 0. */
	uint32_t want_speed = 2;
	param_u32("want_speed", &want_speed);
	if (want_speed == 1 && !h->speed)
		return tk_fail("speed 0, but the policy publishes speeds");
	if (want_speed == 0 && h->speed)
		return tk_fail("speed %u, but the policy publishes none", h->speed);
	/* LHV_SPEED: the same figure in RAX, no area needed (it may have
	 * moved since the last dispatch, so only its range and whether the
	 * policy publishes one are checked). */
	uint32_t sp = pv_call(HC_LHV_SPEED, 0, 0, 0, 0);
	if (sp > 1024)
		return tk_fail("LHV_SPEED returned 0x%x, above 1024", sp);
	if (want_speed == 1 && !sp)
		return tk_fail("LHV_SPEED returned 0, but the policy publishes speeds");
	if (want_speed == 0 && sp)
		return tk_fail("LHV_SPEED returned %u, but the policy publishes none", sp);
	/* LHV_SPIN: holder index or 0xffffffff. */
	WANT("spin holder 0", pv_call(HC_LHV_SPIN, 0, 0, 0, 0), 0);
	WANT("spin holder none", pv_call(HC_LHV_SPIN, 0xffffffffu, 0, 0, 0), 0);
	WANT("spin holder 64", pv_call(HC_LHV_SPIN, 64, 0, 0, 0), RET_EINVAL);
	WANT("spin holder -2", pv_call(HC_LHV_SPIN, 0xfffffffeu, 0, 0, 0), RET_EINVAL);
	WANT("yield", pv_call(HC_LHV_YIELD, 0, 0, 0, 0), 0);
	/* LHV_BALLOON: bounded; interrupts are off, so only its time ends it. */
	WANT("balloon 0", pv_call(HC_LHV_BALLOON, 0, 0, 0, 0), RET_EINVAL);
	WANT("balloon 1000001us", pv_call(HC_LHV_BALLOON, 1000001u, 0, 0, 0), RET_EINVAL);
	WANT("balloon 4G-1us", pv_call(HC_LHV_BALLOON, 0xffffffffu, 0, 0, 0), RET_EINVAL);
	uint64_t t0 = rdtsc();
	WANT("balloon 2000us", pv_call(HC_LHV_BALLOON, 2000, 0, 0, 0), 0);
	uint64_t ticks = rdtsc() - t0, min = 2ull * pv_tsc_khz();
	if (ticks < min)
		return tk_fail("a 2 ms balloon returned after %u TSC ticks (< %u)", (uint32_t)ticks,
			       (uint32_t)min);
	/* User space: refused unless the module line opened the group. */
	uint32_t user = 0;
	param_u32("user_lhp", &user);
	static bool set_up;
	if (!set_up) {
		user_setup();
		set_up = true;
	}
	uint32_t r = user_hypercall(HC_LHV_YIELD, 0, 0, 0, 0, 0);
	WANT("yield from CPL 3", r, user ? 0 : RET_EPERM);
	r = user_hypercall(HC_LHV_BALLOON, 0, 0, 0, 0, 1);
	WANT("balloon 0 from CPL 3", r, user ? RET_EINVAL : RET_EPERM);
	r = user_hypercall(HC_LHV_SPEED, 0, 0, 0, 0, 0);
	if (!user)
		WANT("speed from CPL 3", r, RET_EPERM);
	else if (r > 1024 || (want_speed == 1 && !r) || (want_speed == 0 && r))
		return tk_fail("LHV_SPEED from CPL 3 returned 0x%x (want_speed=%u)", r, want_speed);
	/* Unregister: the area is left alone from now on. */
	WANT("unregister", pv_call(HC_LHV_HINT_REGISTER, 0, 0, 0, 0), 0);
	d0 = h->dispatches;
	pv_spin_ms(30);
	if (h->dispatches != d0)
		return tk_fail("the area still changes after unregistering");
	tk_printf("INFO lhp balloon_ticks=%u user=%u speed=%u\n", (uint32_t)ticks, user, h->speed);
	return V_PASS;
}

/* ---- lock ---- */
static volatile uint32_t lk_word;     /* 0 free, else holder slot + 1 */
static volatile uint32_t lk_count;    /* bumped non-atomically inside */
static volatile uint32_t lk_acq, lk_yields, lk_spins, lk_pending, lk_done, lk_go;
static uint64_t lk_end;
static uint32_t lk_cs, lk_out, lk_proto, lk_bsp_apic, lk_long = LONG_SPIN, lk_pause = 1;
static volatile uint32_t lk_apic[AP_MAX + 1];

static void burn(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
}

static void lock_loop(uint32_t me)      /* me: hints[] index */
{
	struct lhv_hint *h = &hints[me];
	uint32_t acq = 0, yields = 0, spins = 0, pending = 0;
	if (lk_proto && pv_call(HC_LHV_HINT_REGISTER, (uint32_t)(uintptr_t)h, 1, 0, 0) != 0)
		return;
	while (!lk_go)
		cpu_relax();
	while (rdtsc() < lk_end) {
		/* Test-and-set (compare-and-swap of the holder's name), then
		 * spin reading until the word looks free. */
		uint32_t n = 0, free_ = 0;
		while (!__atomic_compare_exchange_n(&lk_word, &free_, me + 1, false, __ATOMIC_ACQUIRE,
						    __ATOMIC_RELAXED)) {
			uint32_t hold;
			while ((hold = lk_word) != 0) {
				if (lk_pause)
					cpu_relax();
				else
					__asm__ volatile("" ::: "memory");
				if (++n == lk_long && lk_proto) {
					pv_call(HC_LHV_SPIN, lk_apic[hold - 1], 0, 0, 0);
					spins++;
					n = 0;
				}
			}
			free_ = 0;
		}
		if (lk_proto)
			h->cs++;
		uint32_t c = lk_count;
		burn(lk_cs);
		lk_count = c + 1;
		acq++;
		__atomic_store_n(&lk_word, 0, __ATOMIC_RELEASE);
		if (lk_proto) {
			h->cs--;
			if (h->pending) {
				pending++;
				pv_call(HC_LHV_YIELD, 0, 0, 0, 0);
				yields++;
			}
		}
		burn(lk_out);
	}
	if (lk_proto)
		pv_call(HC_LHV_HINT_REGISTER, 0, 0, 0, 0);
	atomic_xadd(&lk_acq, acq);
	atomic_xadd(&lk_yields, yields);
	atomic_xadd(&lk_spins, spins);
	atomic_xadd(&lk_pending, pending);
	atomic_xadd(&lk_done, 1);
}

static void job_lock(uint32_t slot)
{
	lock_loop(slot);
}

enum verdict t_lock(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t ms = 300, naps = ap_count();
	lk_cs = lk_out = 20000;
	lk_proto = 0;
	param_u32("lock_ms", &ms);
	param_u32("cs_len", &lk_cs);
	param_u32("out_len", &lk_out);
	param_u32("proto", &lk_proto);
	param_u32("long_spin", &lk_long);
	param_u32("pause", &lk_pause);
	if (naps > AP_MAX)
		naps = AP_MAX;
	lk_word = lk_count = lk_acq = lk_yields = lk_spins = lk_pending = lk_done = lk_go = 0;
	/* The lock names its holder by hints[] index; LHV_SPIN wants the
	 * vCPU index, which is the APIC ID under lhv. */
	lk_bsp_apic = lapic_id();
	lk_apic[AP_MAX] = lk_bsp_apic;
	for (uint32_t s = 0; s < naps; s++)
		lk_apic[s] = ap_apic_id(s);
	for (uint32_t s = 0; s < naps; s++)
		if (!ap_start_job(s, job_lock))
			return tk_fail("AP slot %u does not take jobs", s);
	lk_end = rdtsc() + (uint64_t)ms * pv_tsc_khz();
	lk_go = 1;
	lock_loop(AP_MAX);
	uint64_t give_up = rdtsc() + 20000ull * pv_tsc_khz();
	while (lk_done != naps + 1 && rdtsc() < give_up)
		cpu_relax();
	tk_printf("LOCK vcpus=%u acq=%u yields=%u spins=%u pending=%u proto=%u\n", naps + 1, lk_acq,
		  lk_yields, lk_spins, lk_pending, lk_proto);
	if (lk_done != naps + 1)
		return tk_fail("only %u of %u vCPUs finished (registration refused?)", lk_done, naps + 1);
	if (lk_count != lk_acq)
		return tk_fail("mutual exclusion broken: counter %u, acquisitions %u", lk_count, lk_acq);
	if (!lk_acq)
		return tk_fail("no acquisition");
	return V_PASS;
}
