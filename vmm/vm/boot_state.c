/* Architectural start states of a vCPU (SDM 9.1.1 "Processor state after
 * reset", the Multiboot and Linux boot protocols), built in x86 terms for
 * the backend's vcpu_set_boot. */
#include "vmm/vm/backend.h"

static void seg(struct x86_seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
	*s = (struct x86_seg){ .sel = sel, .base = base, .limit = limit, .attr = attr };
}

/* What every start state shares: no interrupts, the system registers of
 * reset (busy 32-bit TSS, no LDT), DR7 and PAT at their reset values. */
static void common(struct vcpu_boot_state *s)
{
	memset(s, 0, sizeof(*s));
	s->rflags = RFLAGS_FIXED;
	seg(&s->seg[X86_SEG_TR], 0, 0, 0xffff, SEG_P | SEG_TYPE_TSS32_BUSY);
	seg(&s->seg[X86_SEG_LDTR], 0, 0, 0xffff, SEG_UNUSABLE | SEG_P | SEG_TYPE_LDT);
	s->gdt.limit = s->idt.limit = 0xffff;
}

void boot_state_sipi(struct vcpu_boot_state *s, uint8_t vector)
{
	/* Real mode at vector << 12 (SDM 9.4.4.1): CS = vector << 8. */
	common(s);
	s->cr0 = CR0_ET;
	uint16_t cs = (uint16_t)(vector << 8);
	for (unsigned i = X86_SEG_ES; i <= X86_SEG_GS; i++)
		seg(&s->seg[i], 0, 0, 0xffff, SEG_P | SEG_S | SEG_TYPE_DATA_RW);
	seg(&s->seg[X86_SEG_CS], cs, (uint64_t)cs << 4, 0xffff, SEG_P | SEG_S | SEG_TYPE_CODE_RX);
	s->rip = 0;
}

void boot_state_flat32(struct vcpu_boot_state *s, uint32_t eip)
{
	/* Multiboot: 32-bit protected mode, paging off, flat 4 GiB code and
	 * data segments (Multiboot specification 3.2). */
	common(s);
	s->cr0 = CR0_PE | CR0_ET;
	uint32_t data = SEG_P | SEG_S | SEG_TYPE_DATA_RW | SEG_DB | SEG_G;
	for (unsigned i = X86_SEG_ES; i <= X86_SEG_GS; i++)
		seg(&s->seg[i], 0x10, 0, 0xffffffff, data);
	seg(&s->seg[X86_SEG_CS], 0x08, 0, 0xffffffff, SEG_P | SEG_S | SEG_TYPE_CODE_RX | SEG_DB | SEG_G);
	s->rip = eip;
}

void boot_state_long64(struct vcpu_boot_state *s, uint64_t rip, uint64_t cr3,
		       const struct x86_dtr *gdt, uint16_t cs, uint32_t cs_attr,
		       uint16_t ds, uint32_t ds_attr)
{
	/* 64-bit mode with paging on, the loader's GDT and flat segments
	 * (the Linux boot protocol's 64-bit entry, boot.rst). */
	common(s);
	s->cr0 = CR0_PE | CR0_ET | CR0_PG;
	s->cr4 = CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
	s->cr3 = cr3;
	s->gdt = *gdt;
	for (unsigned i = X86_SEG_ES; i <= X86_SEG_GS; i++)
		seg(&s->seg[i], ds, 0, 0xffffffff, ds_attr);
	seg(&s->seg[X86_SEG_CS], cs, 0, 0xffffffff, cs_attr);
	s->rip = rip;
}
