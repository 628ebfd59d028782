/* VMX architectural constants: VMCS field encodings (SDM Vol. 3 Appendix B),
 * VM-execution/exit/entry control bits (SDM 25.6-25.8), exit reasons
 * (Appendix C), capability MSRs (Appendix A), EPT/VPID capabilities (A.10),
 * event-information formats (25.8.3, 25.9.2) and exit qualifications
 * (Table 28-1 ff., "Exit Qualification for ..."). Section numbers follow the
 * 2023+ SDM numbering (chapter 25 = VMCS, 27 = VM entries, 28 = VM exits,
 * 29 = VMX support for address translation). Constants only: no code. */
#ifndef VMM_VMX_VMCS_H
#define VMM_VMX_VMCS_H
#include "core/lib.h"
#include "hw/x86_defs.h"

#define VMX_BIT(n) (1ull << (n))

/* ---- VMCS field encodings (Appendix B) --------------------------------
 * Encoding bits: 0 access type (1 = high half of a 64-bit field), 9:1 index,
 * 11:10 type (0 control, 1 read-only data, 2 guest state, 3 host state),
 * 14:13 width (0 16-bit, 1 64-bit, 2 32-bit, 3 natural width). */
#define VMCS_FIELD_WIDTH(enc)   (((enc) >> 13) & 3)
#define VMCS_WIDTH_16   0
#define VMCS_WIDTH_64   1
#define VMCS_WIDTH_32   2
#define VMCS_WIDTH_NAT  3
#define VMCS_FIELD_TYPE(enc)    (((enc) >> 10) & 3)
#define VMCS_TYPE_CONTROL   0
#define VMCS_TYPE_RO_DATA   1
#define VMCS_TYPE_GUEST     2
#define VMCS_TYPE_HOST      3

/* B.1.1 16-bit control fields */
#define VMCS_VPID                       0x0000
#define VMCS_POSTED_INTR_NV             0x0002
#define VMCS_EPTP_INDEX                 0x0004
/* B.1.2 16-bit guest-state fields */
#define VMCS_GUEST_ES_SEL               0x0800
#define VMCS_GUEST_CS_SEL               0x0802
#define VMCS_GUEST_SS_SEL               0x0804
#define VMCS_GUEST_DS_SEL               0x0806
#define VMCS_GUEST_FS_SEL               0x0808
#define VMCS_GUEST_GS_SEL               0x080a
#define VMCS_GUEST_LDTR_SEL             0x080c
#define VMCS_GUEST_TR_SEL               0x080e
#define VMCS_GUEST_INTR_STATUS          0x0810  /* RVI 7:0, SVI 15:8 */
#define VMCS_GUEST_PML_INDEX            0x0812
/* B.1.3 16-bit host-state fields */
#define VMCS_HOST_ES_SEL                0x0c00
#define VMCS_HOST_CS_SEL                0x0c02
#define VMCS_HOST_SS_SEL                0x0c04
#define VMCS_HOST_DS_SEL                0x0c06
#define VMCS_HOST_FS_SEL                0x0c08
#define VMCS_HOST_GS_SEL                0x0c0a
#define VMCS_HOST_TR_SEL                0x0c0c

