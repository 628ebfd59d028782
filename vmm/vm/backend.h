/* The boundary between the generic VMM and a hardware backend (VT-x in
 * vmm/vmx/, AMD-V in vmm/svm/). In the manner of Jailhouse and bhyve's
 * vmm_ops: a backend holds its control structures (VMCS/VMCB, EPT/NPT),
 * enters the guest and turns each hardware exit into a neutral one
 * (vmm/vm/exit.h); every x86 semantic (CPUID, MSRs, port I/O, control
 * registers, XSETBV, event priority) lives once in generic code, which
 * reaches the guest's state only through the accessors below. Generic code
 * never names a backend's identifiers: a backend registers itself with
 * VMM_BACKEND() and vmm/vm/backend.c picks the one the CPU supports. */
#ifndef VMM_VM_BACKEND_H
#define VMM_VM_BACKEND_H
#include "vmm/vm/vm.h"
#include "vmm/vm/exit.h"
#include "hw/x86_defs.h"

/* A segment register: attr in the neutral layout of hw/x86_defs.h (SEG_*). */
struct x86_seg {
	uint16_t sel;
	uint32_t attr;
	uint32_t limit;
	uint64_t base;
};

struct x86_dtr {
	uint64_t base;
	uint16_t limit;
};

/* How a vCPU starts: the architectural state, in x86 terms (the loaders
 * and the INIT/SIPI code fill it with the builders below). */
struct vcpu_boot_state {
	uint64_t rip, rflags, cr0, cr3, cr4, efer;
	struct x86_seg seg[X86_SEG_NR];
	struct x86_dtr gdt, idt;
};

/* boot_state.c: the start states lhv uses (RSP and the general registers
 * are the caller's): real mode after a SIPI, 32-bit flat (Multiboot),
 * 64-bit with the loader's page tables and GDT (Linux). */
void boot_state_sipi(struct vcpu_boot_state *s, uint8_t vector);
void boot_state_flat32(struct vcpu_boot_state *s, uint32_t eip);
void boot_state_long64(struct vcpu_boot_state *s, uint64_t rip, uint64_t cr3,
		       const struct x86_dtr *gdt, uint16_t cs, uint32_t cs_attr,
		       uint16_t ds, uint32_t ds_attr);

/* Guest registers kept in the backend's control structure (or switched by
 * it), read and written through get_reg/set_reg. CR0 and CR4 are the values
 * the guest sees; the backend adds what the hardware needs. Setting EFER
 * includes LMA: the backend derives its IA-32e entry state from it.
 * set_reg validates nothing: callers apply the architectural rules first. */
enum vcpu_reg {
	VREG_RIP, VREG_RSP, VREG_RFLAGS,
	VREG_CR0, VREG_CR2, VREG_CR3, VREG_CR4, VREG_EFER,
	VREG_DR7, VREG_PAT, VREG_SYSENTER_CS, VREG_SYSENTER_ESP, VREG_SYSENTER_EIP,
	VREG_FS_BASE, VREG_GS_BASE, VREG_KGS_BASE,
	VREG_STAR, VREG_LSTAR, VREG_CSTAR, VREG_SFMASK, VREG_TSC_AUX,
	/* The four PAE page-directory pointers the CPU caches (SDM 4.4.1):
	 * vmm/emul/cr.c loads them when the architecture says; a backend
	 * whose hardware reads them from guest memory itself ignores them. */
	VREG_PDPTE0, VREG_PDPTE1, VREG_PDPTE2, VREG_PDPTE3,
	VREG_GDTR_BASE, VREG_GDTR_LIMIT, VREG_IDTR_BASE, VREG_IDTR_LIMIT,
	VREG_NR
};

/* Interrupt shadow and NMI blocking (get_intr_state). */
#define VCPU_SHADOW_STI   1u
#define VCPU_SHADOW_MOVSS 2u
#define VCPU_BLOCKED_NMI  4u

struct vmm_backend {
	const char *name;               /* "vmx": prefixes its boot-log line */
	/* Could this backend run on this CPU at all (vendor, CPUID)? Cheap,
	 * without side effects: vmm/vm/backend.c asks each registered one. */
	bool (*probe)(void);
	/* Enable virtualization on the calling pCPU. 0, or -1 with err set. */
	int (*cpu_init)(char *err, size_t errlen);
	/* One line describing the features in use (boot log). */
	void (*describe)(char *buf, size_t len);

