/* Host tests for vmm/vmx/vmx_caps.c with the VMX capability MSRs of real
 * CPUs and of KVM's nested VMX: lhv cannot boot on them here, so the
 * control words it would choose are checked from their published values.
 *
 * Sources (values copied as printed, MSR by MSR):
 * - Coffee Lake (Core i7-9750H, CPUID.1:EAX 0x906ea): the "HM: MSR_IA32_VMX_*"
 *   lines of a VirtualBox 6.1.16 release log (VBox.log) of an MSI GS65
 *   Stealth 9SE, posted 2021-01-14 in the public forum thread "Vbox 6.1
 *   Black Screen on Startup Ubuntu 20.04" (Virtualisation forum).
 * - Ivy Bridge (CPUID.1:EAX 0x306a9, 4 cores / 8 threads): the same lines of
 *   a VirtualBox 7.2.12 release log (Linux host) quoted in a public help
 *   thread.
 * - KVM's nested VMX, as an L1 guest on that Coffee Lake sees it: derived
 *   from the Coffee Lake values by the rules of Linux's
 *   arch/x86/kvm/vmx/nested.c, nested_vmx_setup_{pinbased,exit,entry,
 *   cpubased,secondary}_ctls, _misc_data, _basic and _cr_fixed (gregkh/linux
 *   at 0e729a53689257803ec0c3d633b26f6a5e57d22b): KVM's VMCS12 revision and
 *   4 KiB size, only the listed controls of the host, no PAUSE-loop exiting,
 *   the emulated preemption timer at rate 5, EPT caps of its own plus the
 *   host's 4-level walk, VPID with every INVVPID type, no shutdown activity
 *   state. */
#include "tests/unit/check.h"
#include "vmm/vmx/vmx_caps.h"
#include "vmm/vmx/vmcs.h"
#include <string.h>

static const struct vmx_cap_msrs coffee_lake = {
	.basic = 0xda040000000004ull,
	.pinbased = 0x7f00000016ull, .procbased = 0xfff9fffe0401e172ull,
	.exit = 0x1ffffff00036dffull, .entry = 0x3ffff000011ffull,
	.misc = 0x7004c1e7ull,
	.cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull, .cr4_fixed1 = 0x3727ffull,
	.procbased2 = 0x5fbcff00000000ull, .ept_vpid_cap = 0xf0106734141ull,
	.true_pinbased = 0x7f00000016ull, .true_procbased = 0xfff9fffe04006172ull,
	.true_exit = 0x1ffffff00036dfbull, .true_entry = 0x3ffff000011fbull,
};

static const struct vmx_cap_msrs ivy_bridge = {
	.basic = 0xda040000000010ull,
	.pinbased = 0x7f00000016ull, .procbased = 0xfff9fffe0401e172ull,
	.exit = 0x7fffff00036dffull, .entry = 0xffff000011ffull,
	.misc = 0x100401e5ull,
	.cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull, .cr4_fixed1 = 0x1767ffull,
	.procbased2 = 0x8ff00000000ull, .ept_vpid_cap = 0xf0106114141ull,
	.true_pinbased = 0x7f00000016ull, .true_procbased = 0xfff9fffe04006172ull,
	.true_exit = 0x7fffff00036dfbull, .true_entry = 0xffff000011fbull,
};

static const struct vmx_cap_msrs kvm_nested_on_coffee_lake = {
	.basic = 0xd8100011e57ed0ull,
	.pinbased = 0x7f00000016ull, .procbased = 0xfff9fffe0401e172ull,
	.exit = 0xffffff00036dffull, .entry = 0x1f3ff000011ffull,
	.misc = 0x20000165ull,
	.cr0_fixed0 = 0x80000021ull, .cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull, .cr4_fixed1 = 0x3727ffull,
	.procbased2 = 0x1378ff00000000ull, .ept_vpid_cap = 0xf0106334041ull,
	.true_pinbased = 0x7f00000016ull, .true_procbased = 0xfff9fffe04006172ull,
	.true_exit = 0xffffff00036dfbull, .true_entry = 0x1f3ff000011fbull,
};

