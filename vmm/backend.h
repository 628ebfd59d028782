/* The interface between the generic VMM and a hardware backend (VT-x now,
 * AMD-V later). Generic code calls only these; the backend calls back into
 * the generic device models (vmm/vmm_exits.h) from its exit handlers. */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H
#include "vmm/vm.h"

/* How a vCPU starts. */
enum vcpu_boot_mode {
	BOOT_PM32_FLAT,   /* 32-bit protected mode, flat segments, paging off (Multiboot) */
	BOOT_REAL_SIPI,   /* real mode at vector<<12 (after a SIPI) */
	BOOT_LONG64,      /* 64-bit mode, paging on with cr3, flat CS/DS from the
			   * guest's GDT (Linux boot protocol's 64-bit entry) */
};

struct vcpu_boot_state {
	enum vcpu_boot_mode mode;
	uint64_t rip;
	uint8_t sipi_vector;
	/* BOOT_LONG64 */
	uint64_t cr3, gdt_base;
	uint16_t gdt_limit, cs, ds;
	uint32_t cs_ar, ds_ar;
};

/* Why vcpu_run() came back to the generic run loop. */
enum vcpu_run_result {
	RUN_PREEMPT,      /* slice over or kicked: requeue */
	RUN_HALT,         /* guest halted with nothing pending */
	RUN_STOP,         /* the VM is stopping (or failed) */
	RUN_INIT,         /* INIT received: wait for SIPI */
};

struct vmm_backend {
	const char *name;
	/* Enable virtualization on the calling pCPU. 0, or -1 with err set. */
	int (*cpu_init)(char *err, size_t errlen);
	/* One line describing the features in use (boot log). */
	void (*describe)(char *buf, size_t len);
	int (*vm_init)(struct vm *vm, char *err, size_t errlen);
	/* Map [gpa, gpa+len) of guest-physical space to host memory at hpa. */
	int (*vm_map_ram)(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t len);
	int (*vcpu_init)(struct vcpu *v, char *err, size_t errlen);
	/* Free what vcpu_init/vm_init allocated (a VM that never ran, or
	 * whose creation failed half-way); safe on partial state. */
	void (*vcpu_destroy)(struct vcpu *v);
	void (*vm_destroy)(struct vm *vm);
	void (*vcpu_set_boot)(struct vcpu *v, const struct vcpu_boot_state *s);
	/* Run the guest on this pCPU until the generic loop must act. Called
	 * with interrupts off; host interrupts arriving meanwhile are handled
	 * inside (irq_dispatch) and make it return RUN_PREEMPT when the pCPU
	 * must reschedule. */
	enum vcpu_run_result (*vcpu_run)(struct vcpu *v);
	/* The vCPU leaves this pCPU (it may run elsewhere next). */
	void (*vcpu_put)(struct vcpu *v);
	uint64_t (*get_rsp)(struct vcpu *v);
	void (*set_rsp)(struct vcpu *v, uint64_t rsp);
	/* Dump the vCPU's state (exit reason, qualification, registers, controls). */
	void (*vcpu_dump)(struct vcpu *v);
	const char *(*exit_name)(unsigned reason);
};

extern const struct vmm_backend *backend;
extern const struct vmm_backend vmx_backend;

static inline uint64_t vcpu_get_gpr(struct vcpu *v, unsigned r)
{
	return r == GPR_RSP ? backend->get_rsp(v) : v->gpr[r & 15];
}
static inline void vcpu_set_gpr(struct vcpu *v, unsigned r, uint64_t val)
{
	if (r == GPR_RSP)
		backend->set_rsp(v, val);
	else
		v->gpr[r & 15] = val;
}

#endif