/* B.2.1 64-bit control fields (full encodings; +1 is the high half) */
#define VMCS_IO_BITMAP_A                0x2000
#define VMCS_IO_BITMAP_B                0x2002
#define VMCS_MSR_BITMAP                 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR        0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR         0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR        0x200a
#define VMCS_EXECUTIVE_VMCS_PTR         0x200c
#define VMCS_PML_ADDR                   0x200e
#define VMCS_TSC_OFFSET                 0x2010
#define VMCS_VIRTUAL_APIC_ADDR          0x2012
#define VMCS_APIC_ACCESS_ADDR           0x2014
#define VMCS_POSTED_INTR_DESC_ADDR      0x2016
#define VMCS_VM_FUNCTION_CTLS           0x2018
#define VMCS_EPT_POINTER                0x201a
#define VMCS_EOI_EXIT_BITMAP0           0x201c
#define VMCS_EOI_EXIT_BITMAP1           0x201e
#define VMCS_EOI_EXIT_BITMAP2           0x2020
#define VMCS_EOI_EXIT_BITMAP3           0x2022
#define VMCS_EPTP_LIST_ADDR             0x2024
#define VMCS_VMREAD_BITMAP              0x2026
#define VMCS_VMWRITE_BITMAP             0x2028
#define VMCS_VE_INFO_ADDR               0x202a
#define VMCS_XSS_EXIT_BITMAP            0x202c
#define VMCS_ENCLS_EXIT_BITMAP          0x202e
#define VMCS_TSC_MULTIPLIER             0x2032
#define VMCS_PROC_CTLS3                 0x2034  /* tertiary controls */
/* B.2.2 64-bit read-only data field */
#define VMCS_GUEST_PHYSICAL_ADDR        0x2400
/* B.2.3 64-bit guest-state fields */
#define VMCS_LINK_POINTER               0x2800  /* must be ~0 (27.3.1.5) */
#define VMCS_GUEST_IA32_DEBUGCTL        0x2802
#define VMCS_GUEST_IA32_PAT             0x2804
#define VMCS_GUEST_IA32_EFER            0x2806
#define VMCS_GUEST_IA32_PERF_GLOBAL_CTRL 0x2808
#define VMCS_GUEST_PDPTE0               0x280a  /* PAE paging with EPT */
#define VMCS_GUEST_PDPTE1               0x280c
#define VMCS_GUEST_PDPTE2               0x280e
#define VMCS_GUEST_PDPTE3               0x2810
#define VMCS_GUEST_IA32_BNDCFGS         0x2812
#define VMCS_GUEST_IA32_RTIT_CTL        0x2814
#define VMCS_GUEST_IA32_LBR_CTL         0x2816
#define VMCS_GUEST_IA32_PKRS            0x2818
/* B.2.4 64-bit host-state fields */
#define VMCS_HOST_IA32_PAT              0x2c00
#define VMCS_HOST_IA32_EFER             0x2c02
#define VMCS_HOST_IA32_PERF_GLOBAL_CTRL 0x2c04
#define VMCS_HOST_IA32_PKRS             0x2c06

/* B.3.1 32-bit control fields */
#define VMCS_PIN_CTLS                   0x4000
#define VMCS_PROC_CTLS                  0x4002
#define VMCS_EXCEPTION_BITMAP           0x4004
#define VMCS_PF_ERROR_MASK              0x4006
#define VMCS_PF_ERROR_MATCH             0x4008
#define VMCS_CR3_TARGET_COUNT           0x400a
#define VMCS_EXIT_CTLS                  0x400c
#define VMCS_EXIT_MSR_STORE_COUNT       0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT        0x4010
#define VMCS_ENTRY_CTLS                 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT       0x4014
#define VMCS_ENTRY_INTR_INFO            0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR      0x4018
#define VMCS_ENTRY_INSN_LEN             0x401a
#define VMCS_TPR_THRESHOLD              0x401c
#define VMCS_PROC_CTLS2                 0x401e
#define VMCS_PLE_GAP                    0x4020
#define VMCS_PLE_WINDOW                 0x4022
/* B.3.2 32-bit read-only data fields */
#define VMCS_VM_INSN_ERROR              0x4400
#define VMCS_EXIT_REASON                0x4402
#define VMCS_EXIT_INTR_INFO             0x4404
#define VMCS_EXIT_INTR_ERROR            0x4406
#define VMCS_IDT_VECTORING_INFO         0x4408
#define VMCS_IDT_VECTORING_ERROR        0x440a
#define VMCS_EXIT_INSN_LEN              0x440c
#define VMCS_EXIT_INSN_INFO             0x440e
/* B.3.3 32-bit guest-state fields */
#define VMCS_GUEST_ES_LIMIT             0x4800
#define VMCS_GUEST_CS_LIMIT             0x4802
#define VMCS_GUEST_SS_LIMIT             0x4804
#define VMCS_GUEST_DS_LIMIT             0x4806
#define VMCS_GUEST_FS_LIMIT             0x4808
#define VMCS_GUEST_GS_LIMIT             0x480a
#define VMCS_GUEST_LDTR_LIMIT           0x480c
#define VMCS_GUEST_TR_LIMIT             0x480e
#define VMCS_GUEST_GDTR_LIMIT           0x4810
#define VMCS_GUEST_IDTR_LIMIT           0x4812
#define VMCS_GUEST_ES_AR                0x4814
#define VMCS_GUEST_CS_AR                0x4816
#define VMCS_GUEST_SS_AR                0x4818
#define VMCS_GUEST_DS_AR                0x481a
#define VMCS_GUEST_FS_AR                0x481c
#define VMCS_GUEST_GS_AR                0x481e
#define VMCS_GUEST_LDTR_AR              0x4820
#define VMCS_GUEST_TR_AR                0x4822
#define VMCS_GUEST_INTERRUPTIBILITY     0x4824
#define VMCS_GUEST_ACTIVITY_STATE       0x4826
#define VMCS_GUEST_SMBASE               0x4828
#define VMCS_GUEST_IA32_SYSENTER_CS     0x482a
#define VMCS_PREEMPTION_TIMER_VALUE     0x482e
/* B.3.4 32-bit host-state field */
#define VMCS_HOST_IA32_SYSENTER_CS      0x4c00

