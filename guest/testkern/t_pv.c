/* KVM's paravirtual calls as lhv offers them (docs/hypercalls.md), with good
 * and bad arguments. The expected feature set is the VM's pv=, repeated on
 * the test command line (pv.h); a call of a feature the VM lacks must give
 * -KVM_ENOSYS. What the guest cannot see itself (how many kicks were bad,
 * that a refused call had no effect) the test scripts read from the
 * hypervisor's "summary: pv" lines.
 *
 *   pvcpuid  CPUID 0x40000001 lists exactly the features of pv=
 *   hcall    the conventions: VMMCALL works like VMCALL, unknown numbers
 *            give -KVM_ENOSYS, every call from CPL 3 -KVM_EPERM, argument
 *            registers survive
 *   kick     KVM_HC_KICK_CPU: wakes a vCPU halted with IF=0, a kick before
 *            the HLT is not lost, bad APIC IDs are ignored, floods harmless
 *   pvyield  KVM_HC_SCHED_YIELD: to itself, to nobody, to a busy sibling
 *   pvipi    KVM_HC_SEND_IPI: bitmaps, lowest ID, clusters, NMI, bad ICR
 * The wake-up checks need an AP (run smp first); without one they are
 * left out with an INFO line. */
#include "guest/testkern/lapic.h"
#include "guest/testkern/pv.h"
#include "guest/testkern/smp.h"
#include "guest/testkern/tests.h"

#define ICR_NMI      0x4400u
#define WAIT_SPIN    50000000u   /* pauses to wait for another vCPU */

static enum verdict expect(const char *what, uint32_t got, uint32_t want, bool clobbered)
{
	if (got == 0xdeadbeefu)
		return tk_fail("%s: the hypercall faulted (vector %d)", what, tk_fault_vector);
	if (got != want)
		return tk_fail("%s returned 0x%x, want 0x%x", what, got, want);
	if (clobbered)
		return tk_fail("%s changed an argument register", what);
	return V_PASS;
}

static enum verdict call(const char *what, uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2,
			 uint32_t a3, uint32_t want)
{
	bool c;
	uint32_t r = pv_hypercall(nr, a0, a1, a2, a3, &c);
	return expect(what, r, want, c);
}

static bool wait_for(volatile uint32_t *p, uint32_t want)
{
	for (uint32_t i = 0; i < WAIT_SPIN && *p != want; i++)
		cpu_relax();
	return *p == want;
}

enum verdict t_pvcpuid(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	bool rt;
	uint32_t want = pv_expected(&rt);
	struct cpuid_regs r = cpuid(KVM_CPUID_FEATURES, 0);
	tk_printf("INFO pvcpuid features=0x%x hints=0x%x\n", r.eax, r.edx);
	if (r.eax != want)
		return tk_fail("features 0x%x, want 0x%x", r.eax, want);
	if (r.edx != (rt ? KVM_HINTS_REALTIME : 0))
		return tk_fail("hints 0x%x, want 0x%x", r.edx, rt ? KVM_HINTS_REALTIME : 0);
	if (r.ebx || r.ecx)
		return tk_fail("ebx=0x%x ecx=0x%x, want 0", r.ebx, r.ecx);
	return V_PASS;
}

