/* The VMM's start: the hardware backend and the scheduling policy, then one
 * VM per guest module line (kernel, initrd, devices, vCPUs), then the run
 * loops. What happens after that is vmm/run/'s. */
#include "vmm/vmm.h"
#include "vmm/vm/backend.h"
#include "vmm/emul/emul.h"
#include "vmm/dev/vlapic.h"
#include "vmm/dev/vdev.h"
#include "vmm/load/loader_mb1.h"
#include "vmm/load/vm_load.h"
#include "vmm/load/acpi_build.h"
#include "vmm/run/run.h"
#include "vmm/pv/pv.h"
#include "core/cmdline.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "hw/power.h"
#include "hw/x86.h"

/* sched=<policy> from the hypervisor command line (boot/main.c's table). */
char vmm_sched_name[VMM_SCHED_NAME_MAX] = "";

static void free_ram(struct vm *vm, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		page_free(vm->ram_chunks[i], 512);
	kfree(vm->ram_chunks);
	vm->ram_chunks = NULL;
}

static int alloc_ram(struct vm *vm, char *err, size_t errlen)
{
	unsigned n = (unsigned)(vm->ram_size >> 21);
	vm->ram_chunks = kzalloc(n * sizeof(uint64_t));
	if (!vm->ram_chunks)
		goto oom;
	for (unsigned i = 0; i < n; i++) {
		/* Zeroed by the allocator: a guest never sees old data. */
		vm->ram_chunks[i] = page_alloc_aligned(512, 512);
		if (!vm->ram_chunks[i]) {
			free_ram(vm, i);
			goto oom;
		}
	}
	return 0;
oom:
	fmt_snprintf(err, errlen, "mem=%lluM: not enough free memory (%llu MiB free)",
		     (unsigned long long)(vm->ram_size >> 20), (unsigned long long)(mm_free_bytes() >> 20));
	return -1;
}

static void vm_destroy_partial(struct vm *vm)
{
	/* Creation failed before any vCPU ran: give back what can be. */
	if (vm->ram_chunks)
		free_ram(vm, (unsigned)(vm->ram_size >> 21));
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		vlapic_destroy(vm->vcpus[i]);
		fpu_vcpu_destroy(vm->vcpus[i]);
		backend->vcpu_destroy(vm->vcpus[i]);
		kfree(vm->vcpus[i]);
	}
	vdev_destroy(vm);
	backend->vm_destroy(vm);
	kfree(vm);
}

static struct vm *vm_create(const struct vm_config *cfg, const void *file, size_t len,
			    const void *initrd, size_t initrd_len, const struct vm_module *mods,
			    size_t nmods, char *err, size_t errlen)
{
	enum guest_image_kind kind = guest_image_kind(file, len);
	if (kind == GUEST_IMAGE_UNKNOWN) {
		fmt_snprintf(err, errlen, "not a kernel: no Multiboot header, no Linux boot signature "
			     "and not an ELF64 kernel with a PVH entry");
		return NULL;
	}
	if (nvms >= VM_MAX) {
		fmt_snprintf(err, errlen, "too many VMs (at most %u)", VM_MAX);
		return NULL;
	}
	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm) {
		fmt_snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vm->cfg = *cfg;
	lib_strlcpy(vm->name, cfg->name, sizeof(vm->name));
	vm->ram_size = cfg->mem;
	vm->id = nvms;
	struct guest_entry entry;
	if (alloc_ram(vm, err, errlen) < 0 || backend->vm_init(vm, err, errlen) < 0)
		goto fail;
	for (uint64_t i = 0; i < vm->ram_size >> 21; i++) {
		if (backend->vm_map_ram(vm, i << 21, vm->ram_chunks[i], MiB(2)) != 0) {
			fmt_snprintf(err, errlen, "cannot map guest RAM");
			goto fail;
		}
	}
	if (vm_load_kernel(vm, kind, file, len, initrd, initrd_len, mods, nmods, &entry, err, errlen) < 0)
		goto fail;
	struct vdev_config dcfg = { .pm_base = ACPI_BUILD_PM_BASE, .sci_gsi = ACPI_BUILD_SCI_IRQ };
	if (vdev_create(vm, &dcfg) < 0) {
		fmt_snprintf(err, errlen, "out of memory for the platform devices");
		goto fail;
	}
	vm->tsc_offset = -(int64_t)rdtsc();
	vm->created_ns = time_now();
	for (unsigned i = 0; i < cfg->vcpus; i++) {
		struct vcpu *v = kzalloc(sizeof(*v));
		if (!v) {
			fmt_snprintf(err, errlen, "out of memory for vCPU %u", i);
			goto fail;
		}
		vm->vcpus[i] = v;
		vm->nvcpus = i + 1;
		v->vm = vm;
		v->id = i;
		v->apic_id = i;
		v->pcpu = -1;
		v->sipi_vector = -1;
		pv_vcpu_init(v);
		if (backend->vcpu_init(v, err, errlen) < 0 || vlapic_create(v) < 0 ||
		    fpu_vcpu_init(v) < 0) {
			fmt_snprintf(err, errlen, "cannot create vCPU %u", i);
			goto fail;
		}
		if (i == 0) {
			emul_vcpu_reset(v, &entry.bs);
			v->gpr[GPR_RAX] = entry.rax;
			v->gpr[GPR_RBX] = entry.rbx;
			v->gpr[GPR_RSI] = entry.rsi;
			v->state = VCPU_RUNNABLE;
		} else {
			v->state = VCPU_WAIT_SIPI;  /* application processors wait */
		}
	}
	return vm;
fail:
	vm_destroy_partial(vm);
	return NULL;
}

