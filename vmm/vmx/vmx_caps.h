/* VMX capability negotiation (pure logic, host-tested): from the raw values
 * of the VMX capability MSRs compute the control words lhv runs guests with,
 * or explain which required feature is missing.
 *
 * Every control word follows SDM A.3-A.5: the low 32 bits of a capability MSR
 * are the allowed-0 settings (a 1 there means the control must be 1), the
 * high 32 bits the allowed-1 settings (a 0 there means it must be 0), so
 *     ctl = (wanted | allowed0) & allowed1.
 * With IA32_VMX_BASIC[55] the TRUE_ MSRs give the allowed-0 settings and let
 * the "default1" controls (A.2) be cleared; lhv clears only CR3-load/store
 * exiting that way (EPT + unrestricted guest make them useless) and keeps the
 * other default1 bits set, as SDM 32.5.1 ("Algorithm 3") recommends. */
#ifndef VMM_VMX_VMX_CAPS_H
#define VMM_VMX_VMX_CAPS_H
#include "core/lib.h"

/* Raw MSR values as read on the CPU. procbased2 is only meaningful when
 * procbased allows "activate secondary controls", ept_vpid_cap when
 * procbased2 allows EPT or VPID, the true_ ones when basic bit 55 is set;
 * vmx_caps_compute() ignores them otherwise. */
struct vmx_cap_msrs {
	uint64_t basic;                         /* 0x480 */
	uint64_t pinbased, procbased;           /* 0x481, 0x482 */
	uint64_t exit, entry;                   /* 0x483, 0x484 */
	uint64_t misc;                          /* 0x485 */
	uint64_t cr0_fixed0, cr0_fixed1;        /* 0x486, 0x487 */
	uint64_t cr4_fixed0, cr4_fixed1;        /* 0x488, 0x489 */
	uint64_t procbased2;                    /* 0x48b */
	uint64_t ept_vpid_cap;                  /* 0x48c */
	uint64_t true_pinbased, true_procbased; /* 0x48d, 0x48e */
	uint64_t true_exit, true_entry;         /* 0x48f, 0x490 */
};

/* Optional features: used when the CPU has them and the caller did not
 * disable them. */
enum vmx_feature {
	VMX_FEAT_VPID           = 1u << 0,  /* + INVVPID single or all-context */
	VMX_FEAT_PREEMPT_TIMER  = 1u << 1,
	VMX_FEAT_SAVE_PREEMPT   = 1u << 2,  /* save timer value on exit */
	VMX_FEAT_PLE            = 1u << 3,  /* PAUSE-loop exiting */
	VMX_FEAT_TPR_SHADOW     = 1u << 4,
	VMX_FEAT_APIC_REG_VIRT  = 1u << 5,  /* needs TPR shadow */
	VMX_FEAT_VID            = 1u << 6,  /* virtual-interrupt delivery; needs TPR shadow */
	VMX_FEAT_X2APIC_VIRT    = 1u << 7,  /* virtualize x2APIC mode; needs TPR shadow */
	VMX_FEAT_RDTSCP         = 1u << 8,
	VMX_FEAT_INVPCID        = 1u << 9,
	VMX_FEAT_XSAVES         = 1u << 10,
	VMX_FEAT_EPT_AD         = 1u << 11, /* EPT accessed/dirty flags */
	VMX_FEAT_EPT_2M         = 1u << 12,
	VMX_FEAT_EPT_1G         = 1u << 13,
	VMX_FEAT_INVEPT_SINGLE  = 1u << 14, /* else INVEPT all-context */
	VMX_FEAT_VNMI           = 1u << 15, /* virtual NMIs (+ NMI-window exiting) */
};

/* Features lhv does not use even when present (the disable mask it passes
 * to vmx_caps_compute): APIC virtualization needs an APIC-access page model
 * the software LAPIC does not have (reported as available but off); XSAVES
 * stays off because guests are not offered it (vmm/emul/cpuid.c: no
 * supervisor state is switched), so the instruction #UDs as on a CPU
 * without it. */
#define VMX_FEATURES_UNUSED (VMX_FEAT_TPR_SHADOW | VMX_FEAT_APIC_REG_VIRT | VMX_FEAT_VID | \
			     VMX_FEAT_X2APIC_VIRT | VMX_FEAT_XSAVES)

/* Control word index, for the per-word arrays below. */
enum vmx_ctl { VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT,
	       VMX_CTL_ENTRY, VMX_CTL_COUNT };

struct vmx_config {
	/* Initial control words for every VMCS. Controls toggled at run time
	 * (interrupt/NMI-window exiting, IA-32e mode guest, MTF) start clear;
	 * vmx_ctl_allowed() says whether they may be set. */
	uint32_t ctl[VMX_CTL_COUNT];
	uint32_t allowed0[VMX_CTL_COUNT];   /* bits that must be 1 */
	uint32_t allowed1[VMX_CTL_COUNT];   /* bits that may be 1 */
	uint32_t forced[VMX_CTL_COUNT];     /* set only because allowed-0 forced them */
	bool true_ctls;                     /* TRUE_ MSRs were used */
	uint32_t revision_id;               /* for the VMXON region and each VMCS */
	uint32_t vmcs_size;
	unsigned features;                  /* VMX_FEAT_* in use */
	unsigned preempt_shift;             /* timer ticks every 2^n TSC cycles */
	unsigned invept_type;               /* INVEPT_SINGLE_CONTEXT or _ALL_CONTEXT */
	unsigned invvpid_type;              /* with VPID: INVVPID_SINGLE_CONTEXT or _ALL_CONTEXT */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* Compute *cfg from the MSRs. disable: VMX_FEAT_* the caller does not want
 * (e.g. from the command line). Returns 0, or -1 with err (size errlen, may
 * be 0) set to "VMX: missing required features: EPT, unrestricted guest"
 * or a similar line naming every problem. */
int vmx_caps_compute(const struct vmx_cap_msrs *m, unsigned disable,
		     struct vmx_config *cfg, char *err, size_t errlen);

/* One line for the boot log: "on: vpid preempt-timer ... off: ept-1g ...".
 * Returns the length the full line would have (like snprintf). */
size_t vmx_caps_describe(const struct vmx_config *cfg, char *buf, size_t len);

/* Name of one VMX_FEAT_* bit ("vpid"), or "?" */
const char *vmx_feature_name(unsigned feat);

/* May control bit(s) `bits` of word `w` be set (run-time toggles)? */
bool vmx_ctl_allowed(const struct vmx_config *cfg, enum vmx_ctl w, uint32_t bits);

/* CR0/CR4 against IA32_VMX_CR{0,4}_FIXED{0,1} (A.7, A.8): bits set in FIXED0
 * must be 1, bits clear in FIXED1 must be 0. For a guest with "unrestricted
 * guest", CR0.PE and CR0.PG are exempt from FIXED0 (SDM 27.3.1.1). fixup
 * forces a value into shape; valid checks it unchanged. */
uint64_t vmx_cr0_fixup(const struct vmx_config *cfg, uint64_t cr0, bool unrestricted);
uint64_t vmx_cr4_fixup(const struct vmx_config *cfg, uint64_t cr4);
bool vmx_cr0_valid(const struct vmx_config *cfg, uint64_t cr0, bool unrestricted);
bool vmx_cr4_valid(const struct vmx_config *cfg, uint64_t cr4);

#endif
