/* Which AMD-V features lhv uses on this CPU (pure logic, host-tested):
 * from CPUID 0x80000001/0x8000000A and VM_CR, computed once on the boot
 * processor. Required: SVM enabled in VM_CR, nested paging, an ASID for
 * guests. Used when present: NRIP save, flush by ASID, decode assists, the
 * pause filter and its threshold. Reported, never used: VMCB clean bits,
 * vGIF, vNMI, AVIC, LBR virtualization (docs/svm.md says why). */
#ifndef VMM_SVM_SVM_CAPS_H
#define VMM_SVM_SVM_CAPS_H
#include "core/lib.h"

/* What the CPU reports. */
struct svm_cpuid {
	uint32_t max_ext;               /* CPUID 0x80000000 EAX */
	uint32_t ext1_ecx;              /* CPUID 0x80000001 ECX */
	uint32_t eax, ebx, edx;         /* CPUID 0x8000000A: revision, ASIDs, features */
	uint32_t ext1_edx;              /* CPUID 0x80000001 EDX */
};

/* Features in use (svm_config.features); the first ones of the list in
 * svm_caps.c. */
enum {
	SVM_FEAT_NPT = 1u << 0,
	SVM_FEAT_NRIPS = 1u << 1,
	SVM_FEAT_FLUSH_ASID = 1u << 2,
	SVM_FEAT_DECODE = 1u << 3,
	SVM_FEAT_PAUSE_FILTER = 1u << 4,
	SVM_FEAT_PAUSE_THRESH = 1u << 5,
};

struct svm_config {
	unsigned features;              /* SVM_FEAT_* */
	uint32_t nasid;                 /* ASIDs, 0 (the host's) included */
	uint32_t revision;              /* SVM revision (CPUID 0x8000000A EAX[7:0]) */
	bool rdtscp;                    /* the guest may use RDTSCP: TSC_AUX is switched */
	bool page_1g;                   /* 1 GiB pages in the nested page tables */
	bool virq_inject;               /* external interrupts through V_IRQ (QEMU's TCG) */
};

/* Does the CPU have SVM at all (CPUID 0x80000001 ECX[2])? */
bool svm_caps_has_svm(const struct svm_cpuid *id);
/* Fill *out. 0, or -1 with err naming what is missing or disabled. */
int svm_caps_compute(const struct svm_cpuid *id, uint64_t vm_cr, struct svm_config *out,
		     char *err, size_t errlen);
/* "on: ... asids=N; off: ..." for the boot line. Returns the length the
 * whole text has (it is cut at len - 1). */
size_t svm_caps_describe(const struct svm_config *c, char *buf, size_t len);

#endif
