/* Per-pCPU run loop: ask the scheduler (sched/, docs/scheduling.md) what
 * to run, run it until the scheduler's timer, a kick, a HLT, a PAUSE loop,
 * INIT or a VM stop, and tell the scheduler why it came back. Interrupts
 * stay off here except while idle: host interrupts that arrive while a
 * guest runs cause VM exits and are dispatched from there.
 *
 * Two views of a vCPU: vcpu->state (under vcpu->lock) says what the vCPU
 * itself is doing: RUNNABLE, RUNNING (on pCPU vcpu->pcpu), HALTED,
 * WAIT_SIPI or STOPPED; vcpu->sched.state (under the scheduler's lock) says
 * whether it competes for a pCPU. A HALTED or WAIT_SIPI vCPU is BLOCKED for
 * the scheduler until vcpu_kick() finds a reason to wake it (sched_wake);
 * it stays HALTED/WAIT_SIPI until a pCPU dispatches it, which checks the
 * reason again under vcpu->lock and blocks it once more if it has gone.
 * Lock order: vcpu->lock, then the scheduler's lock. */
#include "vmm/run/run.h"
#include "vmm/pv/pv.h"
#include "vmm/emul/emul.h"
#include "vmm/dev/vlapic.h"
#include "vmm/obs/obs.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/stack.h"
#include "core/timer.h"
#include "core/traps.h"
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"

struct run_pcpu runpc[MAX_PCPUS];
static struct sched_pcpu sched_pcpus[MAX_PCPUS];
static unsigned sched_npcpus;
static volatile bool go;

static struct vcpu *to_vcpu(struct sched_vcpu *sv)
{
	return (struct vcpu *)(void *)((char *)sv - offsetof(struct vcpu, sched));
}

/* A VM's scheduling-mode changes (adaptive) on the console, outside the
 * scheduler lock: noticed when one of its vCPUs is next dispatched, the
 * first MODE_LOG_MAX per VM, later ones only counted (summary: policy). */
