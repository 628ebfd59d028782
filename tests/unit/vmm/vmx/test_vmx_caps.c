/* Host tests for vmm/vmx/vmx_caps.c: capability sets built from the SDM's
 * semantics (Appendix A), not dumps from a real machine. */
#include "tests/unit/check.h"
#include "vmm/vmx/vmx_caps.h"
#include "vmm/vmx/vmcs.h"
#include <string.h>

#define MSR(a0, a1) (((uint64_t)(uint32_t)(a1) << 32) | (uint32_t)(a0))

/* An Ice Lake-like CPU: TRUE MSRs, every feature lhv knows about. */
static struct vmx_cap_msrs modern(void)
{
	struct vmx_cap_msrs m;
	uint32_t proc1 = 0xfff9fffe;        /* everything but bits 0, 17, 18 */
	uint32_t proc2 = 0x075fffff;        /* bits 0-20, 22, 24-26 */

	memset(&m, 0, sizeof(m));
	m.basic = 4 | (0x400ull << 32) | ((uint64_t)EPT_MT_WB << 50) |
		  VMX_BASIC_INOUT_INFO | VMX_BASIC_TRUE_CTLS;
	m.pinbased = MSR(PIN_DEFAULT1, 0xff);
	m.true_pinbased = MSR(PIN_DEFAULT1, 0xff);
	m.procbased = MSR(PROC_DEFAULT1, proc1);
	m.true_procbased = MSR(PROC_DEFAULT1 & ~(PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING), proc1);
	m.procbased2 = MSR(0, proc2);
	m.exit = MSR(EXIT_DEFAULT1, 0x00ffffff);
	m.true_exit = MSR(EXIT_DEFAULT1 & ~EXIT_SAVE_DEBUG_CTLS, 0x00ffffff);
	m.entry = MSR(ENTRY_DEFAULT1, 0x0003ffff);
	m.true_entry = MSR(ENTRY_DEFAULT1 & ~ENTRY_LOAD_DEBUG_CTLS, 0x0003ffff);
	m.misc = 7 | VMX_MISC_STORE_LMA | VMX_MISC_ACT_HLT | VMX_MISC_ACT_SHUTDOWN |
		 VMX_MISC_ACT_WAIT_SIPI | (4u << 16) | VMX_MISC_VMWRITE_ANY;
	m.ept_vpid_cap = EPT_CAP_EXEC_ONLY | EPT_CAP_WALK4 | EPT_CAP_MT_UC |
		EPT_CAP_MT_WB | EPT_CAP_2M | EPT_CAP_1G | EPT_CAP_INVEPT |
		EPT_CAP_AD | EPT_CAP_ADV_EXIT_INFO | EPT_CAP_INVEPT_SINGLE |
		EPT_CAP_INVEPT_ALL | VPID_CAP_INVVPID | VPID_CAP_INVVPID_ADDR |
		VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL | VPID_CAP_INVVPID_SINGLE_NG;
	m.cr0_fixed0 = 0x80000021;
	m.cr0_fixed1 = 0xffffffff;
	m.cr4_fixed0 = 0x2000;
	m.cr4_fixed1 = 0x3767ff;
	return m;
}

static void test_modern(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;
	char err[200], line[300];

	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), 0);
	CHECK_EQ(err[0], 0);
	CHECK(c.true_ctls);
	CHECK_EQ(c.revision_id, 4);
	CHECK_EQ(c.vmcs_size, 0x400);
	CHECK_EQ(c.ctl[VMX_CTL_PIN], PIN_DEFAULT1 | PIN_EXTINT_EXITING | PIN_NMI_EXITING |
		 PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER);
	/* CR3 exiting cleared thanks to the TRUE MSR; window exits start off. */
	CHECK_EQ(c.ctl[VMX_CTL_PROC] & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING), 0);
	CHECK_EQ(c.ctl[VMX_CTL_PROC] & PROC_INTR_WINDOW_EXITING, 0);
	CHECK_EQ(c.ctl[VMX_CTL_PROC] & PROC_PAUSE_EXITING, 0);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_HLT_EXITING);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_IO_BITMAPS);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_MSR_BITMAPS);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_SECONDARY_CTLS);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_TPR_SHADOW);
	CHECK_EQ(c.ctl[VMX_CTL_PROC2], PROC2_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_VPID |
		 PROC2_PAUSE_LOOP_EXITING | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES |
		 PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY | PROC2_VIRT_X2APIC_MODE);
	CHECK_EQ(c.ctl[VMX_CTL_EXIT], EXIT_DEFAULT1 | EXIT_HOST_ADDR_SPACE_SIZE |
		 EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
		 EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT | EXIT_SAVE_PREEMPT_TIMER);
	CHECK_EQ(c.ctl[VMX_CTL_ENTRY], ENTRY_DEFAULT1 | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT);
	CHECK(vmx_ctl_allowed(&c, VMX_CTL_ENTRY, ENTRY_IA32E_MODE_GUEST));
	CHECK(vmx_ctl_allowed(&c, VMX_CTL_PROC, PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING));
	CHECK(!vmx_ctl_allowed(&c, VMX_CTL_PROC, PROC_TERTIARY_CTLS));
	for (int w = 0; w < VMX_CTL_COUNT; w++)
		CHECK_EQ(c.forced[w], 0);
	CHECK_EQ(c.features, 0xffff);
	CHECK_EQ(c.preempt_shift, 7);
	CHECK_EQ(c.invept_type, INVEPT_SINGLE_CONTEXT);
	CHECK_EQ(c.invvpid_type, INVVPID_SINGLE_CONTEXT);

	size_t n = vmx_caps_describe(&c, line, sizeof(line));
	CHECK_EQ(n, strlen(line));
	CHECK(strncmp(line, "on: vpid preempt-timer(tsc>>7) save-preempt-timer ple", 53) == 0);
	CHECK(strstr(line, " vnmi; off:") != NULL);
	CHECK(line[n - 1] == ':');      /* nothing off */

	/* Truncated description stays terminated and reports its full size. */
	char small[10];
	CHECK_EQ(vmx_caps_describe(&c, small, sizeof(small)), n);
	CHECK_EQ(strlen(small), 9);
}

