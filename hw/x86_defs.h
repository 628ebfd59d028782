/* Architectural constants of x86-64 (Intel SDM Vol. 3, AMD APM Vol. 2): one
 * home for control-register, EFER and RFLAGS bits, MSR numbers, exception
 * vectors, APIC delivery modes and segment attributes, used by the boot
 * code (assembly too), the hypervisor core, the VMM and the backends.
 * Plain #defines only, so assembly and the host builds can include it. */
#ifndef HW_X86_DEFS_H
#define HW_X86_DEFS_H

/* Register bits are 64-bit in C so that ~BIT never clears a register's
 * upper half; X86_BIT is for 32-bit fields. */
#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#define X86_BIT64(n) (1 << (n))
#else
#define X86_BIT(n) (1u << (n))
#define X86_BIT64(n) (1ull << (n))
#endif

/* CR0 (SDM 2.5) */
#define CR0_PE X86_BIT64(0)
#define CR0_MP X86_BIT64(1)
#define CR0_EM X86_BIT64(2)
#define CR0_TS X86_BIT64(3)
#define CR0_ET X86_BIT64(4)
#define CR0_NE X86_BIT64(5)
#define CR0_WP X86_BIT64(16)
#define CR0_AM X86_BIT64(18)
#define CR0_NW X86_BIT64(29)
#define CR0_CD X86_BIT64(30)
#define CR0_PG X86_BIT64(31)

/* CR4 (SDM 2.5) */
#define CR4_VME X86_BIT64(0)
#define CR4_PVI X86_BIT64(1)
#define CR4_TSD X86_BIT64(2)
#define CR4_DE X86_BIT64(3)
#define CR4_PSE X86_BIT64(4)
#define CR4_PAE X86_BIT64(5)
#define CR4_MCE X86_BIT64(6)
#define CR4_PGE X86_BIT64(7)
#define CR4_PCE X86_BIT64(8)
#define CR4_OSFXSR X86_BIT64(9)
#define CR4_OSXMMEXCPT X86_BIT64(10)
#define CR4_UMIP X86_BIT64(11)
#define CR4_LA57 X86_BIT64(12)
#define CR4_VMXE X86_BIT64(13)
#define CR4_SMXE X86_BIT64(14)
#define CR4_FSGSBASE X86_BIT64(16)
#define CR4_PCIDE X86_BIT64(17)
#define CR4_OSXSAVE X86_BIT64(18)
#define CR4_SMEP X86_BIT64(20)
#define CR4_SMAP X86_BIT64(21)
#define CR4_PKE X86_BIT64(22)
#define CR4_CET X86_BIT64(23)
#define CR4_PKS X86_BIT64(24)

/* IA32_EFER (SDM 2.2.1, APM 3.1.7) */
#define MSR_EFER 0xC0000080
#define EFER_SCE X86_BIT64(0)
#define EFER_LME X86_BIT64(8)
#define EFER_LMA X86_BIT64(10)
#define EFER_NXE X86_BIT64(11)
#define EFER_SVME X86_BIT64(12)

/* RFLAGS (SDM 3.4.3) */
#define RFLAGS_CF X86_BIT64(0)
#define RFLAGS_FIXED X86_BIT64(1)      /* reads as 1 */
#define RFLAGS_PF X86_BIT64(2)
#define RFLAGS_AF X86_BIT64(4)
#define RFLAGS_ZF X86_BIT64(6)
#define RFLAGS_SF X86_BIT64(7)
#define RFLAGS_TF X86_BIT64(8)
#define RFLAGS_IF X86_BIT64(9)
#define RFLAGS_DF X86_BIT64(10)
#define RFLAGS_OF X86_BIT64(11)
#define RFLAGS_NT X86_BIT64(14)
#define RFLAGS_RF X86_BIT64(16)
#define RFLAGS_VM X86_BIT64(17)

/* XCR0 state components (SDM 13.1) */
#define XCR0_X87 X86_BIT64(0)
#define XCR0_SSE X86_BIT64(1)
#define XCR0_AVX X86_BIT64(2)
#define XCR0_OPMASK X86_BIT64(5)
#define XCR0_ZMM_HI256 X86_BIT64(6)
#define XCR0_HI16_ZMM X86_BIT64(7)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_PKRU X86_BIT64(9)

/* DR6/DR7 fixed bits (SDM 17.2) */
#define DR6_FIXED 0xffff0ff0
#define DR7_FIXED 0x400
#define DR7_GD X86_BIT64(13)       /* general detect: MOV DR raises #DB */
#define DR6_BD X86_BIT64(13)       /* #DB was a general-detect one */
#define DR6_BS X86_BIT64(14)       /* #DB was a single step */
#define DR6_TRAP_BITS 0xfull      /* B0-B3: which breakpoint condition met */

/* Exception vectors (SDM 6.3.1) */
#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_OF 4
#define X86_EXC_BR 5
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MF 16
#define X86_EXC_AC 17
#define X86_EXC_MC 18
#define X86_EXC_XM 19
#define X86_EXC_VE 20
#define X86_EXC_CP 21

