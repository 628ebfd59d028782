/* Generic VMs and vCPUs. Backend-specific state (VMCS, EPT) hangs off the
 * opaque `arch` pointers; generic code never looks inside. */
#ifndef VMM_VM_H
#define VMM_VM_H
#include "core/lib.h"
#include "core/spinlock.h"
#include "core/timer.h"
#include "vmm/vuart.h"
#include "vmm/vm_config.h"
#include "sched/sched.h"

#define VM_MAX        16
#define VMM_EXIT_REASONS 80       /* per-reason exit counters */

/* XSAVE state components a guest may enable (CPUID leaf 0xD and XSETBV
 * agree on it): x87, SSE, AVX, AVX-512 opmask/ZMM_Hi256/Hi16_ZMM. */
#define GUEST_XCR0_MASK 0xe7ull

enum vm_state { VM_RUNNING, VM_STOPPING, VM_STOPPED };
enum vm_stop_reason { STOP_POWEROFF, STOP_EXIT, STOP_FAULT, STOP_ERROR };
enum vcpu_state { VCPU_RUNNABLE, VCPU_RUNNING, VCPU_HALTED, VCPU_WAIT_SIPI, VCPU_STOPPED };

/* General registers by x86 encoding (0 = RAX ... 15 = R15). RSP lives in
 * the backend's state: read it with vcpu_get_gpr(). */
enum { GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
       GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15 };

struct vlapic;
struct vm;

struct vcpu {
	uint64_t gpr[16];         /* saved/restored by the entry stub; keep first */
	uint64_t cr2;             /* not in the VMCS: the stub switches it */
	struct vm *vm;
	unsigned id;
	uint32_t apic_id;
	volatile int state;       /* enum vcpu_state, changed under vcpu_lock */
	int pcpu;                 /* running on, -1 if not */
	void *arch;
	struct vlapic *lapic;
	spinlock_t lock;
	/* INIT/SIPI delivered through the virtual LAPIC. */
	bool init_pending;
	int sipi_vector;          /* -1: none */
	bool nmi_pending;
	bool halt_if_off;
	uint64_t kvmclock_msr;
	uint64_t xcr0;            /* the guest's XCR0 (backend keeps it current) */    /* MSR_KVM_SYSTEM_TIME(_NEW) as written */         /* halted with RFLAGS.IF clear: only NMI/INIT/SIPI wake it */
	/* Accounting (run time, steal, ... live in sched.stats). */
	uint64_t exits, runs;
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
	uint64_t ram_size;        /* bytes, a multiple of 2 MiB */
	uint64_t *ram_chunks;     /* host physical address of each 2 MiB chunk */
	void *arch;
	spinlock_t lock;
	volatile int state;       /* enum vm_state */
	int stop_reason;
	uint64_t stop_code;
	unsigned nstopped;        /* vCPUs that reached VCPU_STOPPED */
	int64_t tsc_offset;
	struct vuart uart;
	struct vdevs *devs;       /* vmm/vdev.h: IOAPIC, PIT, PIC, CMOS, ACPI PM, ... */
	unsigned shutdown_match;  /* progress through the Bochs "Shutdown" string */
	uint64_t exit_count[VMM_EXIT_REASONS + 1];   /* last: out of range */
	uint64_t created_ns;
	struct vm_config cfg;
	uint64_t pause_exits;
};

extern struct vm *vms[VM_MAX];
extern unsigned nvms;

/* Guest-physical to host pointer for [gpa, gpa+len) inside one 2 MiB chunk
 * of RAM, or NULL when the range is not RAM (or crosses a chunk). */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, size_t len);
/* Copy to/from guest RAM across chunks; false if any byte is not RAM. */
bool vm_read_gpa(struct vm *vm, uint64_t gpa, void *dst, size_t len);
bool vm_write_gpa(struct vm *vm, uint64_t gpa, const void *src, size_t len);

/* Stop a VM (idempotent): every vCPU leaves its pCPU; once all have, the
 * lifecycle line "HV VM <name> stopped reason=..." is printed. */
void vm_stop(struct vm *vm, enum vm_stop_reason why, uint64_t code, const char *detail);
const char *vm_stop_reason_name(int why);

/* An event for v (interrupt, IPI, INIT/SIPI/NMI, VM stop): a running vCPU's
 * pCPU is made to exit so the event is looked at; a halted or
 * wait-for-SIPI vCPU with a reason to run gets sched_wake() (vmm/run.c). */
void vcpu_kick(struct vcpu *v);

#endif