static void test_disable(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;
	char line[300];

	CHECK_EQ(vmx_caps_compute(&m, VMX_FEAT_VPID | VMX_FEAT_PLE | VMX_FEAT_TPR_SHADOW |
				  VMX_FEAT_INVEPT_SINGLE, &c, NULL, 0), 0);
	CHECK_EQ(c.ctl[VMX_CTL_PROC2] & (PROC2_VPID | PROC2_PAUSE_LOOP_EXITING), 0);
	/* APIC virtualization depends on the TPR shadow. */
	CHECK_EQ(c.ctl[VMX_CTL_PROC2] & (PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR_DELIVERY |
					 PROC2_VIRT_X2APIC_MODE), 0);
	CHECK_EQ(c.ctl[VMX_CTL_PROC] & PROC_TPR_SHADOW, 0);
	CHECK_EQ(c.features & (VMX_FEAT_APIC_REG_VIRT | VMX_FEAT_VID | VMX_FEAT_X2APIC_VIRT), 0);
	CHECK_EQ(c.invept_type, INVEPT_ALL_CONTEXT);
	vmx_caps_describe(&c, line, sizeof(line));
	CHECK(strstr(line, "off: vpid ple tpr-shadow apic-reg-virt virt-intr-delivery x2apic-virt invept-single") != NULL);
}

static void test_no_unrestricted(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;
	char err[200];

	m.procbased2 &= ~((uint64_t)PROC2_UNRESTRICTED_GUEST << 32);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), -1);
	CHECK(strcmp(err, "VMX: missing required features: unrestricted guest") == 0);

	/* A minimal old CPU: no secondary controls at all, no EFER/PAT. */
	m = modern();
	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	m.procbased &= ~((uint64_t)PROC_SECONDARY_CTLS << 32);
	m.exit &= ~((uint64_t)(EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER) << 32);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), -1);
	CHECK(strcmp(err, "VMX: missing required features: secondary controls, EPT, "
		     "unrestricted guest, save IA32_EFER on exit, load IA32_EFER on exit") == 0);

	/* Short buffer: truncated, terminated. */
	char tiny[12];
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, tiny, sizeof(tiny)), -1);
	CHECK(strcmp(tiny, "VMX: missin") == 0);
}

static void test_ept_caps_missing(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;
	char err[200];

	m.ept_vpid_cap &= ~(EPT_CAP_WALK4 | EPT_CAP_MT_WB | EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), -1);
	CHECK(strcmp(err, "VMX: missing required features: EPT 4-level walk, "
		     "EPT write-back memory type, INVEPT") == 0);

	m = modern();
	m.basic &= ~(0xfull << 50);     /* VMCS memory type UC */
	m.basic |= VMX_BASIC_32BIT_ADDR;
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "64-bit VMXON/VMCS addresses, write-back VMCS memory type") != NULL);

	/* allowed-0 says "must be 1" where allowed-1 says "must be 0". */
	m = modern();
	m.true_exit |= 1u << 31;
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "consistent capability MSR for VM-exit controls") != NULL);
}

static void test_no_true_msrs(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;

	m.basic &= ~VMX_BASIC_TRUE_CTLS;
	/* Garbage in the TRUE MSRs must be ignored. */
	m.true_pinbased = m.true_procbased = m.true_exit = m.true_entry = ~0ull;
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK(!c.true_ctls);
	/* Without TRUE MSRs the default1 CR3 exits cannot be cleared. */
	CHECK_EQ(c.ctl[VMX_CTL_PROC] & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING),
		 PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING);
	CHECK_EQ(c.forced[VMX_CTL_PROC], PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING);
	CHECK_EQ(c.forced[VMX_CTL_PIN], 0);
	CHECK_EQ(c.ctl[VMX_CTL_ENTRY] & ENTRY_LOAD_DEBUG_CTLS, ENTRY_LOAD_DEBUG_CTLS);
}

