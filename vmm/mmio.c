/* MMIO emulation: decode the faulting instruction and apply it to a device
 * model. Anything else outside RAM stops the VM. */
#include "vmm/vmm_exits.h"
#include "vmm/guest_mem.h"
#include "vmm/vlapic.h"
#include "vmm/vdev.h"
#include "vmm/x86_decode.h"
#include "vmm/backend.h"
#include "core/fmt.h"
#include "core/log.h"

typedef void (*mmio_fn)(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val);

static void lapic_fn(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	vlapic_mmio(v, (unsigned)off, size, write, val);
}

static void platform_fn(struct vcpu *v, uint64_t off, unsigned size, bool write, uint64_t *val)
{
	if (!vdev_mmio(v, VIOAPIC_BASE + off, size, write, val) && !write)
		*val = ~0ull;
}

static const struct { uint64_t base, len; mmio_fn fn; } devices[] = {
	{ VLAPIC_BASE, 0x1000, lapic_fn },
	{ VIOAPIC_BASE, 0x1000, platform_fn },
};

static int find_device(uint64_t gpa)
{
	for (unsigned i = 0; i < ARRAY_SIZE(devices); i++)
		if (gpa >= devices[i].base && gpa < devices[i].base + devices[i].len)
			return (int)i;
	return -1;
}

static unsigned fail(struct vcpu *v, const char *what, uint64_t gpa)
{
	char msg[128];
	fmt_snprintf(msg, sizeof(msg), "%s at gpa %#llx", what, (unsigned long long)gpa);
	vm_stop(v->vm, STOP_FAULT, 0, msg);
	return 0;
}

unsigned vmm_mmio(struct vcpu *v, const struct guest_mode *m, uint64_t gpa)
{
	int dev = find_device(gpa);
	if (dev < 0)
		return fail(v, "access outside RAM and devices", gpa);
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t n = guest_read_linear(v->vm, m, m->cs_base + m->rip, bytes, sizeof(bytes));
	if (!n)
		return fail(v, "cannot fetch the instruction accessing a device", gpa);
	struct x86_insn in;
	const char *err;
	enum x86_cpu_mode mode = m->cs_l ? X86_MODE_64 : m->cs_db ? X86_MODE_32 : X86_MODE_16;
	if (x86_decode(bytes, n, mode, &in, &err) < 0) {
		char msg[96];
		fmt_snprintf(msg, sizeof(msg), "undecodable device access (%s)", err);
		return fail(v, msg, gpa);
	}
	if (in.string)
		return fail(v, "string instruction on a device", gpa);
	mmio_fn fn = devices[dev].fn;
	uint64_t off = gpa - devices[dev].base, memval = 0, regval;
	uint64_t src = in.has_imm ? in.imm : in.reg >= 0 ?
		x86_reg_get(vcpu_get_gpr(v, (unsigned)in.reg), in.size, in.high8) : 0;
	switch (in.kind) {
	case X86_MMIO_READ:
		fn(v, off, in.size, false, &memval);
		regval = x86_extend(memval & x86_size_mask(in.size), in.size, in.reg_size, in.ext);
		vcpu_set_gpr(v, (unsigned)in.reg, x86_reg_set(vcpu_get_gpr(v, (unsigned)in.reg),
							    regval, in.reg_size, in.high8));
		break;
	case X86_MMIO_WRITE:
		memval = src & x86_size_mask(in.size);
		fn(v, off, in.size, true, &memval);
		break;
	case X86_MMIO_XCHG:
		fn(v, off, in.size, false, &memval);
		regval = src & x86_size_mask(in.size);
		fn(v, off, in.size, true, &regval);
		vcpu_set_gpr(v, (unsigned)in.reg, x86_reg_set(vcpu_get_gpr(v, (unsigned)in.reg),
							    memval, in.size, in.high8));
		break;
	case X86_MMIO_RMW:
	case X86_MMIO_CMP: {
		/* Flags are not reflected back: no device model needs them yet,
		 * and Linux never branches on flags from device memory ops. */
		uint64_t flags = 0;
		fn(v, off, in.size, false, &memval);
		uint64_t res = x86_alu(in.alu, memval, src, in.size, &flags);
		if (in.kind == X86_MMIO_RMW)
			fn(v, off, in.size, true, &res);
		break;
	}
	}
	return in.len;
}