/* B.4.1 natural-width control fields */
#define VMCS_CR0_GUEST_HOST_MASK        0x6000
#define VMCS_CR4_GUEST_HOST_MASK        0x6002
#define VMCS_CR0_READ_SHADOW            0x6004
#define VMCS_CR4_READ_SHADOW            0x6006
#define VMCS_CR3_TARGET0                0x6008
#define VMCS_CR3_TARGET1                0x600a
#define VMCS_CR3_TARGET2                0x600c
#define VMCS_CR3_TARGET3                0x600e
/* B.4.2 natural-width read-only data fields */
#define VMCS_EXIT_QUALIFICATION         0x6400
#define VMCS_IO_RCX                     0x6402
#define VMCS_IO_RSI                     0x6404
#define VMCS_IO_RDI                     0x6406
#define VMCS_IO_RIP                     0x6408
#define VMCS_GUEST_LINEAR_ADDR          0x640a
/* B.4.3 natural-width guest-state fields */
#define VMCS_GUEST_CR0                  0x6800
#define VMCS_GUEST_CR3                  0x6802
#define VMCS_GUEST_CR4                  0x6804
#define VMCS_GUEST_ES_BASE              0x6806
#define VMCS_GUEST_CS_BASE              0x6808
#define VMCS_GUEST_SS_BASE              0x680a
#define VMCS_GUEST_DS_BASE              0x680c
#define VMCS_GUEST_FS_BASE              0x680e
#define VMCS_GUEST_GS_BASE              0x6810
#define VMCS_GUEST_LDTR_BASE            0x6812
#define VMCS_GUEST_TR_BASE              0x6814
#define VMCS_GUEST_GDTR_BASE            0x6816
#define VMCS_GUEST_IDTR_BASE            0x6818
#define VMCS_GUEST_DR7                  0x681a
#define VMCS_GUEST_RSP                  0x681c
#define VMCS_GUEST_RIP                  0x681e
#define VMCS_GUEST_RFLAGS               0x6820
#define VMCS_GUEST_PENDING_DBG_EXC      0x6822
#define VMCS_GUEST_IA32_SYSENTER_ESP    0x6824
#define VMCS_GUEST_IA32_SYSENTER_EIP    0x6826
#define VMCS_GUEST_IA32_S_CET           0x6828
#define VMCS_GUEST_SSP                  0x682a
#define VMCS_GUEST_INTR_SSP_TABLE       0x682c
/* B.4.4 natural-width host-state fields */
#define VMCS_HOST_CR0                   0x6c00
#define VMCS_HOST_CR3                   0x6c02
#define VMCS_HOST_CR4                   0x6c04
#define VMCS_HOST_FS_BASE               0x6c06
#define VMCS_HOST_GS_BASE               0x6c08
#define VMCS_HOST_TR_BASE               0x6c0a
#define VMCS_HOST_GDTR_BASE             0x6c0c
#define VMCS_HOST_IDTR_BASE             0x6c0e
#define VMCS_HOST_IA32_SYSENTER_ESP     0x6c10
#define VMCS_HOST_IA32_SYSENTER_EIP     0x6c12
#define VMCS_HOST_RSP                   0x6c14
#define VMCS_HOST_RIP                   0x6c16
#define VMCS_HOST_IA32_S_CET            0x6c18
#define VMCS_HOST_SSP                   0x6c1a
#define VMCS_HOST_INTR_SSP_TABLE        0x6c1c

/* ---- Pin-based VM-execution controls (25.6.1, Table 25-5) ---- */
#define PIN_EXTINT_EXITING      VMX_BIT(0)
#define PIN_NMI_EXITING         VMX_BIT(3)
#define PIN_VIRTUAL_NMIS        VMX_BIT(5)
#define PIN_PREEMPTION_TIMER    VMX_BIT(6)
#define PIN_POSTED_INTERRUPTS   VMX_BIT(7)
#define PIN_DEFAULT1            0x00000016u  /* bits 1,2,4 (A.3.1) */

