/* Observation of the guests: lock-holder preemption accounting (rules in
 * lhp_acct.h), the event trace (trace.h) and the guest agent's hypercalls
 * (agent.c, docs/hypercalls.md). vmm/obs/ sits above vmm/emul/ (it reads
 * guest memory through the page walk) and below vmm/run/, whose loops call
 * the hooks below; nothing here changes what a guest or the scheduler does.
 *
 * Hooks (all on the pCPU concerned, interrupts off):
 *   run_start         -> obs_start
 *   vcpu_run, before the vCPU is put      -> obs_vcpu_leave
 *   the run loop, after sched_schedule    -> obs_sched_point
 *   the run loop, before it idles         -> obs_idle
 *   the power-off summary                 -> obs_summary
 * and, for the paravirtual code (vmm/pv/) and the policies' environment:
 *   obs_pv_halt, obs_pv_kick, obs_policy_event. */
#ifndef VMM_OBS_OBS_H
#define VMM_OBS_OBS_H
#include "vmm/vm/vm.h"
#include "vmm/obs/trace_fmt.h"

/* Before the run loops start (BSP), with the scheduler's pCPU count: the
 * per-VM state, the trace's rings and header, the agent's hypercalls. */
void obs_start(unsigned npcpus);

/* v leaves its pCPU with run result r (enum vcpu_run_result), its state
 * still loaded: sample CPL, IF, RIP and the guest's preemption count, and
 * follow its spin episodes and halts. */
void obs_vcpu_leave(struct vcpu *v, int r);

/* The scheduler of pCPU `pcpu` decided: prev (the vCPU that ran, or NULL)
 * is followed by next (NULL: idle). Counts prev's preemption (the
 * scheduler's own preemption counter says whether it was one), resolves
 * next's pending lock-holder preemption, writes the trace. */
void obs_sched_point(unsigned pcpu, struct vcpu *prev, struct vcpu *next);

/* The pCPU is about to idle: write out its trace. */
void obs_idle(void);

/* For vmm/pv/ (KVM PV unhalt): v's HLT, being handled now, is the wait of a
 * paravirtual spinlock; it lasts until v runs again after its kick. Call
 * before the HLT exit returns RUN_HALT. */
void obs_pv_halt(struct vcpu *v);
/* For vmm/pv/: vCPU `from` kicks vCPU `to` (KVM_HC_KICK_CPU). */
void obs_pv_kick(struct vcpu *from, struct vcpu *to);
/* For the scheduler (pdelay.evidence=preempt): g->pc_known and g->pc_off
 * from the sample obs_vcpu_leave just took, i.e. whether the guest kernel's
 * own preemption count was read and says "critical section" by the LHP
 * measurement's rule (lhp_acct.h). Unknown without the guest agent's
 * registration, in user mode and after a PAUSE-loop exit. */
struct sched_guest;
void obs_guest_lock_state(struct vcpu *v, struct sched_guest *g);

/* For the scheduler's environment: a policy event (TR_POL_*) about v. */
void obs_policy_event(struct vcpu *v, enum trace_policy kind, uint32_t value);

/* At power-off, after the scheduler's summary: the "summary: lhp ..."
 * lines (docs/console.md) and the rest of the trace. */
void obs_summary(void);

/* agent.c: the guest agent's calls (0x4C4801xx), from vmm/pv/'s hook. */
uint64_t obs_agent_hypercall(struct vcpu *v, uint32_t nr);

/* For agent.c (obs.c keeps the per-VM state). */
struct obs_percpu_syms {
	uint32_t preempt_count;        /* per-CPU offsets from the guest's kallsyms */
	uint32_t current_task;         /* 0 = unknown */
	uint32_t idle_threads;         /* 0 = unknown */
};
void obs_vm_register(struct vm *vm, const struct obs_percpu_syms *s);
/* Begin / end a measurement phase named label (1-24 of [A-Za-z0-9._-]);
 * *ns is the instant of the counters' snapshot. 0, or -1 if a phase is
 * already open (begin), none or another one is open (end), or the VM has
 * no room for another. */
int obs_phase_begin(struct vm *vm, const char *label, uint64_t *ns);
int obs_phase_end(struct vm *vm, const char *label, uint64_t *ns);
/* Trace a mark record (begin 1 / end 2) at ns with the label's first 16
 * bytes. */
void obs_trace_mark(struct vcpu *v, unsigned kind, const char *label, uint64_t ns);

#define OBS_MAX_PHASES 24
#define OBS_LABEL_MAX  24

#endif
