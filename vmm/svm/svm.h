/* AMD-V backend internals. Only vmm/svm/ includes this. The backend holds
 * the VMCB and nested page tables, enters the guest and decodes #VMEXITs
 * into neutral exits (vmm/vm/backend.h); it implements no x86 semantics of
 * its own (docs/svm.md). */
#ifndef VMM_SVM_SVM_H
#define VMM_SVM_SVM_H
#include "vmm/svm/vmcb.h"
#include "vmm/svm/svm_caps.h"
#include "vmm/svm/svm_npt.h"
#include "vmm/vm/backend.h"
#include "core/percpu.h"

extern struct svm_config svm_cfg;
/* The host runs with CR4.OSXSAVE: XCR0 can be read. */
extern bool svm_host_xsave;

/* Per pCPU: the areas VMRUN and #VMEXIT use, and its ASID pool. */
struct svm_pcpu {
	uint64_t hsave_pa;      /* VM_HSAVE_PA: where VMRUN saves the host (APM 15.30.4) */
	uint64_t host_pa;       /* VMSAVE image of the host's FS, GS, TR, LDTR, syscall MSRs */
	uint32_t next_asid;     /* next free ASID of this generation */
	uint64_t asid_gen;      /* bumped (with a full flush) when the ASIDs run out */
	const void *last;       /* the svm_vcpu that ran here last (compared, never read) */
};
extern struct svm_pcpu svm_pcpus[MAX_PCPUS];

/* Per-VM backend state. */
struct svm_vm {
	struct npt npt;
};

/* Per-vCPU backend state. */
struct svm_vcpu {
	struct vmcb *vmcb;
	uint64_t vmcb_pa;
	uint32_t asid;
	int asid_cpu;           /* the pCPU whose pool the ASID is from (-1: none) */
	uint64_t asid_gen;      /* and its generation then */
	bool loaded;            /* between vcpu_load and vcpu_put */
	/* NMI blocking, which AMD-V does not track for the VMM (no vNMI):
	 * set by injecting an NMI, cleared once the guest's IRET retired. */
	bool nmi_blocked;
	bool iret_seen;         /* the IRET intercept fired at iret_rip */
	uint64_t iret_rip;
	uint64_t tsc_aux;       /* not in the VMCB: the hardware MSR while loaded */
	/* An external interrupt offered through V_IRQ for the next VMRUN
	 * (svm_inject); svm_enter_guest sees whether the guest took it. */
	bool virq_armed;
	uint8_t virq_vector;
	uint64_t exit_code, exit_info1, exit_info2;   /* the last exit, for the dump */
};

static inline struct svm_vcpu *to_svm(struct vcpu *v) { return v->arch; }
static inline struct vmcb *vmcb_of(struct vcpu *v) { return to_svm(v)->vmcb; }

/* Entry stub (svm_entry.S): VMLOAD the guest, VMRUN, VMSAVE the guest,
 * VMLOAD the host from host_pa; returns with interrupts off and GIF set
 * (host interrupts that made the guest exit have been taken). */
void svm_run(struct vcpu *v, uint64_t vmcb_pa, uint64_t host_pa);

/* svm_exit.c: enter once and decode the exit. */
void svm_enter_guest(struct vcpu *v, uint64_t deadline_tsc, struct vm_exit *e);
const char *svm_exit_name(uint64_t code);
/* svm_vcpu.c */
int svm_vm_init(struct vm *vm, char *err, size_t errlen);
int svm_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len);
void svm_vm_destroy(struct vm *vm);
int svm_vcpu_init(struct vcpu *v, char *err, size_t errlen);
void svm_vcpu_destroy(struct vcpu *v);
void svm_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot_state *s);
void svm_vcpu_load(struct vcpu *v);
void svm_vcpu_put(struct vcpu *v);
void svm_flush_tlb(struct vcpu *v);
void svm_dump(struct vcpu *v);
/* svm_regs.c: the accessors */
uint64_t svm_get_reg(struct vcpu *v, enum vcpu_reg r);
void svm_set_reg(struct vcpu *v, enum vcpu_reg r, uint64_t val);
void svm_get_seg(struct vcpu *v, unsigned seg, struct x86_seg *out);
void svm_set_seg(struct vcpu *v, unsigned seg, const struct x86_seg *s);
unsigned svm_get_cpl(struct vcpu *v);
unsigned svm_get_code_bits(struct vcpu *v);
unsigned svm_get_intr_state(struct vcpu *v);
void svm_skip_insn(struct vcpu *v, unsigned len);
void svm_inject(struct vcpu *v, const struct x86_event *ev);
void svm_set_windows(struct vcpu *v, bool intr, bool nmi);
void svm_set_tsc_offset(struct vcpu *v, int64_t offset);
/* svm_msr.c: the permission maps shared by every VMCB. */
uint64_t svm_msrpm_pa(void);
uint64_t svm_iopm_pa(void);

#endif