/* ---- Primary processor-based controls (25.6.2, Table 25-6) ---- */
#define PROC_INTR_WINDOW_EXITING    VMX_BIT(2)
#define PROC_TSC_OFFSETTING         VMX_BIT(3)
#define PROC_HLT_EXITING            VMX_BIT(7)
#define PROC_INVLPG_EXITING         VMX_BIT(9)
#define PROC_MWAIT_EXITING          VMX_BIT(10)
#define PROC_RDPMC_EXITING          VMX_BIT(11)
#define PROC_RDTSC_EXITING          VMX_BIT(12)
#define PROC_CR3_LOAD_EXITING       VMX_BIT(15)
#define PROC_CR3_STORE_EXITING      VMX_BIT(16)
#define PROC_TERTIARY_CTLS          VMX_BIT(17)
#define PROC_CR8_LOAD_EXITING       VMX_BIT(19)
#define PROC_CR8_STORE_EXITING      VMX_BIT(20)
#define PROC_TPR_SHADOW             VMX_BIT(21)
#define PROC_NMI_WINDOW_EXITING     VMX_BIT(22)
#define PROC_MOV_DR_EXITING         VMX_BIT(23)
#define PROC_UNCOND_IO_EXITING      VMX_BIT(24)
#define PROC_IO_BITMAPS             VMX_BIT(25)
#define PROC_MONITOR_TRAP_FLAG      VMX_BIT(27)
#define PROC_MSR_BITMAPS            VMX_BIT(28)
#define PROC_MONITOR_EXITING        VMX_BIT(29)
#define PROC_PAUSE_EXITING          VMX_BIT(30)
#define PROC_SECONDARY_CTLS         VMX_BIT(31)
#define PROC_DEFAULT1               0x0401e172u  /* bits 1,4-6,8,13-16,26 */

/* ---- Secondary processor-based controls (25.6.2, Table 25-7) ----
 * No default1 class: every bit is reserved-0 unless allowed (A.3.3). */
#define PROC2_VIRT_APIC_ACCESSES    VMX_BIT(0)
#define PROC2_EPT                   VMX_BIT(1)
#define PROC2_DESC_TABLE_EXITING    VMX_BIT(2)
#define PROC2_RDTSCP                VMX_BIT(3)
#define PROC2_VIRT_X2APIC_MODE      VMX_BIT(4)
#define PROC2_VPID                  VMX_BIT(5)
#define PROC2_WBINVD_EXITING        VMX_BIT(6)
#define PROC2_UNRESTRICTED_GUEST    VMX_BIT(7)
#define PROC2_APIC_REG_VIRT         VMX_BIT(8)
#define PROC2_VIRT_INTR_DELIVERY    VMX_BIT(9)
#define PROC2_PAUSE_LOOP_EXITING    VMX_BIT(10)
#define PROC2_RDRAND_EXITING        VMX_BIT(11)
#define PROC2_INVPCID               VMX_BIT(12)
#define PROC2_VMFUNC                VMX_BIT(13)
#define PROC2_VMCS_SHADOWING        VMX_BIT(14)
#define PROC2_ENCLS_EXITING         VMX_BIT(15)
#define PROC2_RDSEED_EXITING        VMX_BIT(16)
#define PROC2_PML                   VMX_BIT(17)
#define PROC2_EPT_VE                VMX_BIT(18)
#define PROC2_PT_CONCEAL            VMX_BIT(19)
#define PROC2_XSAVES                VMX_BIT(20)
#define PROC2_MODE_BASED_EPT_EXEC   VMX_BIT(22)
#define PROC2_SUBPAGE_WRITE         VMX_BIT(23)
#define PROC2_PT_GUEST_PHYS         VMX_BIT(24)
#define PROC2_TSC_SCALING           VMX_BIT(25)
#define PROC2_USER_WAIT_PAUSE       VMX_BIT(26)
#define PROC2_ENCLV_EXITING         VMX_BIT(28)
#define PROC2_BUS_LOCK_DETECT       VMX_BIT(30)
#define PROC2_INSN_TIMEOUT          VMX_BIT(31)

