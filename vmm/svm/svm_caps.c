/* AMD-V feature selection; see svm_caps.h. */
#include "vmm/svm/svm_caps.h"
#include "vmm/svm/vmcb.h"
#include "core/fmt.h"

/* Each named feature: its CPUID 0x8000000A EDX bit and, when lhv uses it,
 * its SVM_FEAT_* bit (0: reported as off even when present). */
static const struct {
	uint32_t cpuid;
	unsigned feat;
	const char *name;
} feats[] = {
	{ SVM_CPUID_NP, SVM_FEAT_NPT, "npt" },
	{ SVM_CPUID_NRIPS, SVM_FEAT_NRIPS, "nrip-save" },
	{ SVM_CPUID_FLUSH_ASID, SVM_FEAT_FLUSH_ASID, "flush-by-asid" },
	{ SVM_CPUID_DECODE, SVM_FEAT_DECODE, "decode-assists" },
	{ SVM_CPUID_PAUSE_FILTER, SVM_FEAT_PAUSE_FILTER, "pause-filter" },
	{ SVM_CPUID_PAUSE_THRESH, SVM_FEAT_PAUSE_THRESH, "pause-filter-threshold" },
	{ SVM_CPUID_VMCB_CLEAN, 0, "vmcb-clean" },
	{ SVM_CPUID_VGIF, 0, "vgif" },
	{ SVM_CPUID_VNMI, 0, "vnmi" },
	{ SVM_CPUID_AVIC, 0, "avic" },
	{ SVM_CPUID_LBRV, 0, "lbr-virt" },
};

bool svm_caps_has_svm(const struct svm_cpuid *id)
{
	return id->max_ext >= 0x80000001u && (id->ext1_ecx & SVM_CPUID_SVM);
}

int svm_caps_compute(const struct svm_cpuid *id, uint64_t vm_cr, struct svm_config *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!svm_caps_has_svm(id))
		return fmt_error(err, errlen, "this CPU has no SVM (AMD-V)");
	/* APM 15.30.1: with SVMDIS set VMRUN and EFER.SVME fail; with LOCK
	 * too only the firmware can change it. */
	if (vm_cr & VM_CR_SVMDIS)
		return fmt_error(err, errlen, "SVM is disabled in VM_CR (%#llx%s): enable SVM (AMD-V) "
				 "in the firmware setup", (unsigned long long)vm_cr,
				 (vm_cr & VM_CR_LOCK) ? ", locked by the firmware" : "");
	if (id->max_ext < 0x8000000Au)
		return fmt_error(err, errlen, "SVM: no feature leaf (CPUID 0x8000000A)");
	if (!(id->edx & SVM_CPUID_NP))
		return fmt_error(err, errlen, "SVM: missing required features: nested paging");
	/* ASID 0 is the host's (APM 15.16). */
	if (id->ebx < 2)
		return fmt_error(err, errlen, "SVM: no ASID for guests (CPUID 0x8000000A EBX=%u)", id->ebx);
	for (unsigned i = 0; i < ARRAY_SIZE(feats); i++)
		if (id->edx & feats[i].cpuid)
			out->features |= feats[i].feat;
	/* The threshold only refines the filter. */
	if (!(out->features & SVM_FEAT_PAUSE_FILTER))
		out->features &= ~(unsigned)SVM_FEAT_PAUSE_THRESH;
	out->nasid = id->ebx;
	out->rdtscp = id->ext1_edx & (1u << 27);
	out->page_1g = id->ext1_edx & (1u << 26);
	out->revision = id->eax & 0xff;
	return 0;
}

static size_t add(char *buf, size_t len, size_t pos, const char *s)
{
	int n = fmt_snprintf(pos < len ? buf + pos : NULL, pos < len ? len - pos : 0, "%s", s);
	return pos + (size_t)(n > 0 ? n : 0);
}

size_t svm_caps_describe(const struct svm_config *c, char *buf, size_t len)
{
	char asids[24];
	size_t pos = 0;
	if (len)
		buf[0] = '\0';
	pos = add(buf, len, pos, "on:");
	for (unsigned i = 0; i < ARRAY_SIZE(feats); i++) {
		if (feats[i].feat && (c->features & feats[i].feat)) {
			pos = add(buf, len, pos, " ");
			pos = add(buf, len, pos, feats[i].name);
		}
	}
	fmt_snprintf(asids, sizeof(asids), " asids=%u", c->nasid);
	pos = add(buf, len, pos, asids);
	pos = add(buf, len, pos, "; off:");
	for (unsigned i = 0; i < ARRAY_SIZE(feats); i++) {
		if (!feats[i].feat || !(c->features & feats[i].feat)) {
			pos = add(buf, len, pos, " ");
			pos = add(buf, len, pos, feats[i].name);
		}
	}
	return pos;
}