	int (*vm_init)(struct vm *vm, char *err, size_t errlen);
	/* Map [gpa, gpa+len) of guest-physical space to host memory at hpa. */
	int (*vm_map_ram)(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len);
	void (*vm_destroy)(struct vm *vm);
	int (*vcpu_init)(struct vcpu *v, char *err, size_t errlen);
	/* Free what vcpu_init/vm_init allocated; safe on partial state. */
	void (*vcpu_destroy)(struct vcpu *v);
	/* Reset the vCPU's architectural state (also from its own exit
	 * handling, for INIT/SIPI). */
	void (*vcpu_set_boot)(struct vcpu *v, const struct vcpu_boot_state *s);

	/* Make v current on this pCPU before a run of entries / leave it (it
	 * may run elsewhere next). Interrupts are off in between. */
	void (*vcpu_load)(struct vcpu *v);
	void (*vcpu_put)(struct vcpu *v);
	/* Enter the guest once. Events chosen by inject/set_windows are
	 * delivered; the guest leaves at the latest when the TSC reaches
	 * deadline_tsc (~0: no limit). On return *e is the decoded exit; an
	 * event whose delivery the exit interrupted is in v->reinject. */
	void (*enter)(struct vcpu *v, uint64_t deadline_tsc, struct vm_exit *e);

	uint64_t (*get_reg)(struct vcpu *v, enum vcpu_reg r);
	void (*set_reg)(struct vcpu *v, enum vcpu_reg r, uint64_t val);
	void (*get_seg)(struct vcpu *v, unsigned seg, struct x86_seg *out);   /* X86_SEG_* */
	/* Load a segment register's hidden state as given (task switches). */
	void (*set_seg)(struct vcpu *v, unsigned seg, const struct x86_seg *s);
	unsigned (*get_cpl)(struct vcpu *v);
	/* Default operand size of the code now running: 16, 32 or 64 (CS.L in
	 * long mode, else CS.D/B). Cheaper than get_seg(CS) on every exit. */
	unsigned (*get_code_bits)(struct vcpu *v);
	/* VCPU_SHADOW_* and VCPU_BLOCKED_NMI now in force. */
	unsigned (*get_intr_state)(struct vcpu *v);
	/* Skip len bytes of instruction (RIP += len) and end an STI/MOV-SS
	 * shadow, as retiring an instruction does. */
	void (*skip_insn)(struct vcpu *v, unsigned len);
	/* Deliver this event at the next entry (at most one per entry). */
	void (*inject)(struct vcpu *v, const struct x86_event *ev);
	/* Exit as soon as the guest can take an interrupt / an NMI. */
	void (*set_windows)(struct vcpu *v, bool intr, bool nmi);
	/* The guest's TLB entries (all of its address spaces) must not
	 * survive the next entry. */
	void (*flush_tlb)(struct vcpu *v);
	/* The VM's TSC offset changed (vm->tsc_offset). */
	void (*set_tsc_offset)(struct vcpu *v, int64_t offset);
	/* Dump the vCPU's state (last exit, registers, controls) to the log. */
	void (*vcpu_dump)(struct vcpu *v);
};

/* The backend in use (vmm/vm/backend.c). */
extern const struct vmm_backend *backend;

/* Choose the backend for this CPU: the first registered one whose probe()
 * says yes. NULL when none fits (message in err). */
const struct vmm_backend *backend_select(char *err, size_t errlen);

/* Register a backend (one line in its ops file). The linker collects the
 * pointers in the section vmm_backends (linker.ld). */
#define VMM_BACKEND(ops) \
	static const struct vmm_backend *const vmm_backend_ptr_##ops \
	__attribute__((used, section("vmm_backends"))) = &(ops)

/* General registers: RSP lives in the backend's state. */
static inline uint64_t vcpu_get_gpr(struct vcpu *v, unsigned r)
{
	return r == GPR_RSP ? backend->get_reg(v, VREG_RSP) : v->gpr[r & 15];
}
static inline void vcpu_set_gpr(struct vcpu *v, unsigned r, uint64_t val)
{
	if (r == GPR_RSP)
		backend->set_reg(v, VREG_RSP, val);
	else
		v->gpr[r & 15] = val;
}

#endif