static void report_bad_module(const struct vm_config *cfg, unsigned idx, const char *err)
{
	/* Contract: "HV ERROR vm=<name> <text>"; the parser prefixes its
	 * messages with "vm=<name>: ", which is folded into that form. */
	char name[VM_NAME_MAX + 12];
	if (cfg->name[0])
		lib_strlcpy(name, cfg->name, sizeof(name));
	else
		fmt_snprintf(name, sizeof(name), "module%u", idx);
	size_t plen = strlen(name);
	if (!strncmp(err, "vm=", 3) && !strncmp(err + 3, name, plen) && err[3 + plen] == ':')
		err += 3 + plen + 1 + (err[4 + plen] == ' ');
	hv_error("vm=%s %s", name, err);
}

/* Module lines are read twice: first the initrds ("vm=<name> initrd") and
 * Multiboot modules ("vm=<name> module"), then the kernels, each taking
 * the initrd and the modules with its VM's name. */
static struct vm_config mod_cfg[BOOT_MAX_MODULES];
static bool mod_ok[BOOT_MAX_MODULES], initrd_used[BOOT_MAX_MODULES];

static bool attached(const struct vm_config *c)
{
	return c->is_initrd || c->is_module;
}

static int find_initrd(const struct boot_info *bi, const char *name, unsigned self)
{
	int found = -1;
	for (unsigned i = 0; i < bi->nmods; i++) {
		if (i == self || !mod_ok[i] || !mod_cfg[i].is_initrd || strcmp(mod_cfg[i].name, name))
			continue;
		if (found >= 0) {
			hv_error("vm=%s more than one initrd module; using the first", name);
			break;
		}
		found = (int)i;
	}
	return found;
}

/* Create the VM of kernel module i (its line parsed into mod_cfg[i]); any
 * refusal is reported as "HV ERROR vm=<name> ..." and the VM dropped. */
static void create_one(const struct boot_info *bi, unsigned i)
{
	const struct boot_module *m = &bi->mods[i];
	const struct vm_config *cfg = &mod_cfg[i];
	char err[256];
	for (unsigned j = 0; j < nvms; j++) {
		if (!strcmp(vms[j]->name, cfg->name)) {
			report_bad_module(cfg, i, "a VM with this name already exists");
			return;
		}
	}
	int ird = find_initrd(bi, cfg->name, i);
	const void *initrd = NULL;
	size_t initrd_len = 0;
	if (ird >= 0) {
		initrd_used[ird] = true;
		initrd = phys_to_virt(bi->mods[ird].start);
		initrd_len = (size_t)(bi->mods[ird].end - bi->mods[ird].start);
	}
	/* Its Multiboot modules, in the order of their lines. */
	static struct vm_module vmods[BOOT_MAX_MODULES];
	size_t nvmods = 0;
	for (unsigned j = 0; j < bi->nmods; j++) {
		if (!mod_ok[j] || !mod_cfg[j].is_module || strcmp(mod_cfg[j].name, cfg->name))
			continue;
		initrd_used[j] = true;
		vmods[nvmods++] = (struct vm_module){ phys_to_virt(bi->mods[j].start),
			(size_t)(bi->mods[j].end - bi->mods[j].start), mod_cfg[j].cmdline };
	}
	struct vm *vm = vm_create(cfg, phys_to_virt(m->start), (size_t)(m->end - m->start),
				  initrd, initrd_len, vmods, nvmods, err, sizeof(err));
	if (!vm) {
		report_bad_module(cfg, i, err);
		return;
	}
	const char *serr = NULL;
	if (run_vm_add(vm, &serr) < 0) {
		/* The policy refuses it (gang: more vCPUs than pCPUs). */
		report_bad_module(cfg, i, serr);
		vm_destroy_partial(vm);
		return;
	}
	vms[nvms++] = vm;
}

