/* Host tests for vmm/svm/svm_caps.c: which AMD-V features lhv takes from
 * the CPUID values of the CPUs it meets (QEMU TCG -cpu max and Bochs'
 * ryzen model as measured, a full EPYC-like set) and the errors that name
 * what is missing. */
#include "tests/unit/check.h"
#include "vmm/svm/svm_caps.h"
#include "vmm/svm/vmcb.h"
#include <string.h>

/* QEMU 7.2 TCG -cpu max: NPT, VGIF, 16 ASIDs; nothing else. */
static const struct svm_cpuid qemu = { 0x8000001f, SVM_CPUID_SVM, 1, 16,
				       SVM_CPUID_NP | SVM_CPUID_VGIF, 0 };
/* Bochs 2.7 ryzen: NPT, NRIP save, flush by ASID, pause filter. */
static const struct svm_cpuid ryzen = { 0x8000001f, SVM_CPUID_SVM, 1, 32768,
					SVM_CPUID_NP | SVM_CPUID_NRIPS | SVM_CPUID_FLUSH_ASID |
					SVM_CPUID_PAUSE_FILTER, 0 };

static void test_qemu(void)
{
	struct svm_config c;
	char err[160] = "", line[256];
	CHECK_EQ(svm_caps_compute(&qemu, 0, &c, err, sizeof(err)), 0);
	CHECK_EQ(c.features, SVM_FEAT_NPT);
	CHECK_EQ(c.nasid, 16);
	CHECK_EQ(c.revision, 1);
	CHECK(!c.rdtscp && !c.page_1g);
	svm_caps_describe(&c, line, sizeof(line));
	CHECK(strcmp(line, "on: npt asids=16; off: nrip-save flush-by-asid decode-assists pause-filter "
			   "pause-filter-threshold vmcb-clean vgif vnmi avic lbr-virt") == 0);
	if (strstr(line, "on: npt asids=16;") != line)
		fprintf(stderr, "  got \"%s\"\n", line);
}

static void test_ryzen(void)
{
	struct svm_config c;
	char err[160] = "", line[256];
	CHECK_EQ(svm_caps_compute(&ryzen, 0, &c, err, sizeof(err)), 0);
	CHECK_EQ(c.features, SVM_FEAT_NPT | SVM_FEAT_NRIPS | SVM_FEAT_FLUSH_ASID | SVM_FEAT_PAUSE_FILTER);
	CHECK_EQ(c.nasid, 32768);
	svm_caps_describe(&c, line, sizeof(line));
	CHECK(strncmp(line, "on: npt nrip-save flush-by-asid pause-filter asids=32768; off: "
			    "decode-assists pause-filter-threshold vmcb-clean", 104) == 0);
}

static void test_full(void)
{
	/* Everything: the unused ones stay off. */
	struct svm_cpuid id = { 0x80000024, SVM_CPUID_SVM, 1, 32768, 0xffffffff, (1u << 27) | (1u << 26) };
	struct svm_config c;
	char err[160], line[256];
	CHECK_EQ(svm_caps_compute(&id, VM_CR_LOCK, &c, err, sizeof(err)), 0);
	CHECK_EQ(c.features, SVM_FEAT_NPT | SVM_FEAT_NRIPS | SVM_FEAT_FLUSH_ASID | SVM_FEAT_DECODE |
		 SVM_FEAT_PAUSE_FILTER | SVM_FEAT_PAUSE_THRESH);
	CHECK(c.rdtscp && c.page_1g);
	size_t n = svm_caps_describe(&c, line, sizeof(line));
	CHECK_EQ(n, strlen(line));
	CHECK(strstr(line, "; off: vmcb-clean vgif vnmi avic lbr-virt") != NULL);
	/* The threshold without the filter means nothing. */
	id.edx = SVM_CPUID_NP | SVM_CPUID_PAUSE_THRESH;
	CHECK_EQ(svm_caps_compute(&id, 0, &c, err, sizeof(err)), 0);
	CHECK_EQ(c.features, SVM_FEAT_NPT);
	/* A short buffer: cut, terminated, the full length returned. */
	char small[10];
	CHECK_EQ(svm_caps_describe(&c, small, sizeof(small)), svm_caps_describe(&c, line, sizeof(line)));
	CHECK(strlen(small) == 9 && strncmp(small, line, 9) == 0);
}

static void expect_err(const struct svm_cpuid *id, uint64_t vm_cr, const char *want)
{
	struct svm_config c;
	char err[200] = "";
	CHECK_EQ(svm_caps_compute(id, vm_cr, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, want) != NULL);
	if (!strstr(err, want))
		fprintf(stderr, "  want \"%s\", got \"%s\"\n", want, err);
}

static void test_errors(void)
{
	struct svm_cpuid id = ryzen;
	CHECK(svm_caps_has_svm(&id));
	expect_err(&id, VM_CR_SVMDIS | VM_CR_LOCK, "SVM is disabled in VM_CR (0x18, locked by the firmware)");
	expect_err(&id, VM_CR_SVMDIS, "SVM is disabled in VM_CR (0x10)");
	id.edx &= ~SVM_CPUID_NP;
	expect_err(&id, 0, "SVM: missing required features: nested paging");
	id = ryzen;
	id.ebx = 1;
	expect_err(&id, 0, "no ASID for guests");
	id = ryzen;
	id.max_ext = 0x80000008;
	expect_err(&id, 0, "no feature leaf (CPUID 0x8000000A)");
	id = ryzen;
	id.ext1_ecx = 0;
	CHECK(!svm_caps_has_svm(&id));
	expect_err(&id, 0, "this CPU has no SVM (AMD-V)");
	id = ryzen;
	id.max_ext = 0x80000000;       /* no leaf 0x80000001: an old or odd CPU */
	CHECK(!svm_caps_has_svm(&id));
}

int main(void)
{
	test_qemu();
	test_ryzen();
	test_full();
	test_errors();
	return check_done("test_svm_caps");
}
