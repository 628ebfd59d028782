/* VT-x backend internals. Only vmm/vmx/ includes this. */
#ifndef VMM_VMX_VMX_H
#define VMM_VMX_VMX_H
#include "vmm/vmx/vmcs.h"
#include "vmm/vmx/vmx_caps.h"
#include "vmm/vmx/vmx_ept.h"
#include "vmm/backend.h"

extern struct vmx_config vmx_cfg;

/* Per-VM backend state. */
struct vmx_vm {
	struct ept ept;
	uint64_t eptp;
};

/* A pending event to inject at the next VM entry. */
struct vmx_event {
	bool valid;
	uint32_t info;          /* VM-entry interruption-information format */
	uint32_t error;
	uint32_t insn_len;
};

/* Per-vCPU backend state. */
struct vmx_vcpu {
	uint64_t vmcs;          /* physical address */
	bool launched;
	int last_pcpu;          /* for VPID/EPT flushes after migration */
	uint16_t vpid;
	uint32_t entry_ctls;    /* current VM-entry controls (IA-32e mode toggles) */
	uint32_t proc_ctls;     /* current primary controls (window exiting toggles) */
	struct vmx_event reinject;   /* from IDT-vectoring information */
	struct vmx_event exc;        /* exception raised by an exit handler */
	uint64_t cr0_shadow, cr4_shadow;   /* what the guest believes */
	uint64_t efer;          /* guest EFER (also in the VMCS) */
	uint64_t xcr0;
	uint64_t dr[8];         /* emulated debug registers (MOV-DR exits) */
	/* Syscall MSRs: passed through; live in hardware while loaded. */
	uint64_t star, lstar, cstar, sfmask, kgsbase, tsc_aux;
	void *xsave;            /* FPU/SSE/AVX state, 64-byte aligned */
	void *xsave_mem;        /* the allocation it lies in */
	uint32_t last_reason;
	uint64_t last_qual;
};

/* Host-side bookkeeping for one exit. */
struct vmx_exit {
	uint32_t reason;
	uint64_t qual;
	uint32_t insn_len;
	uint32_t intr_info;
};

static inline struct vmx_vcpu *to_vmx(struct vcpu *v) { return v->arch; }

NORETURN void vmx_insn_failed(const char *insn, uint64_t field, uint64_t value);

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;
	uint8_t fail;
	__asm__ volatile("vmread %2, %0; setna %1" : "=r"(v), "=qm"(fail) : "r"(field) : "cc");
	if (fail)
		vmx_insn_failed("vmread", field, 0);
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t value)
{
	uint8_t fail;
	__asm__ volatile("vmwrite %1, %2; setna %0" : "=qm"(fail) : "r"(value), "r"(field) : "cc", "memory");
	if (fail)
		vmx_insn_failed("vmwrite", field, value);
}

static inline bool vmptrld(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmptrld %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

static inline bool vmclear(uint64_t pa)
{
	uint8_t fail;
	__asm__ volatile("vmclear %1; setna %0" : "=qm"(fail) : "m"(pa) : "cc", "memory");
	return !fail;
}

/* Entry stub (vmx_entry.S): 0 after a VM exit, 1 if VM entry failed. */
int vmx_enter(struct vcpu *v, int launched);
void vmx_exit_entry(void);

/* vmx_exit.c */
/* Handle one exit: returns -1 to re-enter the guest, else a run result. */
int vmx_handle_exit(struct vcpu *v, struct vmx_exit *e);
void vmx_queue_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
void vmx_advance_rip(struct vcpu *v, const struct vmx_exit *e);
/* vmx_vcpu.c */
void vmx_set_entry_ctls(struct vcpu *v, uint32_t ctls);
void vmx_set_proc_ctls(struct vcpu *v, uint32_t ctls);
void vmx_dump(struct vcpu *v);
/* vmx_msr.c: MSRs the backend owns (VMCS fields, passthrough). */
bool vmx_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vmx_msr_write(struct vcpu *v, uint32_t msr, uint64_t val, bool *gp);
uint64_t vmx_msr_bitmap_page(void);
/* Guest mode helpers */
uint64_t vmx_guest_cr0(struct vcpu *v);
uint64_t vmx_guest_cr4(struct vcpu *v);
void vmx_write_cr0(struct vcpu *v, uint64_t val, bool *gp);
void vmx_write_cr4(struct vcpu *v, uint64_t val, bool *gp);
uint64_t vmx_guest_xcr0_allowed(void);
/* Backend operations (vmx_vcpu.c, vmx_exit.c), gathered in vmx_cpu.c. */
int vmx_vm_init(struct vm *vm, char *err, size_t errlen);
int vmx_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len);
int vmx_vcpu_init(struct vcpu *v, char *err, size_t errlen);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vm_destroy(struct vm *vm);
void vmx_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot_state *s);
enum vcpu_run_result vmx_vcpu_run(struct vcpu *v);
void vmx_vcpu_put(struct vcpu *v);
uint64_t vmx_get_rsp(struct vcpu *v);
void vmx_set_rsp(struct vcpu *v, uint64_t rsp);
const char *vmx_exit_name(unsigned reason);

#endif