/* What lhv needs in every VMCS, whatever the CPU. */
static void check_required(const struct vmx_config *c)
{
	CHECK_EQ(c->ctl[VMX_CTL_PIN] & (PIN_EXTINT_EXITING | PIN_NMI_EXITING),
		 PIN_EXTINT_EXITING | PIN_NMI_EXITING);
	uint32_t proc = PROC_HLT_EXITING | PROC_MWAIT_EXITING | PROC_MONITOR_EXITING |
			PROC_RDPMC_EXITING | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY_CTLS;
	CHECK_EQ(c->ctl[VMX_CTL_PROC] & proc, proc);
	/* EPT and unrestricted guest make CR3 exits useless: cleared (TRUE MSRs). */
	CHECK_EQ(c->ctl[VMX_CTL_PROC] & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING), 0);
	/* Window exits and TPR shadow start clear. */
	CHECK_EQ(c->ctl[VMX_CTL_PROC] & (PROC_INTR_WINDOW_EXITING | PROC_NMI_WINDOW_EXITING |
					 PROC_TPR_SHADOW), 0);
	CHECK_EQ(c->ctl[VMX_CTL_PROC2] & (PROC2_EPT | PROC2_UNRESTRICTED_GUEST),
		 PROC2_EPT | PROC2_UNRESTRICTED_GUEST);
	/* Never used even when present. */
	CHECK_EQ(c->ctl[VMX_CTL_PROC2] & (PROC2_XSAVES | PROC2_APIC_REG_VIRT |
					  PROC2_VIRT_INTR_DELIVERY | PROC2_VIRT_X2APIC_MODE), 0);
	uint32_t exit = EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_IA32_EFER |
			EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT;
	CHECK_EQ(c->ctl[VMX_CTL_EXIT] & exit, exit);
	CHECK_EQ(c->ctl[VMX_CTL_ENTRY] & (ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT),
		 ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT);
	CHECK_EQ(c->ctl[VMX_CTL_ENTRY] & ENTRY_IA32E_MODE_GUEST, 0);
	CHECK(vmx_ctl_allowed(c, VMX_CTL_ENTRY, ENTRY_IA32E_MODE_GUEST));
	CHECK(vmx_ctl_allowed(c, VMX_CTL_PROC, PROC_INTR_WINDOW_EXITING));
	/* Every control is within what the CPU allows, and has what it forces. */
	for (int w = 0; w < VMX_CTL_COUNT; w++) {
		CHECK_EQ(c->ctl[w] & ~c->allowed1[w], 0);
		CHECK_EQ(c->allowed0[w] & ~c->ctl[w], 0);
	}
}

static void test_coffee_lake(void)
{
	struct vmx_config c;
	char err[200];
	CHECK_EQ(vmx_caps_compute(&coffee_lake, VMX_FEATURES_UNUSED, &c, err, sizeof(err)), 0);
	check_required(&c);
	CHECK_EQ(c.revision_id, 4);
	CHECK_EQ(c.vmcs_size, 1024);
	CHECK(c.true_ctls);
	CHECK_EQ(c.ctl[VMX_CTL_PIN], 0x16 | PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS |
		 PIN_PREEMPTION_TIMER);
	CHECK_EQ(c.ctl[VMX_CTL_PROC2], PROC2_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_VPID |
		 PROC2_PAUSE_LOOP_EXITING | PROC2_RDTSCP | PROC2_INVPCID);
	unsigned want = VMX_FEAT_VPID | VMX_FEAT_PREEMPT_TIMER | VMX_FEAT_SAVE_PREEMPT | VMX_FEAT_PLE |
			VMX_FEAT_RDTSCP | VMX_FEAT_INVPCID | VMX_FEAT_EPT_AD | VMX_FEAT_EPT_2M |
			VMX_FEAT_EPT_1G | VMX_FEAT_INVEPT_SINGLE | VMX_FEAT_VNMI;
	CHECK_EQ(c.features, want);
	CHECK_EQ(c.preempt_shift, 7);
	CHECK_EQ(c.invept_type, INVEPT_SINGLE_CONTEXT);
	CHECK_EQ(c.invvpid_type, INVVPID_SINGLE_CONTEXT);
	for (int w = 0; w < VMX_CTL_COUNT; w++)
		CHECK_EQ(c.forced[w], 0);
}

