/* VT-x backend internals. Only vmm/vmx/ includes this. The backend holds
 * the VMCS and EPT, enters the guest and decodes exits into neutral ones
 * (vmm/vm/backend.h); it implements no x86 semantics of its own. */
#ifndef VMM_VMX_VMX_H
#define VMM_VMX_VMX_H
#include "vmm/vmx/vmcs.h"
#include "vmm/vmx/vmx_caps.h"
#include "vmm/vmx/vmx_ept.h"
#include "vmm/vm/backend.h"

extern struct vmx_config vmx_cfg;

/* Per-VM backend state. */
struct vmx_vm {
	struct ept ept;
	uint64_t eptp;
};

/* Per-vCPU backend state. */
struct vmx_vcpu {
	uint64_t vmcs;          /* physical address */
	bool launched;
	bool loaded;            /* current on this pCPU (between load and put) */
	/* VMCS life cycle (vmx_vcpu.c, SDM 25.11): the pCPU where the VMCS is
	 * active (-1: clear), a request from another pCPU to clear it there,
	 * the pCPU whose host fields it holds, and the pCPU whose TLB holds
	 * this VPID's translations as the guest last left them. */
	volatile int active_cpu;
	volatile bool release_req;
	int host_cpu, tlb_cpu;
	uint16_t vpid;
	uint32_t entry_ctls;    /* current VM-entry controls (IA-32e mode toggles) */
	uint32_t proc_ctls;     /* current primary controls (window exiting toggles) */
	uint64_t cr0_shadow, cr4_shadow;   /* what the guest believes */
	uint64_t efer;          /* guest EFER (also in the VMCS) */
	/* MSRs VT-x does not switch: passed through, so they live in the
	 * hardware while the vCPU is loaded and here while it is not. */
	uint64_t kgsbase, star, lstar, cstar, sfmask, tsc_aux;
	uint32_t last_reason;   /* for the state dump */
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

/* vmx_exit.c: enter once and decode the exit. */
void vmx_enter_guest(struct vcpu *v, uint64_t deadline_tsc, struct vm_exit *e);
const char *vmx_exit_name(unsigned reason);
/* vmx_vcpu.c */
int vmx_vm_init(struct vm *vm, char *err, size_t errlen);
int vmx_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len);
void vmx_vm_destroy(struct vm *vm);
int vmx_vcpu_init(struct vcpu *v, char *err, size_t errlen);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot_state *s);
void vmx_vcpu_load(struct vcpu *v);
void vmx_vcpu_put(struct vcpu *v);
void vmx_flush_tlb(struct vcpu *v);
/* Once per pCPU in cpu_init: the handler of VEC_BACKEND (VMCS hand-over). */
void vmx_vmcs_cpu_init(void);
void vmx_dump(struct vcpu *v);
/* vmx_regs.c: the accessors */
uint64_t vmx_get_reg(struct vcpu *v, enum vcpu_reg r);
void vmx_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val);
void vmx_get_seg(struct vcpu *v, unsigned seg, struct x86_seg *out);
void vmx_set_seg(unsigned seg, const struct x86_seg *s);
void vmx_set_seg_op(struct vcpu *v, unsigned seg, const struct x86_seg *s);
unsigned vmx_get_cpl(struct vcpu *v);
unsigned vmx_get_code_bits(struct vcpu *v);
unsigned vmx_get_intr_state(struct vcpu *v);
void vmx_skip_insn(struct vcpu *v, unsigned len);
void vmx_inject(struct vcpu *v, const struct x86_event *ev);
void vmx_set_windows(struct vcpu *v, bool intr, bool nmi);
void vmx_set_tsc_offset(struct vcpu *v, int64_t offset);
void vmx_set_proc_ctls(struct vcpu *v, uint32_t ctls);
uint64_t vmx_cr0_mask(void);
uint64_t vmx_cr4_mask(void);
/* vmx_msr.c: the MSR bitmap (which MSRs the guest uses without exits). */
uint64_t vmx_msr_bitmap_page(void);

#endif
