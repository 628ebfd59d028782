/* Per-pCPU run loop: pick a runnable vCPU, give it a time slice, handle what
 * it came back for. Interrupts stay off here except while idle: host
 * interrupts that arrive while a guest runs cause VM exits and are
 * dispatched from there. Lock order: vcpu->lock, then rq_lock. */
#include "vmm/run.h"
#include "vmm/vmm.h"
#include "vmm/vmm_exits.h"
#include "vmm/backend.h"
#include "vmm/vlapic.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/traps.h"
#include "hw/lapic.h"
#include "hw/tsc.h"
#include "hw/x86.h"

static spinlock_t rq_lock = SPINLOCK_INIT;
static struct vcpu *rq_head, *rq_tail;
static volatile uint64_t idle_mask;
static volatile bool go;

struct run_pcpu {
	volatile bool need_resched;
	uint64_t slice_end_tsc;
	struct timer slice_timer;
	bool usable;
};
static struct run_pcpu runpc[MAX_PCPUS];

static void kick_irq(unsigned vec) { /* the exit or wake-up is the point */ }

static void slice_expired(struct timer *t, void *arg)
{
	runpc[cpu_id()].need_resched = true;
}

bool vmm_need_resched(void) { return runpc[cpu_id()].need_resched; }

uint64_t vmm_slice_left_tsc(void)
{
	uint64_t now = rdtsc(), end = runpc[cpu_id()].slice_end_tsc;
	return end > now ? end - now : 0;
}

void vmm_spin_hint(struct vcpu *v)
{
	v->vm->pause_exits++;
}

static void kick_pcpu(unsigned cpu)
{
	if (cpu != cpu_id())
		lapic_send_ipi(pcpus[cpu].apic_id, VEC_KICK);
}

void runq_add(struct vcpu *v)
{
	uint64_t f = spin_lock_irqsave(&rq_lock);
	if (!v->on_rq) {
		v->on_rq = true;
		v->rq_next = NULL;
		if (rq_tail)
			rq_tail->rq_next = v;
		else
			rq_head = v;
		rq_tail = v;
	}
	uint64_t idle = idle_mask & ~(1ull << cpu_id());
	spin_unlock_irqrestore(&rq_lock, f);
	if (idle)
		kick_pcpu((unsigned)__builtin_ctzll(idle));
}

static struct vcpu *runq_pop(void)
{
	spin_lock(&rq_lock);
	struct vcpu *v = rq_head;
	if (v) {
		rq_head = v->rq_next;
		if (!rq_head)
			rq_tail = NULL;
		v->on_rq = false;
	}
	spin_unlock(&rq_lock);
	return v;
}

/* Can a vCPU in state st be made runnable now? (vcpu->lock held) */
static bool wake_ready(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING || v->init_pending || v->nmi_pending)
		return true;
	if (v->state == VCPU_WAIT_SIPI)
		return v->sipi_vector >= 0;
	return !v->halt_if_off && vlapic_pending(v);
}

void vcpu_kick(struct vcpu *v)
{
	uint64_t f = spin_lock_irqsave(&v->lock);
	switch (v->state) {
	case VCPU_RUNNING:
		if (v->pcpu >= 0)
			kick_pcpu((unsigned)v->pcpu);
		break;
	case VCPU_HALTED:
	case VCPU_WAIT_SIPI:
		if (wake_ready(v)) {
			v->state = VCPU_RUNNABLE;
			runq_add(v);
		}
		break;
	default:
		break;
	}
	spin_unlock_irqrestore(&v->lock, f);
}

int vmm_check_exit(struct vcpu *v)
{
	if (v->vm->state != VM_RUNNING)
		return RUN_STOP;
	if (v->init_pending)
		return RUN_INIT;
	if (runpc[cpu_id()].need_resched)
		return RUN_PREEMPT;
	return -1;
}

static void do_init(struct vcpu *v)
{
	/* INIT: the vCPU waits for a SIPI with a reset LAPIC (SDM 9.4). */
	v->init_pending = false;
	v->sipi_vector = -1;
	vlapic_reset(v);
	v->state = VCPU_WAIT_SIPI;
}