enum verdict t_hcall(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	/* VMMCALL (AMD's instruction) is a hypercall on VT-x too. */
	uint32_t a = HC_LHV_ECHO, b = 41, c = 0x11111111, d = 0x22222222, s = 0x33333333;
	tk_fault_vector = -1;
	__asm__ volatile(FIXUP(".byte 0x0f, 0x01, 0xd9")
			 : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s) : : "memory");
	if (tk_fault_vector >= 0)
		return tk_fail("vmmcall raised vector %d", tk_fault_vector);
	if (a != 42 || b != 41 || c != 0x11111111 || d != 0x22222222 || s != 0x33333333)
		return tk_fail("vmmcall echo: eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x esi=0x%x", a, b, c, d, s);

	/* Numbers lhv does not implement: KVM's others, lhv's unused ones. */
	static const uint32_t unknown[] = { 0, 1, 2, 3, 9, 12, 0x4C480000u, 0x4C48FFFFu, 0xffffffffu };
	for (unsigned i = 0; i < ARRAY_SIZE(unknown); i++) {
		char what[32];
		tk_snprintf(what, sizeof(what), "hypercall 0x%x", unknown[i]);
		if ((v = call(what, unknown[i], 1, 2, 3, 4, RET_ENOSYS)) != V_PASS)
			return v;
	}

	/* CPL 3: refused whatever the number, by either instruction, and
	 * without effect (the script checks kick_tx/ipi/yield stay 0 here). */
	static bool set_up;
	if (!set_up) {
		user_setup();
		set_up = true;
	}
	static const uint32_t user_nr[] = { HC_LHV_ECHO, KVM_HC_KICK_CPU, KVM_HC_SEND_IPI,
					    KVM_HC_SCHED_YIELD, 0x4C48FFFFu };
	uint32_t self = lapic_id();
	for (unsigned i = 0; i < ARRAY_SIZE(user_nr); i++) {
		for (uint32_t vmm = 0; vmm < 2; vmm++) {
			uint32_t r = user_hypercall(user_nr[i], 0, self, 0, VEC_PVIPI, vmm);
			if (r != RET_EPERM)
				return tk_fail("%s 0x%x from CPL 3 returned 0x%x, want 0x%x",
					       vmm ? "vmmcall" : "vmcall", user_nr[i], r, RET_EPERM);
		}
	}
	tk_printf("INFO hcall cpl3-calls=%u unknown=%u\n", (unsigned)(2 * ARRAY_SIZE(user_nr)),
		  (unsigned)ARRAY_SIZE(unknown));
	return V_PASS;
}

/* Kick-before-HLT job: the AP stops spinning only when told, then halts
 * with interrupts off; the kick sent meanwhile must end that HLT. */
static volatile uint32_t pre_ready, pre_go, pre_done;
static void job_prekick(uint32_t slot __attribute__((unused)))
{
	pre_ready = 1;
	while (!pre_go)
		cpu_relax();
	__asm__ volatile("cli; hlt" ::: "memory");
	pre_done = 1;
}

/* Watchdog job: if the BSP has not said "done" within the time, free it
 * from a HLT that should not have blocked with an NMI (then the test fails
 * instead of hanging). */
static volatile uint32_t dog_done, dog_fired, dog_bsp;
static void job_watchdog(uint32_t slot __attribute__((unused)))
{
	uint64_t end = rdtsc() + 1000ull * pv_tsc_khz();   /* 1 s */
	while (!dog_done && rdtsc() < end)
		cpu_relax();
	if (!dog_done) {
		dog_fired = 1;
		lapic_enable();
		lapic_send_ipi(dog_bsp, ICR_NMI);
	}
}

static enum verdict kick_wakeups(uint32_t self)
{
	uint32_t ap = ap_apic_id(0);
	/* A parked AP (cli; hlt) wakes on a kick. */
	uint32_t w = ap_wakes[0];
	enum verdict v = call("kick of the parked AP", KVM_HC_KICK_CPU, 0, ap, 0, 0, 0);
	if (v != V_PASS)
		return v;
	if (!wait_for(&ap_wakes[0], w + 1))
		return tk_fail("a kick did not wake the AP halted with IF=0 (wakes %u)", ap_wakes[0]);

	/* A kick before the HLT is not lost. */
	pre_ready = pre_go = pre_done = 0;
	if (!ap_start_job(0, job_prekick))
		return tk_fail("the AP does not take jobs");
	if (!wait_for(&pre_ready, 1))
		return tk_fail("the AP did not start its job");
	if ((v = call("kick before HLT", KVM_HC_KICK_CPU, 0, ap, 0, 0, 0)) != V_PASS)
		return v;
	pre_go = 1;
	if (!wait_for(&pre_done, 1)) {
		lapic_send_ipi(ap, ICR_NMI);    /* free it */
		return tk_fail("a kick sent before the HLT was lost: the AP stayed halted");
	}
	ap_wait_job(0, WAIT_SPIN);