#define MODE_LOG_MAX 32
static void log_mode(struct vm *vm)
{
	if (__atomic_load_n(&vm->sched.mode_changes, __ATOMIC_RELAXED) ==
	    __atomic_load_n(&vm->mode_logged, __ATOMIC_RELAXED))
		return;
	uint64_t n;
	enum sched_vm_mode m = sched_vm_mode(&vm->sched, &n, NULL);
	uint64_t old = __atomic_load_n(&vm->mode_logged, __ATOMIC_RELAXED);
	do {
		if (old >= n)
			return;         /* another pCPU logged it */
	} while (!__atomic_compare_exchange_n(&vm->mode_logged, &old, n, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	if (old >= MODE_LOG_MAX)
		return;
	if (n <= MODE_LOG_MAX)
		pr_info("sched: vm %s mode=%s changes=%llu", vm->name, sched_mode_name(m),
			(unsigned long long)n);
	else
		pr_info("sched: vm %s mode=%s changes=%llu (later changes only counted)", vm->name,
			sched_mode_name(m), (unsigned long long)n);
}

static void kick_irq(unsigned vec)
{
	/* The VM exit or the end of the idle HLT is the point; a deadline
	 * another pCPU set for this one is armed here. */
	sched_env_hv_sync_timer();
}

static void do_init(struct vcpu *v)
{
	/* INIT: the vCPU waits for a SIPI with a reset LAPIC (SDM 9.4). A
	 * SIPI that came after the INIT (the INIT cleared any older one) is
	 * kept: under overcommit both SIPIs of INIT-SIPI-SIPI can arrive
	 * before this pCPU gets to apply the INIT. */
	v->init_pending = false;
	vlapic_reset(v);
	v->state = VCPU_WAIT_SIPI;
}

/* v blocks: tell the policy why, when it is more than a HLT (the guest
 * snapshot is the one vcpu_run took at this exit). A balloon gives the
 * pCPU back for a time; a HLT with interrupts off in a VM offered PV
 * unhalt is the PV spinlock's wait for a kick (Linux's kvm_wait). */
static void block_hint(struct vcpu *v)
{
	uint32_t us;
	if (pv_in_balloon(v, &us))
		sched_hint(&v->sched, SCHED_HINT_BALLOON, us);
	else if (v->halt_if_off && (v->vm->cfg.pv & VM_PV_UNHALT))
		sched_hint(&v->sched, SCHED_HINT_PV_HALT, 0);
}

/* Run v, which the scheduler just gave this pCPU, and say why it came back
 * (the `why` of the next sched_schedule). A vCPU that stopped is left in
 * *stopped: vcpu_stopped() runs after the scheduler has closed its books. */
static enum sched_why run_one(struct vcpu *v, struct vcpu **stopped)
{
	spin_lock(&v->lock);
	if (v->vm->state != VM_RUNNING)
		goto stop;
	if (v->init_pending)
		do_init(v);
	if (v->state == VCPU_WAIT_SIPI) {
		if (v->sipi_vector < 0) {
			spin_unlock(&v->lock);   /* woken for nothing: wait on */
			return SCHED_BLOCK;
		}
		struct vcpu_boot_state bs;
		boot_state_sipi(&bs, (uint8_t)v->sipi_vector);
		v->sipi_vector = -1;
		memset(v->gpr, 0, sizeof(v->gpr));
		v->cr2 = 0;
		emul_vcpu_reset(v, &bs);
	} else if (v->state == VCPU_HALTED) {
		if (!vcpu_wake_ready(v)) {
			spin_unlock(&v->lock);   /* the reason went away: halt on */
			return SCHED_BLOCK;
		}
		pv_halt_ended(v, true);          /* the HLT is over: a kick is used up */
		pv_balloon_end(v, true);         /* so is a balloon (time or interrupt) */
	}
	v->state = VCPU_RUNNING;
	v->pcpu = (int)cpu_id();
	v->halt_if_off = false;
	spin_unlock(&v->lock);

	v->runs++;
	enum vcpu_run_result r = vcpu_run(v);
	if (r == RUN_SPIN) {
		/* A PAUSE-loop exit: a spin hint for the policy, and the rest
		 * of the slice offered (free queues the vCPU behind the
		 * least-served one, gang keeps it: a yield cannot give a
		 * reserved pCPU away). */
		v->vm->pause_exits++;
		sched_hint(&v->sched, SCHED_HINT_SPIN, 1);
	}
	if (v->sched.hint_spin)
		sched_hint(&v->sched, SCHED_HINT_SPIN, 0);  /* cannot tell it still spins */

	enum sched_why why = SCHED_TICK;
	spin_lock(&v->lock);
	v->pcpu = -1;
	if (v->vm->state != VM_RUNNING)
		r = RUN_STOP;
	switch (r) {
	case RUN_PREEMPT:
		v->state = VCPU_RUNNABLE;
		break;
	case RUN_SPIN:
	case RUN_YIELD:
		v->state = VCPU_RUNNABLE;
		why = SCHED_YIELD;
		break;
	case RUN_HALT:
		v->state = VCPU_HALTED;
		if (vcpu_wake_ready(v)) {
			v->state = VCPU_RUNNABLE;    /* an interrupt or kick came meanwhile */
			pv_halt_ended(v, false);
			pv_balloon_end(v, false);    /* never blocked: no balloon hint */
		} else {
			why = SCHED_BLOCK;
			block_hint(v);
		}
		break;
	case RUN_INIT:
		do_init(v);
		why = vcpu_wake_ready(v) ? SCHED_TICK : SCHED_BLOCK;
		break;
	case RUN_STOP:
		goto stop;
	}
	spin_unlock(&v->lock);
	return why;
stop:
	v->state = VCPU_STOPPED;
	spin_unlock(&v->lock);
	sched_vcpu_stop(&v->sched);             /* taken off at the next sched_schedule */
	*stopped = v;
	return SCHED_TICK;
}

int run_sched_init(unsigned n, const char *name, const char **err)
{
	if (n > MAX_PCPUS)
		n = MAX_PCPUS;
	sched_npcpus = n;
	sched_env_hv_init();
	if (sched_init(sched_pcpus, n, err) < 0)
		return -1;
	return name ? sched_select(name, err) : 0;
}

_Static_assert(MAX_PCPUS <= VM_PIN_MAX_PCPU + 1, "pin= bitmaps are one word");

int run_vm_add(struct vm *vm, const char **err)
{
	struct sched_vm *s = &vm->sched;
	s->id = vm->id;
	s->nr_vcpus = vm->nvcpus;
	s->vcpus = vm->sched_vcpus;
	s->weight = vm->cfg.weight;
	s->cap = vm->cfg.cap;
	s->slice_ns = vm->cfg.slice_ns;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct sched_vcpu *sv = &vm->vcpus[i]->sched;
		vm->sched_vcpus[i] = sv;
		/* pin= and vcpucap= (MAX_PCPUS = 64: one bitmap word). */
		sv->affinity = vm->cfg.pin[i] ? &vm->cfg.pin[i] : NULL;
		sv->cap = vm->cfg.vcpu_cap[i];
	}
	if (sched_vm_add(s, err) < 0)
		return -1;
	/* Application processors wait for a SIPI; the BSP is woken by
	 * run_start(). */
	for (unsigned i = 1; i < vm->nvcpus; i++)
		sched_vcpu_set_blocked(&vm->vcpus[i]->sched);
	return 0;
}

void run_start(void)
{
	obs_start(sched_npcpus);
	irq_register(VEC_KICK, kick_irq);
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	/* The APs halt until then: wake them so each makes its first
	 * scheduling decision (free only hands work to pCPUs that did). */
	for (unsigned i = 1; i < sched_npcpus; i++)
		if (pcpus[i].online)
			lapic_send_ipi(pcpus[i].apic_id, VEC_KICK);
	for (unsigned i = 0; i < nvms; i++)
		sched_wake(&vms[i]->vcpus[0]->sched);
}

void run_pcpu_loop(void)
{
	unsigned me = cpu_id();
	irq_disable();
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		safe_halt(), irq_disable();
	if (me >= sched_npcpus) {
		pr_err("sched: cpu%u is beyond the scheduler's %u pCPUs and stays idle", me, sched_npcpus);
		for (;;)
			safe_halt();
	}
	if (me != 0) {
		char err[160];
		if (backend->cpu_init(err, sizeof(err)) < 0) {
			/* This pCPU cannot run guests; the others carry on. It
			 * never calls the scheduler, so free never gives it work
			 * (its idle list only holds pCPUs that asked), but gang
			 * may reserve it for a gang member. */
			pr_err("%s: %s; cpu%u will stay idle", backend->name, err, me);
			for (;;)
				safe_halt();
		}
	}
	struct run_pcpu *rp = &runpc[me];
	enum sched_why why = SCHED_TICK;
	struct vcpu *stopped = NULL, *prev = NULL;
	for (;;) {
		/* Take the host interrupts that arrived since the last VM exit
		 * (in root mode, interrupts off): a core timer (a balloon's end,
		 * a guest LAPIC timer) that fired then was seen to wait in the
		 * IRR until the pCPU next idled (Bochs 2.7: 100-250 ms on a busy
		 * pCPU, tests/sched/hv-lhp.sh) instead of forcing an exit at the
		 * next VM entry. No lock is held here. STI's shadow covers one
		 * instruction, hence the NOP. */
		__asm__ volatile("sti; nop; cli" ::: "memory");
		stack_check();
		/* Clear before deciding: a kick from now on is seen next time. */
		__atomic_store_n(&rp->need_resched, false, __ATOMIC_SEQ_CST);
		struct sched_vcpu *sv = sched_schedule(me, why);
		obs_sched_point(me, prev, sv ? to_vcpu(sv) : NULL);   /* LHP accounting, trace */
		prev = sv ? to_vcpu(sv) : NULL;
		if (prev)
			log_mode(prev->vm);
		if (stopped) {
			/* Its scheduler state is STOPPED now: account and
			 * report (the last vCPU out prints the summary). */
			struct vcpu *s = stopped;
			stopped = NULL;
			vcpu_stopped(s);
		}
		why = SCHED_TICK;
		if (!sv) {
			/* Idle until the scheduler's timer or a kick. Any other
			 * interrupt (a guest LAPIC timer, say) is handled inside
			 * safe_halt and, if it wakes a vCPU, kicks a pCPU. */
			obs_idle();
			while (!__atomic_load_n(&rp->need_resched, __ATOMIC_SEQ_CST)) {
				timer_watchdog();
				safe_halt();
				irq_disable();
			}
			continue;
		}
		why = run_one(to_vcpu(sv), &stopped);
	}
}

const struct sched_pcpu *run_sched_pcpu(unsigned i) { return &sched_pcpus[i]; }
unsigned run_sched_npcpus(void) { return sched_npcpus; }