static void test_ivy_bridge(void)
{
	struct vmx_config c;
	char err[200];
	CHECK_EQ(vmx_caps_compute(&ivy_bridge, VMX_FEATURES_UNUSED, &c, err, sizeof(err)), 0);
	check_required(&c);
	CHECK_EQ(c.revision_id, 0x10);
	/* No PAUSE-loop exiting (optional), no INVPCID, no EPT A/D or 1 GiB pages. */
	CHECK_EQ(c.ctl[VMX_CTL_PROC2], PROC2_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_VPID | PROC2_RDTSCP);
	CHECK_EQ(c.features, VMX_FEAT_VPID | VMX_FEAT_PREEMPT_TIMER | VMX_FEAT_SAVE_PREEMPT |
		 VMX_FEAT_RDTSCP | VMX_FEAT_EPT_2M | VMX_FEAT_INVEPT_SINGLE | VMX_FEAT_VNMI);
	CHECK_EQ(c.preempt_shift, 5);
	char line[300];
	vmx_caps_describe(&c, line, sizeof(line));
	CHECK(strstr(line, "off: ple") != NULL);
}

static void test_kvm_nested(void)
{
	struct vmx_config c;
	char err[200];
	CHECK_EQ(vmx_caps_compute(&kvm_nested_on_coffee_lake, VMX_FEATURES_UNUSED, &c, err, sizeof(err)), 0);
	check_required(&c);
	CHECK_EQ(c.revision_id, 0x11e57ed0);
	CHECK_EQ(c.vmcs_size, 4096);
	/* KVM offers no PAUSE-loop exiting to L1: lhv runs without its spin
	 * hint there; the rest of what lhv uses is there. */
	CHECK_EQ(c.ctl[VMX_CTL_PROC2], PROC2_EPT | PROC2_UNRESTRICTED_GUEST | PROC2_VPID |
		 PROC2_RDTSCP | PROC2_INVPCID);
	CHECK_EQ(c.features, VMX_FEAT_VPID | VMX_FEAT_PREEMPT_TIMER | VMX_FEAT_SAVE_PREEMPT |
		 VMX_FEAT_RDTSCP | VMX_FEAT_INVPCID | VMX_FEAT_EPT_AD | VMX_FEAT_EPT_2M |
		 VMX_FEAT_EPT_1G | VMX_FEAT_INVEPT_SINGLE | VMX_FEAT_VNMI);
	CHECK_EQ(c.preempt_shift, 5);
	CHECK_EQ(c.cr0_fixed0, 0x80000021);
}

/* A CPU of the Nehalem/Lynnfield generation has EPT and VPID but no
 * unrestricted guest (secondary controls 0-6 only): lhv refuses it by
 * name. (The Ivy Bridge values with the newer secondary controls taken
 * away; Bochs' corei5_lynnfield_750 model shows it booted:
 * tests/vmm/models.sh.) */
static void test_no_unrestricted_guest(void)
{
	struct vmx_cap_msrs m = ivy_bridge;
	struct vmx_config c;
	char err[200];
	m.procbased2 = 0x7full << 32;
	CHECK_EQ(vmx_caps_compute(&m, VMX_FEATURES_UNUSED, &c, err, sizeof(err)), -1);
	CHECK(strcmp(err, "VMX: missing required features: unrestricted guest") == 0);
	/* Without MWAIT exiting a guest could park a pCPU: refused too. */
	m = coffee_lake;
	m.true_procbased &= ~((uint64_t)PROC_MWAIT_EXITING << 32);
	CHECK_EQ(vmx_caps_compute(&m, VMX_FEATURES_UNUSED, &c, err, sizeof(err)), -1);
	CHECK(strcmp(err, "VMX: missing required features: MWAIT exiting") == 0);
}

int main(void)
{
	test_coffee_lake();
	test_ivy_bridge();
	test_kvm_nested();
	test_no_unrestricted_guest();
	return check_done("test_vmx_cpus");
}