/* ---- VM-exit controls (25.7.1, Table 25-13) ---- */
#define EXIT_SAVE_DEBUG_CTLS        VMX_BIT(2)
#define EXIT_HOST_ADDR_SPACE_SIZE   VMX_BIT(9)   /* 64-bit host */
#define EXIT_LOAD_PERF_GLOBAL_CTRL  VMX_BIT(12)
#define EXIT_ACK_INTR_ON_EXIT       VMX_BIT(15)
#define EXIT_SAVE_IA32_PAT          VMX_BIT(18)
#define EXIT_LOAD_IA32_PAT          VMX_BIT(19)
#define EXIT_SAVE_IA32_EFER         VMX_BIT(20)
#define EXIT_LOAD_IA32_EFER         VMX_BIT(21)
#define EXIT_SAVE_PREEMPT_TIMER     VMX_BIT(22)
#define EXIT_CLEAR_BNDCFGS          VMX_BIT(23)
#define EXIT_PT_CONCEAL             VMX_BIT(24)
#define EXIT_CLEAR_RTIT_CTL         VMX_BIT(25)
#define EXIT_CLEAR_LBR_CTL          VMX_BIT(26)
#define EXIT_LOAD_CET               VMX_BIT(28)
#define EXIT_LOAD_PKRS              VMX_BIT(29)
#define EXIT_SECONDARY_CTLS         VMX_BIT(31)
#define EXIT_DEFAULT1               0x00036dffu  /* bits 0-8,10,11,13,14,16,17 */

/* ---- VM-entry controls (25.8.1, Table 25-15) ---- */
#define ENTRY_LOAD_DEBUG_CTLS       VMX_BIT(2)
#define ENTRY_IA32E_MODE_GUEST      VMX_BIT(9)
#define ENTRY_SMM                   VMX_BIT(10)
#define ENTRY_DEACT_DUAL_MONITOR    VMX_BIT(11)
#define ENTRY_LOAD_PERF_GLOBAL_CTRL VMX_BIT(13)
#define ENTRY_LOAD_IA32_PAT         VMX_BIT(14)
#define ENTRY_LOAD_IA32_EFER        VMX_BIT(15)
#define ENTRY_LOAD_BNDCFGS          VMX_BIT(16)
#define ENTRY_PT_CONCEAL            VMX_BIT(17)
#define ENTRY_LOAD_RTIT_CTL         VMX_BIT(18)
#define ENTRY_LOAD_CET              VMX_BIT(20)
#define ENTRY_LOAD_LBR_CTL          VMX_BIT(21)
#define ENTRY_LOAD_PKRS             VMX_BIT(22)
#define ENTRY_DEFAULT1              0x000011ffu  /* bits 0-8,12 */

/* ---- Capability MSRs (Appendix A) ---- */
#define MSR_IA32_FEATURE_CONTROL        0x03a
#define  FEATURE_CONTROL_LOCKED         VMX_BIT(0)
#define  FEATURE_CONTROL_VMXON_OUTSIDE_SMX VMX_BIT(2)
#define MSR_IA32_VMX_BASIC              0x480
#define MSR_IA32_VMX_PINBASED_CTLS      0x481
#define MSR_IA32_VMX_PROCBASED_CTLS     0x482
#define MSR_IA32_VMX_EXIT_CTLS          0x483
#define MSR_IA32_VMX_ENTRY_CTLS         0x484
#define MSR_IA32_VMX_MISC               0x485
#define MSR_IA32_VMX_CR0_FIXED0         0x486
#define MSR_IA32_VMX_CR0_FIXED1         0x487
#define MSR_IA32_VMX_CR4_FIXED0         0x488
#define MSR_IA32_VMX_CR4_FIXED1         0x489
#define MSR_IA32_VMX_VMCS_ENUM          0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2    0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP       0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS     0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS    0x490
#define MSR_IA32_VMX_VMFUNC             0x491
#define MSR_IA32_VMX_PROCBASED_CTLS3    0x492

/* IA32_VMX_BASIC (A.1) */
#define VMX_BASIC_REVISION(v)       ((uint32_t)((v) & 0x7fffffffu))
#define VMX_BASIC_VMCS_SIZE(v)      ((uint32_t)(((v) >> 32) & 0x1fff))
#define VMX_BASIC_32BIT_ADDR        VMX_BIT(48)
#define VMX_BASIC_DUAL_MONITOR      VMX_BIT(49)
#define VMX_BASIC_MEMTYPE(v)        ((unsigned)(((v) >> 50) & 0xf))
#define VMX_BASIC_INOUT_INFO        VMX_BIT(54)
#define VMX_BASIC_TRUE_CTLS         VMX_BIT(55)
#define VMX_BASIC_NO_ERRCODE_CHECK  VMX_BIT(56)