static void test_allowed0_forces(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;

	m.true_procbased |= PROC_RDTSC_EXITING | PROC_INVLPG_EXITING;
	m.true_pinbased |= PIN_POSTED_INTERRUPTS;
	m.procbased2 |= PROC2_WBINVD_EXITING;
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK_EQ(c.forced[VMX_CTL_PROC], PROC_RDTSC_EXITING | PROC_INVLPG_EXITING);
	CHECK_EQ(c.forced[VMX_CTL_PIN], PIN_POSTED_INTERRUPTS);
	CHECK_EQ(c.forced[VMX_CTL_PROC2], PROC2_WBINVD_EXITING);
	CHECK(c.ctl[VMX_CTL_PROC] & PROC_RDTSC_EXITING);
	CHECK(c.ctl[VMX_CTL_PIN] & PIN_POSTED_INTERRUPTS);
	CHECK(c.ctl[VMX_CTL_PROC2] & PROC2_WBINVD_EXITING);
}

static void test_no_preemption_timer(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;
	char line[300];

	m.true_pinbased &= ~((uint64_t)PIN_PREEMPTION_TIMER << 32);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK_EQ(c.ctl[VMX_CTL_PIN] & PIN_PREEMPTION_TIMER, 0);
	/* Saving the timer is allowed by the exit MSR but pointless. */
	CHECK_EQ(c.ctl[VMX_CTL_EXIT] & EXIT_SAVE_PREEMPT_TIMER, 0);
	CHECK_EQ(c.features & (VMX_FEAT_PREEMPT_TIMER | VMX_FEAT_SAVE_PREEMPT), 0);
	CHECK_EQ(c.preempt_shift, 0);
	vmx_caps_describe(&c, line, sizeof(line));
	CHECK(strstr(line, "; off: preempt-timer save-preempt-timer") != NULL);
	CHECK(strstr(line, "on: vpid ple") != NULL);
}

static void test_vpid_without_invvpid(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;

	m.ept_vpid_cap &= ~(VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK_EQ(c.features & VMX_FEAT_VPID, 0);
	CHECK_EQ(c.ctl[VMX_CTL_PROC2] & PROC2_VPID, 0);

	m = modern();
	m.ept_vpid_cap &= ~(VPID_CAP_INVVPID_SINGLE | EPT_CAP_1G | EPT_CAP_AD);
	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK_EQ(c.invvpid_type, INVVPID_ALL_CONTEXT);
	CHECK_EQ(c.features & (VMX_FEAT_EPT_1G | VMX_FEAT_EPT_AD), 0);
	CHECK(c.features & VMX_FEAT_EPT_2M);
	CHECK(strcmp(vmx_feature_name(VMX_FEAT_EPT_1G), "ept-1g") == 0);
	CHECK(strcmp(vmx_feature_name(3), "?") == 0);
}

static void test_cr_fixed(void)
{
	struct vmx_cap_msrs m = modern();
	struct vmx_config c;

	CHECK_EQ(vmx_caps_compute(&m, 0, &c, NULL, 0), 0);
	CHECK_EQ(vmx_cr0_fixup(&c, 0, true), 0x20);             /* NE only */
	CHECK_EQ(vmx_cr0_fixup(&c, 0, false), 0x80000021);
	CHECK_EQ(vmx_cr0_fixup(&c, 0x60000010, true), 0x60000030);
	CHECK_EQ(vmx_cr0_fixup(&c, 1ull << 32, true), 0x20);    /* above FIXED1 */
	CHECK(vmx_cr0_valid(&c, 0x20, true));
	CHECK(!vmx_cr0_valid(&c, 0x20, false));
	CHECK(!vmx_cr0_valid(&c, 0x0, true));                  /* NE missing */
	CHECK(!vmx_cr0_valid(&c, 0x80000020, true));           /* PG without PE */
	CHECK(vmx_cr0_valid(&c, 0x80000031, false));
	CHECK_EQ(vmx_cr4_fixup(&c, 0x20), 0x2020);
	CHECK(vmx_cr4_valid(&c, 0x2020));
	CHECK(!vmx_cr4_valid(&c, 0x20));
	CHECK(!vmx_cr4_valid(&c, 0x2000 | (1ull << 23)));     /* not in FIXED1 */
}

int main(void)
{
	test_modern();
	test_disable();
	test_no_unrestricted();
	test_ept_caps_missing();
	test_no_true_msrs();
	test_allowed0_forces();
	test_no_preemption_timer();
	test_vpid_without_invvpid();
	test_cr_fixed();
	return check_done("test_vmx_caps");
}