static void create_vms(const struct boot_info *bi)
{
	char err[256];
	for (unsigned i = 0; i < bi->nmods; i++) {
		memset(&mod_cfg[i], 0, sizeof(mod_cfg[i]));
		mod_ok[i] = vm_config_parse(bi->mods[i].cmdline, mm_free_bytes(), &mod_cfg[i],
					    err, sizeof(err)) == 0;
		if (!mod_ok[i])
			report_bad_module(&mod_cfg[i], i, err);
	}
	for (unsigned i = 0; i < bi->nmods; i++)
		if (mod_ok[i] && !attached(&mod_cfg[i]))
			create_one(bi, i);
	/* An initrd or module is an orphan only if no kernel line names its
	 * VM at all; one whose kernel was refused needs no second error. */
	for (unsigned i = 0; i < bi->nmods; i++) {
		if (!mod_ok[i] || !attached(&mod_cfg[i]) || initrd_used[i])
			continue;
		bool named = false;
		for (unsigned j = 0; j < bi->nmods; j++)
			named |= !attached(&mod_cfg[j]) && !strcmp(mod_cfg[j].name, mod_cfg[i].name);
		if (!named)
			report_bad_module(&mod_cfg[i], i, mod_cfg[i].is_initrd ?
					  "initrd for a VM that has no kernel module" :
					  "module for a VM that has no kernel module");
	}
}

/* Every <policy>.<knob>=<value> word of the hypervisor command line goes
 * to sched_set_param, in order, before the policy is selected
 * (docs/scheduling.md, "Knobs"). Each refused one is an HV ERROR naming
 * it; any refusal powers the machine off (an experiment with a knob it
 * did not ask for is worth nothing). Returns true when one was refused. */
static bool apply_knobs(const char *line)
{
	const char *pos = line, *tail;
	struct cmdline_tok t;
	bool bad = false;
	while (cmdline_next(&pos, &t, &tail)) {
		size_t dot = 0;
		while (dot < t.keylen && t.key[dot] != '.')
			dot++;
		if (dot == t.keylen)
			continue;
		char key[48], val[48];
		const char *err;
		if (!t.val || t.keylen >= sizeof(key) || t.vallen >= sizeof(val)) {
			hv_error("bad scheduler knob '%.*s' (expected <policy>.<knob>=<value>)",
				 (int)t.keylen, t.key);
			bad = true;
			continue;
		}
		memcpy(key, t.key, t.keylen);
		key[t.keylen] = '\0';
		memcpy(val, t.val, t.vallen);
		val[t.vallen] = '\0';
		if (sched_set_param(key, val, &err) < 0) {
			hv_error("%s", err);
			bad = true;
		} else {
			pr_info("sched: %s=%s", key, val);
		}
	}
	return bad;
}

void vmm_start(const struct boot_info *bi)
{
	/* The scheduling policy first: a bad sched= stops the machine even
	 * without guests, and every VM is added under the chosen policy.
	 * Without sched=, the build's default (the first of make SCHED=...,
	 * free in a default build). */
	const char *serr = NULL;
	if (run_sched_init(npcpus, NULL, &serr) < 0 || apply_knobs(bi->cmdline) ||
	    (vmm_sched_name[0] && sched_select(vmm_sched_name, &serr) < 0)) {
		if (serr)
			hv_error("%s", serr);
		machine_poweroff();
	}
	pr_info("sched: policy %s", sched_active_name());
	if (!bi->nmods) {
		pr_info("vmm: no guests configured");
		machine_poweroff();
	}
	char err[200];
	backend = backend_select(err, sizeof(err));
	if (!backend || backend->cpu_init(err, sizeof(err)) < 0) {
		hv_error("%s: cannot run guests", err);
		machine_poweroff();
	}
	fpu_host_init();
	char line[256];
	backend->describe(line, sizeof(line));
	pr_info("%s: %s", backend->name, line);
	create_vms(bi);
	if (!nvms) {
		hv_error("no guest could be started");
		machine_poweroff();
	}
	run_set_live_vms(nvms);
	for (unsigned i = 0; i < nvms; i++) {
		hv_contract("VM %s started vcpus=%u mem=%lluM", vms[i]->name, vms[i]->nvcpus,
			    (unsigned long long)(vms[i]->ram_size >> 20));
	}
	run_start();
	run_pcpu_loop();
}

void vmm_pcpu_loop(void)
{
	run_pcpu_loop();
}
