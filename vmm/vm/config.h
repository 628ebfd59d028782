/* Guest module lines (pure logic, host-tested). Each boot module that is a
 * guest kernel carries a line
 *     vm=<name> vcpus=<N> mem=<size> [weight=<n>] [cap=<percent>]
 *        [slice=<time>] [pv=<features>] [user_hc=<calls>] [pin=<pcpus>]
 *        [vcpucap=<vcpu>:<percent>,...] [-- <guest command line>]
 * a module that is the initrd of guest <name> carries
 *     vm=<name> initrd
 * and a Multiboot module for guest <name> (its file, then the module's
 * string, handed to a Multiboot v1 kernel in the order of the lines) carries
 *     vm=<name> module [-- <string>]
 * <time> is a number of milliseconds, or a number with a "ms" or "us" suffix.
 * <features> is `all` (the default: what a KVM host offers), `none`, or a
 * comma-separated list of unhalt, steal, tlb, yield, ipi, realtime and all
 * (docs/console.md; the KVM paravirtual features of docs/hypercalls.md).
 * <calls>: which of lhv's hypercalls the guest's user space may make, a
 * comma-separated list of groups (agent: the observation calls of
 * docs/hypercalls.md; lhp: lhv's LHP interface), or none (the default) or all.
 * <pcpus>: a list of pCPUs and ranges every vCPU may run on ("0-1,3"), or
 * vCPU:pCPU pairs ("0:2,1:3"; a vCPU named twice may use both pCPUs, one
 * not named any pCPU).
 * Parsing uses core/cmdline.h, so quoting and "--" follow its rules. */
#ifndef VMM_VM_CONFIG_H
#define VMM_VM_CONFIG_H
#include "core/lib.h"

#define VM_NAME_MAX         32          /* buffer: 31 characters + NUL */
#define VM_CMDLINE_MAX      2048        /* buffer, as Linux's COMMAND_LINE_SIZE */
#define VM_MAX_VCPUS        64
#define VM_MEM_MIN          MiB(2)
#define VM_MEM_ALIGN        MiB(2)      /* guest RAM is mapped with 2 MiB pages */
#define VM_WEIGHT_DEFAULT   256
#define VM_WEIGHT_MAX       65535
#define VM_SLICE_MIN_NS     100000ull           /* 100 us */
#define VM_SLICE_MAX_NS     1000000000ull       /* 1 s */
#define VM_PIN_MAX_PCPU     63          /* pin= names pCPUs 0..63 */
#define VM_USER_HC_AGENT    0x1u                /* user_hc=agent */
#define VM_USER_HC_LHP      0x2u                /* user_hc=lhp */
#define VM_USER_HC_ALL      (VM_USER_HC_AGENT | VM_USER_HC_LHP)

/* Paravirtual features a VM is offered (pv=). Each is one KVM feature of
 * CPUID 0x40000001 (vmm/pv/); REALTIME is KVM's hint that vCPUs are never
 * preempted, with which Linux keeps its native queued spinlock. */
#define VM_PV_UNHALT        (1u << 0)   /* KVM_FEATURE_PV_UNHALT, KVM_HC_KICK_CPU */
#define VM_PV_STEAL         (1u << 1)   /* KVM_FEATURE_STEAL_TIME */
#define VM_PV_TLB           (1u << 2)   /* KVM_FEATURE_PV_TLB_FLUSH (needs steal) */
#define VM_PV_YIELD         (1u << 3)   /* KVM_FEATURE_PV_SCHED_YIELD (needs steal) */
#define VM_PV_IPI           (1u << 4)   /* KVM_FEATURE_PV_SEND_IPI */
#define VM_PV_REALTIME      (1u << 5)   /* KVM_HINTS_REALTIME */
#define VM_PV_ALL           (VM_PV_UNHALT | VM_PV_STEAL | VM_PV_TLB | VM_PV_YIELD | VM_PV_IPI)
#define VM_PV_NAMES_MAX     48          /* "unhalt,steal,tlb,yield,ipi,realtime" + NUL */

struct vm_config {
	char name[VM_NAME_MAX];         /* [A-Za-z0-9_-], 1..31 characters */
	bool is_initrd;                 /* "vm=<name> initrd": only name matters */
	bool is_module;                 /* "vm=<name> module": name and cmdline (its string) */
	unsigned vcpus;                 /* 1..VM_MAX_VCPUS */
	uint64_t mem;                   /* bytes, a multiple of VM_MEM_ALIGN */
	unsigned weight;                /* 1..65535, default 256 */
	unsigned cap;                   /* percent of one CPU, 0 = uncapped */
	uint64_t slice_ns;              /* 0 = the scheduler's default */
	unsigned pv;                    /* VM_PV_*, default VM_PV_ALL */
	unsigned user_hc;               /* VM_USER_HC_*: hypercall groups open to CPL 3 */
	/* pin=: pCPUs (bit p = pCPU p, 0..VM_PIN_MAX_PCPU) each vCPU may run
	 * on, 0 = any; vcpucap=: per-vCPU cap in percent of one pCPU, 0 = none. */
	uint64_t pin[VM_MAX_VCPUS];
	uint8_t vcpu_cap[VM_MAX_VCPUS];
	bool no_rdrand;                 /* rdrand=off: CPUID hides RDRAND and RDSEED */
	bool has_cmdline;               /* "--" was given (cmdline may be "") */
	char cmdline[VM_CMDLINE_MAX];   /* the guest's command line, or a module's string */
};

/* Parse one module line. mem_free: bytes the guest may have at most.
 * Returns 0, or -1 with err (size errlen) holding every problem, joined by
 * "; " and prefixed with "vm=<name>: " when the name is known and valid,
 * e.g. "vm=web: unknown option 'vcpu=2'; missing vcpus=<N>". cfg->name is
 * set whenever a valid name was given, even on error. */
int vm_config_parse(const char *line, uint64_t mem_free, struct vm_config *cfg,
		    char *err, size_t errlen);

/* The VM_PV_* set as pv= would spell it ("unhalt,steal,...", "none"). */
void vm_pv_names(unsigned pv, char *buf, size_t len);

#endif