/* IA32_VMX_MISC (A.6) */
#define VMX_MISC_PREEMPT_SHIFT(v)   ((unsigned)((v) & 0x1f))  /* timer = TSC >> n */
#define VMX_MISC_STORE_LMA          VMX_BIT(5)
#define VMX_MISC_ACT_HLT            VMX_BIT(6)
#define VMX_MISC_ACT_SHUTDOWN       VMX_BIT(7)
#define VMX_MISC_ACT_WAIT_SIPI      VMX_BIT(8)
#define VMX_MISC_CR3_TARGETS(v)     ((unsigned)(((v) >> 16) & 0x1ff))
#define VMX_MISC_MAX_MSR_LIST(v)    (512u * ((unsigned)(((v) >> 25) & 7) + 1))
#define VMX_MISC_VMWRITE_ANY        VMX_BIT(29)
#define VMX_MISC_INJECT_LEN0        VMX_BIT(30)

/* IA32_VMX_EPT_VPID_CAP (A.10) */
#define EPT_CAP_EXEC_ONLY           VMX_BIT(0)
#define EPT_CAP_WALK4               VMX_BIT(6)
#define EPT_CAP_WALK5               VMX_BIT(7)
#define EPT_CAP_MT_UC               VMX_BIT(8)
#define EPT_CAP_MT_WB               VMX_BIT(14)
#define EPT_CAP_2M                  VMX_BIT(16)
#define EPT_CAP_1G                  VMX_BIT(17)
#define EPT_CAP_INVEPT              VMX_BIT(20)
#define EPT_CAP_AD                  VMX_BIT(21)
#define EPT_CAP_ADV_EXIT_INFO       VMX_BIT(22)
#define EPT_CAP_SSS                 VMX_BIT(23)
#define EPT_CAP_INVEPT_SINGLE       VMX_BIT(25)
#define EPT_CAP_INVEPT_ALL          VMX_BIT(26)
#define VPID_CAP_INVVPID            VMX_BIT(32)
#define VPID_CAP_INVVPID_ADDR       VMX_BIT(40)
#define VPID_CAP_INVVPID_SINGLE     VMX_BIT(41)
#define VPID_CAP_INVVPID_ALL        VMX_BIT(42)
#define VPID_CAP_INVVPID_SINGLE_NG  VMX_BIT(43)  /* single-context, keep globals */

/* INVEPT / INVVPID types (31.3, "INVEPT" / "INVVPID") */
#define INVEPT_SINGLE_CONTEXT       1
#define INVEPT_ALL_CONTEXT          2
#define INVVPID_ADDRESS             0
#define INVVPID_SINGLE_CONTEXT      1
#define INVVPID_ALL_CONTEXT         2
#define INVVPID_SINGLE_KEEP_GLOBALS 3

/* ---- EPT paging structures (29.3.2) and EPTP (25.6.11) ---- */
#define EPT_R               VMX_BIT(0)
#define EPT_W               VMX_BIT(1)
#define EPT_X               VMX_BIT(2)
#define EPT_MT_SHIFT        3           /* leaf bits 5:3 */
#define EPT_IGNORE_PAT      VMX_BIT(6)
#define EPT_LARGE           VMX_BIT(7)  /* PDPTE (1G) / PDE (2M) maps a page */
#define EPT_ACCESSED        VMX_BIT(8)
#define EPT_DIRTY           VMX_BIT(9)
#define EPT_UX              VMX_BIT(10) /* mode-based execute control */
#define EPT_ADDR_MASK       0x000ffffffffff000ull
#define EPT_MT_UC           0
#define EPT_MT_WC           1
#define EPT_MT_WT           4
#define EPT_MT_WP           5
#define EPT_MT_WB           6
#define EPTP_WALK_LEN(n)    ((uint64_t)((n) - 1) << 3)  /* bits 5:3 */
#define EPTP_AD_ENABLE      VMX_BIT(6)

/* ---- Exit reasons (Appendix C); exit-reason field layout (25.9.1) ---- */
#define EXIT_REASON_BASIC(r)        ((r) & 0xffff)
#define EXIT_REASON_ENCLAVE         VMX_BIT(27)
#define EXIT_REASON_PENDING_MTF     VMX_BIT(28)
#define EXIT_REASON_FROM_ROOT       VMX_BIT(29)
#define EXIT_REASON_ENTRY_FAIL      VMX_BIT(31)