	/* The BSP kicks itself: its own HLT with IF=0 must not block; then a
	 * flood of 1000 self-kicks, which amounts to one pending kick. */
	dog_done = dog_fired = 0;
	dog_bsp = self;
	uint32_t nmis = tk_nmis[self % TK_MAX_CPUS];
	if (!ap_start_job(0, job_watchdog))
		return tk_fail("the AP does not take the watchdog job");
	if ((v = call("kick of itself", KVM_HC_KICK_CPU, 0, self, 0, 0, 0)) != V_PASS)
		return v;
	__asm__ volatile("cli; hlt" ::: "memory");
	for (unsigned i = 0; i < 1000 && v == V_PASS; i++)
		v = call("flood of self-kicks", KVM_HC_KICK_CPU, 0, self, 0, 0, 0);
	if (v == V_PASS)
		__asm__ volatile("cli; hlt" ::: "memory");
	dog_done = 1;
	ap_wait_job(0, WAIT_SPIN);
	if (v != V_PASS)
		return v;
	if (dog_fired || tk_nmis[self % TK_MAX_CPUS] != nmis)
		return tk_fail("a HLT after a self-kick blocked until the watchdog's NMI");
	return V_PASS;
}

enum verdict t_kick(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t self = lapic_id();
	if (!pv_has(KVM_FEATURE_PV_UNHALT))
		return call("kick without PV unhalt", KVM_HC_KICK_CPU, 0, self, 0, 0, RET_ENOSYS);
	/* APIC IDs no vCPU has: ignored, 0 returned (as KVM). Flags too. */
	static const uint32_t bad[] = { 99, 64, 0xff, 0x100, 0xffffffffu };
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		if ((v = call("kick of a missing APIC ID", KVM_HC_KICK_CPU, 0, bad[i], 0, 0, 0)) != V_PASS)
			return v;
	if ((v = call("kick with flags", KVM_HC_KICK_CPU, 0xffffffffu, 99, 0, 0, 0)) != V_PASS)
		return v;
	if (!ap_count()) {
		tk_printf("INFO kick no AP: wake-up checks left out (run smp first)\n");
		return V_PASS;
	}
	return kick_wakeups(self);
}

static volatile uint32_t busy_ms;
static void job_busy(uint32_t slot __attribute__((unused)))
{
	pv_spin_ms(busy_ms);
}

enum verdict t_pvyield(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t self = lapic_id();
	if (!pv_has(KVM_FEATURE_PV_SCHED_YIELD))
		return call("yield without PV sched yield", KVM_HC_SCHED_YIELD, self, 0, 0, 0, RET_ENOSYS);
	if ((v = call("yield to itself", KVM_HC_SCHED_YIELD, self, 0, 0, 0, 0)) != V_PASS)
		return v;
	if ((v = call("yield to APIC ID 99", KVM_HC_SCHED_YIELD, 99, 0, 0, 0, 0)) != V_PASS)
		return v;
	if ((v = call("yield to 0xffffffff", KVM_HC_SCHED_YIELD, 0xffffffffu, 0, 0, 0, 0)) != V_PASS)
		return v;
	if (!ap_count())
		return V_PASS;
	/* To a sibling that is busy (and, with more vCPUs than pCPUs, often
	 * waiting for a pCPU: then lhv hands it the caller's). */
	busy_ms = 40;
	if (!ap_start_job(0, job_busy))
		return tk_fail("the AP does not take jobs");
	for (unsigned i = 0; i < 20 && v == V_PASS; i++) {
		v = call("yield to a busy AP", KVM_HC_SCHED_YIELD, ap_apic_id(0), 0, 0, 0, 0);
		pv_spin_ms(1);
	}
	ap_wait_job(0, WAIT_SPIN);
	return v;
}

/* The AP listens for VEC_PVIPI with interrupts on until it got `want`. */
static volatile uint32_t ipi_want;
static void job_listen(uint32_t slot)
{
	uint32_t id = ap_apic_id(slot) % TK_MAX_CPUS;
	lapic_enable();
	uint64_t end = rdtsc() + 500ull * pv_tsc_khz();
	__asm__ volatile("sti" ::: "memory");
	while (tk_pvipis[id] < ipi_want && rdtsc() < end)
		cpu_relax();
	cli();
}

