/* SVM operation on each pCPU: the feature checks (the boot processor
 * derives the configuration every VMCB uses), VM_CR, EFER.SVME, the host
 * save area and the host's VMSAVE image (APM 15.4, 15.30); probe, and the
 * ops table. */
#include "vmm/svm/svm.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "hw/x86.h"

struct svm_config svm_cfg;
bool svm_host_xsave;
struct svm_pcpu svm_pcpus[MAX_PCPUS];
static bool cfg_ready;
static spinlock_t cfg_lock = SPINLOCK_INIT;

static void read_cpuid(struct svm_cpuid *id)
{
	uint32_t a, b, c, d;
	memset(id, 0, sizeof(*id));
	cpuid(0x80000000, &id->max_ext, &b, &c, &d);
	if (id->max_ext >= 0x80000001)
		cpuid(0x80000001, &a, &b, &id->ext1_ecx, &id->ext1_edx);
	if (id->max_ext >= 0x8000000A)
		cpuid(0x8000000A, &id->eax, &id->ebx, &c, &id->edx);
}

/* QEMU's TCG tells itself apart by its hypervisor leaf (CPUID
 * 0x40000000, "TCGTCGTCGTCG"); there external interrupts go through V_IRQ
 * (svm_inject in svm_regs.c says why). */
static bool under_qemu_tcg(uint32_t leaf1_ecx)
{
	if (!(leaf1_ecx & (1u << 31)))
		return false;
	uint32_t a, sig[3];
	cpuid(0x40000000, &a, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
}

static bool svm_probe(void)
{
	struct svm_cpuid id;
	read_cpuid(&id);
	return svm_caps_has_svm(&id);
}

static int svm_cpu_init(char *err, size_t errlen)
{
	struct svm_cpuid id;
	read_cpuid(&id);
	/* VM_CR.SVMDIS can be cleared unless the firmware locked it. */
	uint64_t vm_cr = 0;
	if (rdmsr_safe(MSR_VM_CR, &vm_cr) && (vm_cr & VM_CR_SVMDIS) && !(vm_cr & VM_CR_LOCK)) {
		wrmsr_safe(MSR_VM_CR, vm_cr & ~VM_CR_SVMDIS);
		rdmsr_safe(MSR_VM_CR, &vm_cr);
	}
	struct svm_config cfg;
	if (svm_caps_compute(&id, vm_cr, &cfg, err, errlen) < 0)
		return -1;
	uint64_t f = spin_lock_irqsave(&cfg_lock);
	if (!cfg_ready) {
		uint32_t a, b, c, d;
		cpuid(1, &a, &b, &c, &d);
		svm_host_xsave = c & (1u << 27);         /* OSXSAVE */
		svm_cfg = cfg;
		svm_cfg.virq_inject = under_qemu_tcg(c);
		cfg_ready = true;
	}
	spin_unlock_irqrestore(&cfg_lock, f);

	struct svm_pcpu *p = &svm_pcpus[cpu_id()];
	if (!p->hsave_pa)
		p->hsave_pa = page_alloc_contig(1);
	if (!p->host_pa)
		p->host_pa = page_alloc_contig(1);
	if (!p->hsave_pa || !p->host_pa)
		return fmt_error(err, errlen, "out of memory for the host save area");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, p->hsave_pa);
	/* The host's FS, GS (this_cpu()), TR and the rest of the VMLOAD state,
	 * as the entry stub restores it after each #VMEXIT. */
	__asm__ volatile("vmsave %%rax" :: "a"(p->host_pa) : "memory");
	p->next_asid = 1;
	p->asid_gen = 1;
	return 0;
}

static void svm_describe(char *buf, size_t len)
{
	size_t n = svm_caps_describe(&svm_cfg, buf, len);
	if (svm_cfg.virq_inject && n < len)
		fmt_snprintf(buf + n, len - n, "; interrupts through v_irq (QEMU's TCG)");
}

static const struct vmm_backend svm_backend = {
	.name = "svm",
	.probe = svm_probe,
	.cpu_init = svm_cpu_init,
	.describe = svm_describe,
	.vm_init = svm_vm_init,
	.vm_map_ram = svm_vm_map_ram,
	.vm_destroy = svm_vm_destroy,
	.vcpu_init = svm_vcpu_init,
	.vcpu_destroy = svm_vcpu_destroy,
	.vcpu_set_boot = svm_vcpu_set_boot,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.enter = svm_enter_guest,
	.get_reg = svm_get_reg,
	.set_reg = svm_set_reg,
	.get_seg = svm_get_seg,
	.set_seg = svm_set_seg,
	.get_cpl = svm_get_cpl,
	.get_code_bits = svm_get_code_bits,
	.get_intr_state = svm_get_intr_state,
	.skip_insn = svm_skip_insn,
	.inject = svm_inject,
	.set_windows = svm_set_windows,
	.flush_tlb = svm_flush_tlb,
	.set_tsc_offset = svm_set_tsc_offset,
	.vcpu_dump = svm_dump,
};
VMM_BACKEND(svm_backend);
