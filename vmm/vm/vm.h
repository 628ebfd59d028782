/* VM and vCPU objects: the state every part of the VMM shares, and the two
 * services everything below the run loop needs: stopping a VM and kicking
 * a vCPU when an event arrives for it. Backend state (VMCS/VMCB, nested
 * page tables) hangs off the opaque `arch` pointers and device state off
 * `devs`/`lapic`: this layer never looks inside them. */
#ifndef VMM_VM_VM_H
#define VMM_VM_VM_H
#include "core/lib.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "vmm/vm/config.h"
#include "vmm/vm/exit.h"
#include "sched/sched.h"

#define VM_MAX        16

/* XSAVE state components a guest may enable (CPUID leaf 0xD and XSETBV
 * agree on it): x87, SSE, AVX, AVX-512 opmask/ZMM_Hi256/Hi16_ZMM. */
#define GUEST_XCR0_MASK 0xe7ull

enum vm_state { VM_RUNNING, VM_STOPPING, VM_STOPPED };
enum vm_stop_reason { STOP_POWEROFF, STOP_EXIT, STOP_FAULT, STOP_ERROR };
enum vcpu_state { VCPU_RUNNABLE, VCPU_RUNNING, VCPU_HALTED, VCPU_WAIT_SIPI, VCPU_STOPPED };

/* General registers by x86 encoding (0 = RAX ... 15 = R15). RSP lives in
 * the backend's state: read it with vcpu_get_gpr() (vmm/vm/backend.h). */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
       GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15 };

/* An event to deliver to the guest; the types follow the x86 event kinds
 * (the backends translate them into their own encodings). */
enum x86_event_type {
	X86_EV_INTR = 0,        /* external interrupt */
	X86_EV_NMI = 2,
	X86_EV_HW_EXC = 3,      /* hardware exception */
	X86_EV_SW_INTR = 4,     /* INT n */
	X86_EV_PRIV_SW_EXC = 5, /* INT1 */
	X86_EV_SW_EXC = 6,      /* INT3, INTO */
};
struct x86_event {
	bool valid;
	bool has_error;
	uint8_t type;
	uint8_t vector;
	uint32_t error;
	uint32_t insn_len;      /* software events: the instruction to skip */
};

/* Per-vCPU requests: work the vCPU's own pCPU does before the next entry
 * (vmm/run/vcpu_run.c), posted from anywhere with vcpu_request(). */
enum vcpu_request {
	VCPU_REQ_TLB_FLUSH,     /* flush the guest's TLB */
	VCPU_REQ_TSC_OFFSET,    /* the VM's TSC offset changed */
	VCPU_REQ_NR
};

struct vlapic;
struct vdevs;
struct vm;

/* What the paravirtual interface did for one vCPU (vmm/pv/, printed at
 * power-off as "summary: pv ..." lines, docs/console.md). Counters another
 * pCPU may bump (kick_rx) are updated atomically. */
struct vcpu_pv_stats {
	uint64_t kick_tx, kick_rx;    /* KVM_HC_KICK_CPU sent by / aimed at this vCPU */
	uint64_t kick_wake;           /* halts a kick ended (halted, then woken) */
	uint64_t kick_early;          /* HLTs a kick sent before them did not let block */
	uint64_t kick_bad;            /* kicks to an APIC ID no vCPU of the VM has */
	uint64_t steal_ns;            /* steal time reported in the guest's record */
	uint64_t st_set, st_bad;      /* steal-time MSR writes; of them refused (#GP) or outside RAM */
	uint64_t tlb_flush;           /* TLB flushes the guest asked for in `preempted` */
	uint64_t yield, yield_to;     /* KVM_HC_SCHED_YIELD (and kick) yields; those handed on */
	uint64_t yield_bad;           /* yields to an APIC ID no vCPU of the VM has */
	uint64_t ipi, ipi_dest, ipi_bad; /* KVM_HC_SEND_IPI calls, vCPUs reached, -EINVAL */
	uint64_t eperm, enosys;       /* hypercalls refused: CPL > 0, unknown or not offered */
	/* lhv's LHP interface (vmm/pv/lhv_hint.c, docs/hypercalls.md). */
	uint64_t hint_set, hint_bad;  /* LHV_HINT_REGISTER calls; of them refused */
	uint64_t lyield;              /* LHV_YIELD calls */
	uint64_t lspin, lspin_bad;    /* LHV_SPIN calls; of them refused (bad holder) */
	uint64_t balloon, balloon_bad; /* LHV_BALLOON calls; of them refused (absurd time) */
	uint64_t balloon_early;       /* balloons an interrupt ended before their time */
	uint64_t balloon_nowait;      /* ... of them, those it ended before the vCPU blocked
				       * (the policy never saw them: no SCHED_HINT_BALLOON) */
	uint64_t lspeed;              /* LHV_SPEED calls */
};

