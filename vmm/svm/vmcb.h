/* The AMD-V virtual machine control block and its encodings (AMD64 APM
 * Vol. 2, Appendix B "Layout of VMCB", Appendix C "SVM Intercept Exit
 * Codes", 15.20 "Event Injection", 15.10.2 "IN and OUT Behavior"), and
 * the SVM feature leaf CPUID 0x8000000A (Vol. 3, Appendix E.4.9). Only
 * what lhv uses; field names follow the APM. */
#ifndef VMM_SVM_VMCB_H
#define VMM_SVM_VMCB_H
#include "core/lib.h"
#include "hw/x86_defs.h"

/* The layout has every field naturally aligned: no packing needed (the
 * _Static_asserts below check the offsets). */

/* A segment register in the state save area; attrib is the descriptor's
 * access byte (bits 7:0) and flags nibble (bits 11:8), the neutral SEG_*
 * layout of hw/x86_defs.h. */
struct vmcb_seg {
	uint16_t sel;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
};

/* Control area (APM Table B-1), 1 KiB. */
struct vmcb_control {
	uint32_t intercept_cr;          /* 000h: reads 15:0, writes 31:16 */
	uint32_t intercept_dr;          /* 004h: reads 15:0, writes 31:16 */
	uint32_t intercept_exc;         /* 008h: one bit per vector */
	uint32_t intercept1;            /* 00Ch: SVM_I1_* */
	uint32_t intercept2;            /* 010h: SVM_I2_* */
	uint32_t intercept3;            /* 014h */
	uint8_t rsvd0[0x3c - 0x18];
	uint16_t pause_filter_thresh;   /* 03Ch */
	uint16_t pause_filter_count;    /* 03Eh */
	uint64_t iopm_base_pa;          /* 040h */
	uint64_t msrpm_base_pa;         /* 048h */
	uint64_t tsc_offset;            /* 050h */
	uint32_t asid;                  /* 058h */
	uint8_t tlb_control;            /* 05Ch: SVM_TLB_* */
	uint8_t rsvd1[3];
	uint64_t int_ctl;               /* 060h: V_TPR, V_IRQ, V_INTR_PRIO, ... ; 067h..: V_INTR_VECTOR at 064h */
	uint64_t int_state;             /* 068h: bit 0 interrupt shadow */
	uint64_t exit_code;             /* 070h */
	uint64_t exit_info1;            /* 078h */
	uint64_t exit_info2;            /* 080h */
	uint32_t exit_int_info;         /* 088h: SVM_EV_* format */
	uint32_t exit_int_info_err;     /* 08Ch */
	uint64_t np_ctl;                /* 090h: bit 0 nested paging */
	uint64_t avic_apic_bar;         /* 098h */
	uint64_t ghcb_pa;               /* 0A0h */
	uint32_t event_inj;             /* 0A8h: SVM_EV_* format */
	uint32_t event_inj_err;         /* 0ACh */
	uint64_t n_cr3;                 /* 0B0h: nested page table root */
	uint64_t virt_ext;              /* 0B8h: LBR virtualization, virtual VMLOAD/VMSAVE */
	uint32_t clean;                 /* 0C0h: VMCB clean bits (0: reload everything) */
	uint32_t rsvd2;
	uint64_t next_rip;              /* 0C8h: with NRIP save */
	uint8_t insn_len;               /* 0D0h: with decode assists */
	uint8_t insn_bytes[15];
	uint8_t rsvd3[0x400 - 0xe0];
};

/* State save area (APM Table B-2), from 400h. */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;   /* 000h-09Fh */
	uint8_t rsvd0[0xcb - 0xa0];
	uint8_t cpl;                    /* 0CBh */
	uint32_t rsvd1;
	uint64_t efer;                  /* 0D0h */
	uint8_t rsvd2[0x148 - 0xd8];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;   /* 148h-17Fh */
	uint8_t rsvd3[0x1d8 - 0x180];
	uint64_t rsp;                   /* 1D8h */
	uint8_t rsvd4[0x1f8 - 0x1e0];
	uint64_t rax;                   /* 1F8h */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;     /* 200h-227h */
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2;   /* 228h-247h */
	uint8_t rsvd5[0x268 - 0x248];
	uint64_t g_pat;                 /* 268h */
	uint64_t dbgctl;                /* 270h */
	uint8_t rsvd6[0x1000 - 0x400 - 0x278];
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");
_Static_assert(offsetof(struct vmcb_control, pause_filter_thresh) == 0x3c, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, asid) == 0x58, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, int_ctl) == 0x60, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x70, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, event_inj) == 0xa8, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, n_cr3) == 0xb0, "VMCB layout");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0xc8, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, cpl) == 0xcb, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, efer) == 0xd0, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, cr4) == 0x148, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, rip) == 0x178, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, rax) == 0x1f8, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, cr2) == 0x240, "VMCB layout");
_Static_assert(offsetof(struct vmcb_save, g_pat) == 0x268, "VMCB layout");