#define EXIT_EXCEPTION_NMI          0
#define EXIT_EXTERNAL_INTERRUPT     1
#define EXIT_TRIPLE_FAULT           2
#define EXIT_INIT                   3
#define EXIT_SIPI                   4
#define EXIT_IO_SMI                 5
#define EXIT_OTHER_SMI              6
#define EXIT_INTERRUPT_WINDOW       7
#define EXIT_NMI_WINDOW             8
#define EXIT_TASK_SWITCH            9
#define EXIT_CPUID                  10
#define EXIT_GETSEC                 11
#define EXIT_HLT                    12
#define EXIT_INVD                   13
#define EXIT_INVLPG                 14
#define EXIT_RDPMC                  15
#define EXIT_RDTSC                  16
#define EXIT_RSM                    17
#define EXIT_VMCALL                 18
#define EXIT_VMCLEAR                19
#define EXIT_VMLAUNCH               20
#define EXIT_VMPTRLD                21
#define EXIT_VMPTRST                22
#define EXIT_VMREAD                 23
#define EXIT_VMRESUME               24
#define EXIT_VMWRITE                25
#define EXIT_VMXOFF                 26
#define EXIT_VMXON                  27
#define EXIT_CR_ACCESS              28
#define EXIT_MOV_DR                 29
#define EXIT_IO_INSTRUCTION         30
#define EXIT_RDMSR                  31
#define EXIT_WRMSR                  32
#define EXIT_INVALID_GUEST_STATE    33
#define EXIT_MSR_LOADING            34
#define EXIT_MWAIT                  36
#define EXIT_MONITOR_TRAP_FLAG      37
#define EXIT_MONITOR                39
#define EXIT_PAUSE                  40
#define EXIT_MACHINE_CHECK          41
#define EXIT_TPR_BELOW_THRESHOLD    43
#define EXIT_APIC_ACCESS            44
#define EXIT_VIRTUALIZED_EOI        45
#define EXIT_GDTR_IDTR              46
#define EXIT_LDTR_TR                47
#define EXIT_EPT_VIOLATION          48
#define EXIT_EPT_MISCONFIG          49
#define EXIT_INVEPT                 50
#define EXIT_RDTSCP                 51
#define EXIT_PREEMPTION_TIMER       52
#define EXIT_INVVPID                53
#define EXIT_WBINVD                 54
#define EXIT_XSETBV                 55
#define EXIT_APIC_WRITE             56
#define EXIT_RDRAND                 57
#define EXIT_INVPCID                58
#define EXIT_VMFUNC                 59
#define EXIT_ENCLS                  60
#define EXIT_RDSEED                 61
#define EXIT_PML_FULL               62
#define EXIT_XSAVES                 63
#define EXIT_XRSTORS                64
#define EXIT_PCONFIG                65
#define EXIT_SPP_EVENT              66
#define EXIT_UMWAIT                 67
#define EXIT_TPAUSE                 68
#define EXIT_LOADIWKEY              69
#define EXIT_ENCLV                  70
#define EXIT_ENQCMD_PASID_FAIL      72
#define EXIT_ENQCMDS_PASID_FAIL     73
#define EXIT_BUS_LOCK               74
#define EXIT_INSN_TIMEOUT           75
#define EXIT_REASON_MAX             75

/* ---- VM-instruction error numbers (31.4, Table 31-1) ---- */
#define VMXERR_VMCALL_ROOT              1
#define VMXERR_VMCLEAR_BAD_ADDR         2
#define VMXERR_VMCLEAR_VMXON_PTR        3
#define VMXERR_VMLAUNCH_NOT_CLEAR       4
#define VMXERR_VMRESUME_NOT_LAUNCHED    5
#define VMXERR_VMRESUME_AFTER_VMXOFF    6
#define VMXERR_ENTRY_BAD_CONTROLS       7
#define VMXERR_ENTRY_BAD_HOST_STATE     8
#define VMXERR_VMPTRLD_BAD_ADDR         9
#define VMXERR_VMPTRLD_VMXON_PTR        10
#define VMXERR_VMPTRLD_BAD_REVISION     11
#define VMXERR_UNSUPPORTED_FIELD        12
#define VMXERR_VMWRITE_READ_ONLY        13
#define VMXERR_VMXON_IN_ROOT            15
#define VMXERR_ENTRY_MOV_SS_BLOCKING    26
#define VMXERR_INVEPT_INVVPID_OPERAND   28

/* ---- Event information: VM-entry/exit interruption info and
 * IDT-vectoring info (25.8.3, 25.9.2) ---- */