/* A vCPU's paravirtual state (KVM's names where KVM has one). */
struct vcpu_pv {
	/* KVM's pv_unhalted: a KVM_HC_KICK_CPU arrived. It makes the vCPU leave
	 * HLT whatever its IF (Linux's kvm_wait halts with interrupts off),
	 * and one that arrives before the HLT keeps that HLT from blocking;
	 * cleared when a HLT ends or is skipped that way. */
	volatile bool unhalted;
	uint64_t st_msr;          /* MSR_KVM_STEAL_TIME as written */
	bool st_on;               /* steal time enabled, its record in RAM ... */
	uint64_t st_gpa;          /* ... at this guest-physical address */
	uint64_t st_last_ns;      /* the scheduler's steal time at the last report */
	/* lhv's hint area (LHV_HINT_REGISTER): registered, at this GPA. */
	bool hint_on;
	uint64_t hint_gpa;
	uint32_t hint_dispatches;
	/* LHV_BALLOON: 0 none, 1 given back (the vCPU halts), 2 its time is
	 * over (vcpu_wake_ready lets it run); changed atomically, the timer
	 * fires on whichever pCPU armed it. */
	volatile uint32_t balloon;
	uint32_t balloon_us;      /* its length, for the scheduler's hint */
	struct timer balloon_timer;
	struct vcpu_pv_stats stats;
};

struct vcpu {
	uint64_t gpr[16];         /* saved/restored by the entry stub; keep first */
	uint64_t cr2;             /* switched by the entry stub where the hardware does not */
	struct vm *vm;
	unsigned id;
	uint32_t apic_id;
	volatile int state;       /* enum vcpu_state, changed under vcpu->lock */
	int pcpu;                 /* running on, -1 if not */
	void *arch;               /* the backend's */
	struct vlapic *lapic;
	spinlock_t lock;
	/* Events that make a halted or waiting vCPU runnable. */
	bool init_pending;
	int sipi_vector;          /* -1: none */
	bool nmi_pending;
	bool halt_if_off;         /* halted with RFLAGS.IF clear: only NMI/INIT/SIPI wake it */
	volatile uint32_t requests;       /* bit per enum vcpu_request */
	/* Events for the next entry: one whose delivery an exit interrupted
	 * (the backend fills it), and an exception an exit handler raised. */
	struct x86_event reinject, exc;
	bool windows;             /* an interrupt/NMI window exit is asked for */
	/* Architectural state the generic code emulates. */
	uint64_t xcr0;            /* the guest's XCR0 */
	uint64_t dr[4], dr6;      /* debug registers (never loaded into hardware) */
	void *fpu;                /* XSAVE area (vmm/emul/fpu.c) */
	uint64_t kvmclock_msr;    /* MSR_KVM_SYSTEM_TIME(_NEW) as written */
	uint64_t misc_enable_chg; /* IA32_MISC_ENABLE bits the guest changed from their reset value (msr.c) */
	uint64_t k7_perf[8];      /* AMD's legacy PerfEvtSel0-3, PerfCtr0-3 as written (msr.c) */
	struct vcpu_pv pv;        /* vmm/pv/: KVM's paravirtual features */
	/* Accounting (run time, steal, ... live in sched.stats). */
	uint64_t exits, runs;
	/* Dispatches (backend's vcpu_load), printed as "summary: dispatch"
	 * lines (docs/console.md): warm ones found the vCPU's control
	 * structure still loaded on this pCPU; cold ones loaded it again,
	 * remote ones first had the pCPU it was left on give it up; tlb_migr
	 * counts TLB flushes because the vCPU ran on another pCPU since it
	 * last ran on this one. The backend fills them. */
	uint64_t load_warm, load_cold, load_remote, tlb_migr;
	/* Scheduler's view (docs/scheduling.md): state, stats, policy data. */
	struct sched_vcpu sched;
};