/* Local APIC interrupt delivery modes (ICR, LVT, I/O APIC redirection
 * entries and MSI share the encoding: SDM 11.6.1) */
#define APIC_DM_FIXED 0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI 2
#define APIC_DM_REMRD 3            /* reserved on modern CPUs */
#define APIC_DM_NMI 4
#define APIC_DM_INIT 5
#define APIC_DM_STARTUP 6
#define APIC_DM_EXTINT 7

/* ICR destination shorthands (SDM 11.6.1) */
#define APIC_SH_NONE 0
#define APIC_SH_SELF 1
#define APIC_SH_ALL 2
#define APIC_SH_OTHERS 3

/* Segment registers, in the order of the x86 encoding (prefixes, MOV Sreg) */
#define X86_SEG_ES 0
#define X86_SEG_CS 1
#define X86_SEG_SS 2
#define X86_SEG_DS 3
#define X86_SEG_FS 4
#define X86_SEG_GS 5
#define X86_SEG_LDTR 6
#define X86_SEG_TR 7
#define X86_SEG_NR 8
#define X86_SEG_NONE (-1)

#define RFLAGS_ARITH (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* Segment descriptor attributes in the neutral "unpacked" layout the VMM
 * uses: the access byte in bits 0-7 (type, S, DPL, P), the flags nibble in
 * bits 8-11 (AVL, L, D/B, G), and UNUSABLE for a null segment. It is the
 * AMD VMCB layout; VT-x moves the nibble to bits 12-15 (SDM 24.4.1). */
#define SEG_TYPE(t) ((t) & 0xf)
#define SEG_TYPE_CODE X86_BIT(3)
#define SEG_TYPE_DATA_RW 0x3       /* read/write, accessed */
#define SEG_TYPE_CODE_RX 0xb       /* execute/read, accessed */
#define SEG_TYPE_TSS32_BUSY 0xb
#define SEG_TYPE_LDT 0x2
#define SEG_S X86_BIT(4)
#define SEG_DPL(d) (((d) & 3) << 5)
#define SEG_DPL_OF(a) (((a) >> 5) & 3)
#define SEG_P X86_BIT(7)
#define SEG_AVL X86_BIT(8)
#define SEG_L X86_BIT(9)
#define SEG_DB X86_BIT(10)
#define SEG_G X86_BIT(11)
#define SEG_UNUSABLE X86_BIT(16)
/* From a descriptor's attribute word (bits 40-55 of a GDT entry: access
 * byte, limit 19:16, flags) to the neutral layout. */
#define SEG_ATTR_FROM_DESC(w) (((w) & 0xff) | (((w) >> 4) & 0xf00))

/* MSRs (SDM Vol. 4) */
#define MSR_TSC 0x10
#define MSR_PLATFORM_ID 0x17
#define MSR_APIC_BASE 0x1B
#define MSR_FEATURE_CONTROL 0x3A
#define MSR_TSC_ADJUST 0x3B
#define MSR_BIOS_SIGN_ID 0x8B
#define MSR_MTRRCAP 0xFE
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MCG_CAP 0x179
#define MSR_MCG_STATUS 0x17A
#define MSR_MISC_ENABLE 0x1A0
/* IA32_MISC_ENABLE bits (SDM Vol. 4, Table 2-2). */
#define MISC_ENABLE_FAST_STRING X86_BIT64(0)
#define MISC_ENABLE_TCC X86_BIT64(3)
#define MISC_ENABLE_PERFMON X86_BIT64(7)
#define MISC_ENABLE_BTS_UNAVAIL X86_BIT64(11)
#define MISC_ENABLE_PEBS_UNAVAIL X86_BIT64(12)
#define MISC_ENABLE_EIST X86_BIT64(16)
#define MISC_ENABLE_MONITOR X86_BIT64(18)
#define MISC_ENABLE_LIMIT_CPUID X86_BIT64(22)
#define MISC_ENABLE_XTPR_DISABLE X86_BIT64(23)
#define MISC_ENABLE_XD_DISABLE X86_BIT64(34)
#define MSR_DEBUGCTL 0x1D9
#define MSR_PAT 0x277
#define MSR_MTRR_DEF_TYPE 0x2FF
#define MSR_TSC_DEADLINE 0x6E0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8FF
#define MSR_XSS 0xDA0
#define MSR_STAR 0xC0000081
#define MSR_K7_EVNTSEL0 0xC0010000   /* AMD: PerfEvtSel0-3, then PerfCtr0-3 */
#define MSR_K7_PERFCTR3 0xC0010007
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103
#define MSR_VM_CR 0xC0010114       /* AMD: SVM disable/lock (APM 15.30.1) */
#define MSR_VM_HSAVE_PA 0xC0010117 /* AMD: host save area (APM 15.30.4) */

/* PAT: the power-on value (SDM 11.12.4) */
#define PAT_POWER_ON 0x0007040600070406ull

#endif