/* Intercept vector 3 (00Ch) and 4 (010h). */
#define SVM_I1_INTR             X86_BIT(0)
#define SVM_I1_NMI              X86_BIT(1)
#define SVM_I1_SMI              X86_BIT(2)
#define SVM_I1_INIT             X86_BIT(3)
#define SVM_I1_VINTR            X86_BIT(4)
#define SVM_I1_CR0_SEL_WRITE    X86_BIT(5)
#define SVM_I1_RDPMC            X86_BIT(15)
#define SVM_I1_CPUID            X86_BIT(18)
#define SVM_I1_IRET             X86_BIT(20)
#define SVM_I1_INVD             X86_BIT(22)
#define SVM_I1_PAUSE            X86_BIT(23)
#define SVM_I1_HLT              X86_BIT(24)
#define SVM_I1_INVLPGA          X86_BIT(26)
#define SVM_I1_IOIO_PROT        X86_BIT(27)
#define SVM_I1_MSR_PROT         X86_BIT(28)
#define SVM_I1_TASK_SWITCH      X86_BIT(29)
#define SVM_I1_SHUTDOWN         X86_BIT(31)
#define SVM_I2_VMRUN            X86_BIT(0)
#define SVM_I2_VMMCALL          X86_BIT(1)
#define SVM_I2_VMLOAD           X86_BIT(2)
#define SVM_I2_VMSAVE           X86_BIT(3)
#define SVM_I2_STGI             X86_BIT(4)
#define SVM_I2_CLGI             X86_BIT(5)
#define SVM_I2_SKINIT           X86_BIT(6)
#define SVM_I2_WBINVD           X86_BIT(9)
#define SVM_I2_MONITOR          X86_BIT(10)
#define SVM_I2_MWAIT            X86_BIT(11)
#define SVM_I2_MWAIT_COND       X86_BIT(12)
#define SVM_I2_XSETBV           X86_BIT(13)

/* TLB_CONTROL (05Ch, APM 15.16.1). */
#define SVM_TLB_NONE            0
#define SVM_TLB_FLUSH_ALL       1       /* every ASID: any SVM CPU */
#define SVM_TLB_FLUSH_ASID      3       /* this guest's ASID: needs FlushByAsid */

/* int_ctl (060h, APM 15.21). */
#define SVM_V_IRQ               X86_BIT64(8)
#define SVM_V_INTR_PRIO(p)      ((uint64_t)(p) << 16)
#define SVM_V_IGN_TPR           X86_BIT64(20)
#define SVM_V_INTR_MASKING      X86_BIT64(24)
#define SVM_V_INTR_VECTOR(v)    ((uint64_t)(v) << 32)   /* V_INTR_VECTOR, byte 064h */
#define SVM_V_IRQ_FIELDS        (SVM_V_IRQ | SVM_V_IGN_TPR | SVM_V_INTR_PRIO(0xf) | SVM_V_INTR_VECTOR(0xff))
#define SVM_INT_SHADOW          X86_BIT64(0)    /* int_state */
#define SVM_NP_ENABLE           X86_BIT64(0)    /* np_ctl */

/* EVENTINJ and EXITINTINFO (APM 15.20, 15.7.2). */
#define SVM_EV_VECTOR(x)        ((x) & 0xff)
#define SVM_EV_TYPE(x)          (((x) >> 8) & 7)
#define SVM_EV_TYPE_INTR        0
#define SVM_EV_TYPE_NMI         2
#define SVM_EV_TYPE_EXC         3
#define SVM_EV_TYPE_SOFT        4       /* INTn */
#define SVM_EV_ERR_VALID        X86_BIT(11)
#define SVM_EV_VALID            X86_BIT(31)

