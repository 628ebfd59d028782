/* Generic emulation services that a backend's exit handlers call. Each
 * returns what the backend needs to finish the instruction; none touches
 * backend state except through struct vcpu and vcpu_get_gpr/vcpu_set_gpr. */
#ifndef VMM_VMM_EXITS_H
#define VMM_VMM_EXITS_H
#include "vmm/vm.h"

/* The guest's execution mode, for instruction fetch and decode. */
struct guest_mode {
	uint64_t rip, cs_base;
	bool cs_l, cs_db;        /* 64-bit code / 32-bit default operand size */
	uint64_t cr0, cr3, cr4, efer;
	unsigned cpl;
};

/* Port I/O of size 1, 2 or 4. in: *val receives the value. Unclaimed ports
 * read as all ones and ignore writes, like an empty ISA bus. */
void vmm_pio(struct vcpu *v, uint16_t port, unsigned size, bool in, uint32_t *val);

/* An access to guest-physical gpa that is not RAM, by the instruction at the
 * guest's RIP. Fetches and decodes it, emulates the device access and the
 * register update. Returns the instruction length (> 0) to skip, or 0 when
 * the VM was stopped (not a device, or an undecodable instruction). */
unsigned vmm_mmio(struct vcpu *v, const struct guest_mode *m, uint64_t gpa);

/* CPUID as the guest sees it. */
void vmm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* MSRs the generic layer emulates; false = #GP. */
bool vmm_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
bool vmm_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);

/* VMCALL with the KVM register convention (nr in RAX, args in RBX, RCX,
 * RDX, RSI; result in RAX). */
void vmm_hypercall(struct vcpu *v);

/* Interrupt delivery (virtual LAPIC). */
bool vmm_intr_pending(struct vcpu *v);       /* deliverable now (above PPR)? */
int vmm_intr_ack(struct vcpu *v);            /* take it: IRR -> ISR; vector or -1 */
uint64_t vmm_get_tpr(struct vcpu *v);        /* CR8 view */
void vmm_set_tpr(struct vcpu *v, uint64_t cr8);

/* Scheduling from inside the run loop. */
bool vmm_need_resched(void);
uint64_t vmm_slice_left_tsc(void);
/* The vCPU executed PAUSE in a loop (PAUSE-loop exiting): a spin hint. */
void vmm_spin_hint(struct vcpu *v);

#endif