struct vm {
	char name[VM_NAME_MAX];
	unsigned id;
	unsigned nvcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	struct sched_vcpu *sched_vcpus[VM_MAX_VCPUS];   /* &vcpus[i]->sched */
	struct sched_vm sched;    /* scheduler's view (run_vm_add) */
	uint64_t mode_logged;     /* sched.mode_changes already on the console */
	uint64_t ram_size;        /* bytes, a multiple of 2 MiB */
	uint64_t *ram_chunks;     /* host physical address of each 2 MiB chunk */
	void *arch;               /* the backend's */
	struct vdevs *devs;       /* vmm/dev/vdev.h: UART, IOAPIC, PIT, PIC, CMOS, ACPI PM */
	/* Has v a fixed interrupt it could take now (above its PPR)? The
	 * interrupt controller's answer (vmm/dev/vlapic.c sets it). */
	bool (*intr_pending)(struct vcpu *v);
	spinlock_t lock;
	volatile int state;       /* enum vm_state */
	int stop_reason;
	uint64_t stop_code;
	unsigned nstopped;        /* vCPUs that reached VCPU_STOPPED */
	int64_t tsc_offset;       /* guest TSC = host TSC + tsc_offset */
	uint64_t created_ns;
	struct vm_config cfg;
	uint64_t exit_count[VMEXIT_NR];
	uint64_t pause_exits;
};

extern struct vm *vms[VM_MAX];
extern unsigned nvms;

/* Stop a VM (idempotent): every vCPU leaves its pCPU; once all have, the
 * lifecycle line "HV VM <name> stopped reason=..." is printed (run/). */
void vm_stop(struct vm *vm, enum vm_stop_reason why, uint64_t code, const char *detail);
const char *vm_stop_reason_name(int why);

/* An event for v (interrupt, IPI, INIT/SIPI/NMI, request, VM stop): a
 * running vCPU's pCPU is made to exit so the event is looked at; a halted
 * or wait-for-SIPI vCPU with a reason to run gets sched_wake(). */
void vcpu_kick(struct vcpu *v);
/* Has a HALTED / WAIT_SIPI vCPU a reason to run? (v->lock held) */
bool vcpu_wake_ready(struct vcpu *v);

/* Post request r for v and kick it; the run loop takes it before the
 * vCPU's next entry. */
void vcpu_request(struct vcpu *v, enum vcpu_request r);
/* Post request r for v from v's own pCPU while it is loaded there: the run
 * loop takes it before the next entry, no kick needed. */
static inline void vcpu_request_local(struct vcpu *v, enum vcpu_request r)
{
	__atomic_fetch_or(&v->requests, 1u << r, __ATOMIC_RELAXED);
}
/* Take (test and clear) request r: for the vCPU's own pCPU. */
static inline bool vcpu_take_request(struct vcpu *v, enum vcpu_request r)
{
	return __atomic_fetch_and(&v->requests, ~(1u << r), __ATOMIC_ACQ_REL) & (1u << r);
}

#endif