#define INTR_INFO_VECTOR(v)         ((v) & 0xff)
#define INTR_INFO_TYPE(v)           (((v) >> 8) & 7)
#define INTR_INFO_TYPE_SHIFT        8
#define INTR_TYPE_EXT_INTR          0
#define INTR_TYPE_NMI               2
#define INTR_TYPE_HW_EXCEPTION      3
#define INTR_TYPE_SW_INTR           4
#define INTR_TYPE_PRIV_SW_EXCEPTION 5   /* INT1 */
#define INTR_TYPE_SW_EXCEPTION      6   /* INT3, INTO */
#define INTR_TYPE_OTHER             7   /* MTF on entry */
#define INTR_INFO_ERROR_CODE        VMX_BIT(11)
#define INTR_INFO_NMI_UNBLOCK_IRET  VMX_BIT(12)  /* exit info only */
#define INTR_INFO_VALID             VMX_BIT(31)

/* Guest interruptibility state (25.4.2, Table 25-3) */
#define INTERRUPTIBILITY_STI        VMX_BIT(0)
#define INTERRUPTIBILITY_MOV_SS     VMX_BIT(1)
#define INTERRUPTIBILITY_SMI        VMX_BIT(2)
#define INTERRUPTIBILITY_NMI        VMX_BIT(3)
#define INTERRUPTIBILITY_ENCLAVE    VMX_BIT(4)
/* Activity state (25.4.2) */
#define ACTIVITY_ACTIVE             0
#define ACTIVITY_HLT                1
#define ACTIVITY_SHUTDOWN           2
#define ACTIVITY_WAIT_SIPI          3

/* Segment access rights as stored in the VMCS (25.4.1, Table 25-2) */
#define SEG_AR_TYPE(t)              ((t) & 0xf)
#define SEG_AR_S                    VMX_BIT(4)   /* code/data, not system */
#define SEG_AR_DPL(d)               (((d) & 3) << 5)
#define SEG_AR_P                    VMX_BIT(7)
#define SEG_AR_AVL                  VMX_BIT(12)
#define SEG_AR_L                    VMX_BIT(13)
#define SEG_AR_DB                   VMX_BIT(14)
#define SEG_AR_G                    VMX_BIT(15)
#define SEG_AR_UNUSABLE             VMX_BIT(16)

/* ---- Exit qualifications (28.2.1) ---- */
/* Control-register accesses (Table 28-3) */
#define CRQ_CR(q)                   ((unsigned)((q) & 0xf))
#define CRQ_TYPE(q)                 ((unsigned)(((q) >> 4) & 3))
#define CRQ_TYPE_MOV_TO_CR          0
#define CRQ_TYPE_MOV_FROM_CR        1
#define CRQ_TYPE_CLTS               2
#define CRQ_TYPE_LMSW               3
#define CRQ_LMSW_MEMORY             VMX_BIT(6)
#define CRQ_GPR(q)                  ((unsigned)(((q) >> 8) & 0xf))
#define CRQ_LMSW_DATA(q)            ((unsigned)(((q) >> 16) & 0xffff))
/* MOV DR (Table 28-4) */
#define DRQ_DR(q)                   ((unsigned)((q) & 7))
#define DRQ_FROM_DR                 VMX_BIT(4)
#define DRQ_GPR(q)                  ((unsigned)(((q) >> 8) & 0xf))
/* I/O instructions (Table 28-5) */
#define IOQ_SIZE(q)                 ((unsigned)((q) & 7) + 1)  /* 1, 2 or 4 */
#define IOQ_IN                      VMX_BIT(3)
#define IOQ_STRING                  VMX_BIT(4)
#define IOQ_REP                     VMX_BIT(5)
#define IOQ_IMM_OPERAND             VMX_BIT(6)
#define IOQ_PORT(q)                 ((unsigned)(((q) >> 16) & 0xffff))
/* EPT violations (Table 28-7) */
#define EPTQ_READ                   VMX_BIT(0)
#define EPTQ_WRITE                  VMX_BIT(1)
#define EPTQ_FETCH                  VMX_BIT(2)
#define EPTQ_READABLE               VMX_BIT(3)
#define EPTQ_WRITABLE               VMX_BIT(4)
#define EPTQ_EXECUTABLE             VMX_BIT(5)
#define EPTQ_USER_EXECUTABLE        VMX_BIT(6)
#define EPTQ_GLA_VALID              VMX_BIT(7)
#define EPTQ_GLA_TRANSLATION        VMX_BIT(8)  /* 0: paging-structure access */
#define EPTQ_NMI_UNBLOCK_IRET       VMX_BIT(12)
#define EPTQ_SHADOW_STACK           VMX_BIT(13)

#endif