static void run_one(struct vcpu *v)
{
	struct run_pcpu *rp = &runpc[cpu_id()];
	spin_lock(&v->lock);
	if (v->vm->state != VM_RUNNING) {
		v->state = VCPU_STOPPED;
		spin_unlock(&v->lock);
		vcpu_stopped(v);
		return;
	}
	if (v->init_pending) {
		do_init(v);
		spin_unlock(&v->lock);
		return;
	}
	if (v->sipi_vector >= 0) {
		struct vcpu_boot_state bs = { BOOT_REAL_SIPI, 0, (uint8_t)v->sipi_vector };
		v->sipi_vector = -1;
		backend->vcpu_set_boot(v, &bs);
	} else if (v->state == VCPU_WAIT_SIPI) {
		spin_unlock(&v->lock);     /* woken for nothing */
		return;
	}
	v->state = VCPU_RUNNING;
	v->pcpu = (int)cpu_id();
	v->halt_if_off = false;
	spin_unlock(&v->lock);

	uint64_t slice = v->vm->cfg.slice_ns ? v->vm->cfg.slice_ns : SLICE_DEFAULT_NS;
	uint64_t start = time_now();
	rp->need_resched = false;
	rp->slice_end_tsc = rdtsc() + ns_to_tsc(slice);
	timer_set(&rp->slice_timer, start + slice);
	v->runs++;
	enum vcpu_run_result r = backend->vcpu_run(v);
	backend->vcpu_put(v);
	timer_cancel(&rp->slice_timer);
	v->run_ns += time_now() - start;

	bool stopped = false;
	spin_lock(&v->lock);
	v->pcpu = -1;
	if (v->vm->state != VM_RUNNING)
		r = RUN_STOP;
	switch (r) {
	case RUN_PREEMPT:
		v->state = VCPU_RUNNABLE;
		runq_add(v);
		break;
	case RUN_HALT:
		v->state = VCPU_HALTED;
		if (wake_ready(v)) {
			v->state = VCPU_RUNNABLE;
			runq_add(v);
		}
		break;
	case RUN_INIT:
		do_init(v);
		break;
	case RUN_STOP:
		v->state = VCPU_STOPPED;
		stopped = true;
		break;
	}
	spin_unlock(&v->lock);
	if (stopped)
		vcpu_stopped(v);
}

void run_start(void)
{
	irq_register(VEC_KICK, kick_irq);
	for (unsigned i = 0; i < MAX_PCPUS; i++)
		timer_init(&runpc[i].slice_timer, slice_expired, NULL);
	runpc[0].usable = true;
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
}

void vmm_pcpu_loop(void)
{
	unsigned me = cpu_id();
	irq_disable();
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		safe_halt(), irq_disable();
	if (me != 0) {
		char err[160];
		if (backend->cpu_init(err, sizeof(err)) < 0) {
			/* This pCPU cannot run guests; the others carry on. */
			pr_err("vmx: %s; cpu%u will stay idle", err, me);
			for (;;)
				safe_halt();
		}
		runpc[me].usable = true;
	}
	for (;;) {
		irq_disable();
		struct vcpu *v = runq_pop();
		if (v) {
			run_one(v);
			continue;
		}
		/* Idle: advertise it, re-check (a wake-up may have raced), halt. */
		__atomic_or_fetch(&idle_mask, 1ull << me, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&rq_head, __ATOMIC_SEQ_CST))
			safe_halt();
		__atomic_and_fetch(&idle_mask, ~(1ull << me), __ATOMIC_SEQ_CST);
	}
}

/* Interrupt delivery for the backend. */
bool vmm_intr_pending(struct vcpu *v) { return vlapic_pending(v); }
int vmm_intr_ack(struct vcpu *v) { return vlapic_ack(v); }
uint64_t vmm_get_tpr(struct vcpu *v) { return vlapic_get_tpr(v) >> 4; }
void vmm_set_tpr(struct vcpu *v, uint64_t cr8) { vlapic_set_tpr(v, (uint32_t)(cr8 & 0xf) << 4); }
