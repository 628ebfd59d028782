/* VMX operation on each pCPU: feature checks, IA32_FEATURE_CONTROL, the
 * CR0/CR4 fixed bits and VMXON (SDM 24.7, 24.8). The boot processor also
 * derives the control words every VMCS uses from the capability MSRs. */
#include "vmm/vmx/vmx.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "hw/x86.h"
#include "boot/boot_defs.h"

struct vmx_config vmx_cfg;
static bool cfg_ready;
static spinlock_t cfg_lock = SPINLOCK_INIT;


NORETURN void vmx_insn_failed(const char *insn, uint64_t field, uint64_t value)
{
	uint64_t err = 0;
	__asm__ volatile("vmread %1, %0" : "=r"(err) : "r"((uint64_t)VMCS_VM_INSN_ERROR) : "cc");
	panic("%s of field %#llx (value %#llx) failed, VM-instruction error %llu", insn,
	      (unsigned long long)field, (unsigned long long)value, (unsigned long long)err);
}

static void read_caps(struct vmx_cap_msrs *m)
{
	memset(m, 0, sizeof(*m));
	m->basic = rdmsr(MSR_IA32_VMX_BASIC);
	m->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	m->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	m->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	m->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	m->misc = rdmsr(MSR_IA32_VMX_MISC);
	m->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	m->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	m->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	m->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if ((m->procbased >> 32) & PROC_SECONDARY_CTLS) {
		m->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((m->procbased2 >> 32) & (PROC2_EPT | PROC2_VPID))
			m->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	if (m->basic & VMX_BASIC_TRUE_CTLS) {
		m->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		m->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		m->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		m->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
}

static bool vmx_probe(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	return c & (1u << 5);
}

static int vmx_cpu_init(char *err, size_t errlen)
{
	if (!vmx_probe()) {
		fmt_snprintf(err, errlen, "this CPU has no VMX (VT-x)");
		return -1;
	}
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Firmware left it open: enable VMX outside SMX and lock. */
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		fmt_snprintf(err, errlen, "VMX is disabled in IA32_FEATURE_CONTROL (%#llx, locked by "
			     "the firmware): enable VT-x in the firmware setup", (unsigned long long)fc);
		return -1;
	}

	uint64_t f = spin_lock_irqsave(&cfg_lock);
	if (!cfg_ready) {
		struct vmx_cap_msrs m;
		read_caps(&m);
		if (vmx_caps_compute(&m, VMX_FEATURES_UNUSED, &vmx_cfg, err, errlen) < 0) {
			spin_unlock_irqrestore(&cfg_lock, f);
			return -1;
		}
		cfg_ready = true;
	}
	spin_unlock_irqrestore(&cfg_lock, f);

	/* SDM 24.8: CR0 and CR4 must honour the fixed bits in VMX operation. */
	write_cr0(vmx_cr0_fixup(&vmx_cfg, read_cr0(), false));
	write_cr4(vmx_cr4_fixup(&vmx_cfg, read_cr4() | CR4_VMXE));

	uint64_t region = page_alloc_contig(1);
	if (!region) {
		fmt_snprintf(err, errlen, "out of memory for the VMXON region");
		return -1;
	}
	*(uint32_t *)region = vmx_cfg.revision_id;
	uint8_t fail;
	__asm__ volatile("vmxon %1; setna %0" : "=qm"(fail) : "m"(region) : "cc", "memory");
	if (fail) {
		fmt_snprintf(err, errlen, "VMXON failed on cpu%u", cpu_id());
		return -1;
	}
	vmx_vmcs_cpu_init();
	return 0;
}

static void vmx_describe(char *buf, size_t len)
{
	vmx_caps_describe(&vmx_cfg, buf, len);
}

static const struct vmm_backend vmx_backend = {
	.name = "vmx",
	.probe = vmx_probe,
	.cpu_init = vmx_cpu_init,
	.describe = vmx_describe,
	.vm_init = vmx_vm_init,
	.vm_map_ram = vmx_vm_map_ram,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_set_boot = vmx_vcpu_set_boot,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.enter = vmx_enter_guest,
	.get_reg = vmx_get_reg,
	.set_reg = vmx_set_reg,
	.get_seg = vmx_get_seg,
	.set_seg = vmx_set_seg_op,
	.get_cpl = vmx_get_cpl,
	.get_code_bits = vmx_get_code_bits,
	.get_intr_state = vmx_get_intr_state,
	.skip_insn = vmx_skip_insn,
	.inject = vmx_inject,
	.set_windows = vmx_set_windows,
	.flush_tlb = vmx_flush_tlb,
	.set_tsc_offset = vmx_set_tsc_offset,
	.vcpu_dump = vmx_dump,
};
VMM_BACKEND(vmx_backend);