/* Exit codes (APM Appendix C). */
#define SVM_EXIT_READ_CR0       0x000   /* + n */
#define SVM_EXIT_WRITE_CR0      0x010   /* + n */
#define SVM_EXIT_READ_DR0       0x020
#define SVM_EXIT_WRITE_DR0      0x030
#define SVM_EXIT_EXCP0          0x040   /* + vector */
#define SVM_EXIT_INTR           0x060
#define SVM_EXIT_NMI            0x061
#define SVM_EXIT_SMI            0x062
#define SVM_EXIT_INIT           0x063
#define SVM_EXIT_VINTR          0x064
#define SVM_EXIT_CR0_SEL_WRITE  0x065
#define SVM_EXIT_RDPMC          0x06f
#define SVM_EXIT_CPUID          0x072
#define SVM_EXIT_IRET           0x074
#define SVM_EXIT_INVD           0x076
#define SVM_EXIT_PAUSE          0x077
#define SVM_EXIT_HLT            0x078
#define SVM_EXIT_INVLPGA        0x07a
#define SVM_EXIT_IOIO           0x07b
#define SVM_EXIT_MSR            0x07c
#define SVM_EXIT_TASK_SWITCH    0x07d
#define SVM_EXIT_SHUTDOWN       0x07f
#define SVM_EXIT_VMRUN          0x080
#define SVM_EXIT_VMMCALL        0x081
#define SVM_EXIT_VMLOAD         0x082
#define SVM_EXIT_VMSAVE         0x083
#define SVM_EXIT_STGI           0x084
#define SVM_EXIT_CLGI           0x085
#define SVM_EXIT_SKINIT         0x086
#define SVM_EXIT_WBINVD         0x089
#define SVM_EXIT_MONITOR        0x08a
#define SVM_EXIT_MWAIT          0x08b
#define SVM_EXIT_MWAIT_COND     0x08c
#define SVM_EXIT_XSETBV         0x08d
#define SVM_EXIT_NPF            0x400
#define SVM_EXIT_INVALID        ((uint64_t)-1)  /* VMRUN found an illegal guest state */

/* EXITINFO1 of IOIO (APM 15.10.2), of a nested page fault (#PF error
 * code layout, APM 15.25.6) and of CR/DR accesses with decode assists
 * (APM 15.33.1). */
#define SVM_IOIO_IN             X86_BIT64(0)
#define SVM_IOIO_STR            X86_BIT64(2)
#define SVM_IOIO_REP            X86_BIT64(3)
#define SVM_IOIO_SIZE(i)        (((i) >> 4) & 7)        /* one-hot: 1, 2 or 4 bytes */
#define SVM_IOIO_PORT(i)        ((uint16_t)((i) >> 16))
#define SVM_NPF_WRITE           X86_BIT64(1)
#define SVM_NPF_FETCH           X86_BIT64(4)
#define SVM_CRDR_MOV            X86_BIT64(63)
#define SVM_CRDR_GPR(i)         ((unsigned)(i) & 15)
/* EXITINFO2 of a task switch (APM 15.14.1). */
#define SVM_TS_IRET             X86_BIT64(36)
#define SVM_TS_JMP              X86_BIT64(38)

/* CPUID 0x8000000A EDX: SVM features (APM Vol. 3, E.4.9). */
#define SVM_CPUID_NP            X86_BIT(0)
#define SVM_CPUID_LBRV          X86_BIT(1)
#define SVM_CPUID_NRIPS         X86_BIT(3)
#define SVM_CPUID_VMCB_CLEAN    X86_BIT(5)
#define SVM_CPUID_FLUSH_ASID    X86_BIT(6)
#define SVM_CPUID_DECODE        X86_BIT(7)
#define SVM_CPUID_PAUSE_FILTER  X86_BIT(10)
#define SVM_CPUID_PAUSE_THRESH  X86_BIT(12)
#define SVM_CPUID_AVIC          X86_BIT(13)
#define SVM_CPUID_VGIF          X86_BIT(16)
#define SVM_CPUID_VNMI          X86_BIT(25)
/* CPUID 0x80000001 ECX */
#define SVM_CPUID_SVM           X86_BIT(2)

/* VM_CR (MSR C001_0114h, APM 15.30.1). */
#define VM_CR_LOCK              X86_BIT64(3)
#define VM_CR_SVMDIS            X86_BIT64(4)

#endif