static enum verdict ipi_delivery(uint32_t self)
{
	uint32_t ap = ap_apic_id(0), id = ap % TK_MAX_CPUS, n = ap_count();
	uint32_t before = tk_pvipis[id];
	enum verdict v;
	ipi_want = before + 3;
	if (!ap_start_job(0, job_listen))
		return tk_fail("the AP does not take jobs");
	uint32_t nmis = tk_nmis[id];    /* the job's wake-up NMI came before */
	/* Bit i of a0 is APIC ID a2 + i. One at a time: the same vector
	 * pending twice is one interrupt (one IRR bit). */
	if ((v = call("send_ipi to the AP's bit", KVM_HC_SEND_IPI, 1u << ap, 0, 0, VEC_PVIPI, 1)) != V_PASS)
		return v;
	if (!wait_for(&tk_pvipis[id], before + 1))
		return tk_fail("the AP did not get the PV IPI sent by its bit");
	if ((v = call("send_ipi with lowest ID = the AP", KVM_HC_SEND_IPI, 1, 0, ap, VEC_PVIPI, 1)) != V_PASS)
		return v;
	if (!wait_for(&tk_pvipis[id], before + 2))
		return tk_fail("the AP did not get the PV IPI sent with lowest ID = the AP");
	/* Every bit but the BSP's: each AP that exists, no more. */
	if ((v = call("send_ipi to all but the BSP", KVM_HC_SEND_IPI, ~(1u << self), 0, 0, VEC_PVIPI,
		      n)) != V_PASS)
		return v;
	if (!wait_for(&tk_pvipis[id], before + 3))
		return tk_fail("the AP did not get the PV IPI sent to all but the BSP");
	if ((v = call("send_ipi of an NMI", KVM_HC_SEND_IPI, 1u << ap, 0, 0, 0x400, 1)) != V_PASS)
		return v;
	ap_wait_job(0, WAIT_SPIN);
	wait_for(&tk_nmis[id], nmis + 1);       /* may come after the job ended */
	if (tk_pvipis[id] != before + 3)
		return tk_fail("the AP took %u PV IPIs, want 3", tk_pvipis[id] - before);
	if (tk_nmis[id] != nmis + 1)
		return tk_fail("the AP took %u NMIs, want the PV one", tk_nmis[id] - nmis);
	return V_PASS;
}

enum verdict t_pvipi(void)
{
	enum verdict v = hv_require();
	if (v != V_PASS)
		return v;
	uint32_t self = lapic_id();
	if (!pv_has(KVM_FEATURE_PV_SEND_IPI))
		return call("send_ipi without PV IPIs", KVM_HC_SEND_IPI, 1, 0, 0, VEC_PVIPI, RET_ENOSYS);
	/* Logical destinations and shorthands are refused (-KVM_EINVAL). */
	static const uint32_t bad_icr[] = { VEC_PVIPI | 1u << 11, VEC_PVIPI | 1u << 18,
					    VEC_PVIPI | 2u << 18, VEC_PVIPI | 3u << 18 };
	for (unsigned i = 0; i < ARRAY_SIZE(bad_icr); i++)
		if ((v = call("send_ipi with a bad ICR", KVM_HC_SEND_IPI, 2, 0, 0, bad_icr[i],
			      RET_EINVAL)) != V_PASS)
			return v;
	/* Nobody: an empty bitmap, a lowest ID past every vCPU, and in 32-bit
	 * mode the high bitmap's bit 0 is ID 32, which this VM lacks. */
	if ((v = call("send_ipi to nobody", KVM_HC_SEND_IPI, 0, 0, 0, VEC_PVIPI, 0)) != V_PASS ||
	    (v = call("send_ipi above the last ID", KVM_HC_SEND_IPI, ~0u, ~0u, 1000, VEC_PVIPI, 0)) != V_PASS ||
	    (v = call("send_ipi to ID 32", KVM_HC_SEND_IPI, 0, 1, 0, VEC_PVIPI, 0)) != V_PASS ||
	    (v = call("send_ipi with lowest ID 0xffffffff", KVM_HC_SEND_IPI, ~0u, ~0u, ~0u, VEC_PVIPI, 0)) != V_PASS)
		return v;
	if (!ap_count()) {
		tk_printf("INFO pvipi no AP: delivery checks left out (run smp first)\n");
		return V_PASS;
	}
	return ipi_delivery(self);
}
