/* Hypercalls (VMCALL, or VMMCALL: either instruction on either vendor)
 * with KVM's convention: number in RAX, arguments in RBX, RCX, RDX, RSI,
 * result in RAX, nothing else changed. Outside 64-bit mode the number, the
 * arguments and the result are truncated to 32 bits. Calls from CPL > 0
 * return -KVM_EPERM, unknown numbers and calls of a feature the VM was not
 * offered (pv=) return -KVM_ENOSYS. KVM's numbers for KVM's calls, lhv's
 * own from 0x4C480000 ("LH"). Documented in docs/hypercalls.md. */
#ifndef VMM_PV_HYPERCALL_H
#define VMM_PV_HYPERCALL_H
#include "vmm/vm/vm.h"
#include "vmm/pv/pv_abi.h"
#include "vmm/pv/lhv_abi.h"

#define HC_LHV_ECHO      0x4C480001u   /* returns arg0 + 1: a liveness probe */

/* What the caller's pCPU does after the call. */
enum hc_result {
	HC_RESUME,      /* re-enter the guest */
	HC_YIELD,       /* offer the pCPU (a directed yield's target is waiting) */
	HC_BLOCK,       /* halt as for a HLT (LHV_BALLOON: until its time or an interrupt) */
};

/* One call as a handler sees it: arguments already truncated. */
struct hc_call {
	uint64_t a[4];
	int long_mode;          /* 64-bit code (KVM's op_64_bit); -1: not asked yet */
	enum hc_result result;  /* a handler may ask for HC_YIELD */
};

/* Is the caller in 64-bit mode? (Asked of the backend only when needed:
 * the echo call, the exit-cost probe, never needs it.) */
bool hc_long_mode(struct vcpu *v, struct hc_call *c);

/* Carry out the hypercall in v's registers (on v's pCPU, the instruction
 * already known to be VMCALL/VMMCALL; the caller skips it). */
enum hc_result hypercall(struct vcpu *v);

/* hc_kvm.c: KVM's calls (handlers of the table in hypercall.c). */
uint64_t hc_kick_cpu(struct vcpu *v, struct hc_call *c);
uint64_t hc_sched_yield(struct vcpu *v, struct hc_call *c);
uint64_t hc_send_ipi(struct vcpu *v, struct hc_call *c);

/* lhv_hint.c: lhv's LHP interface (0x4C480010-0x4C48001F, lhv_abi.h;
 * user space may make them when the VM's module line says user_hc=lhp). */
uint64_t hc_lhv_hint_register(struct vcpu *v, struct hc_call *c);
uint64_t hc_lhv_yield(struct vcpu *v, struct hc_call *c);
uint64_t hc_lhv_spin(struct vcpu *v, struct hc_call *c);
uint64_t hc_lhv_balloon(struct vcpu *v, struct hc_call *c);
uint64_t hc_lhv_speed(struct vcpu *v, struct hc_call *c);

/* Observation calls of the guest agent (0x4C4801xx, docs/hypercalls.md),
 * carried out by vmm/obs/ (above this layer), which installs
 * hypercall_obs at start. User space may make them when the VM's module
 * line says user_hc=agent. */
#define HC_LHV_AGENT_REGISTER 0x4C480100u
#define HC_LHV_AGENT_SYMS     0x4C480101u
#define HC_LHV_AGENT_MARK     0x4C480102u
#define HC_LHV_AGENT_SYNC     0x4C480103u
#define HC_LHV_OBS_FIRST      0x4C480100u
#define HC_LHV_OBS_LAST       0x4C4801FFu
extern uint64_t (*hypercall_obs)(struct vcpu *v, uint32_t nr);

/* May v make hypercall nr from CPL > 0? Only what its module line allows
 * (user_hc=), never KVM's calls. */
bool hypercall_user_ok(struct vcpu *v, uint64_t nr);


#endif
