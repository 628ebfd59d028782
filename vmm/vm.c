/* VM creation from boot modules, the VM lifecycle and the final summary. */
#include "vmm/vm.h"
#include "vmm/vmm.h"
#include "vmm/backend.h"
#include "vmm/vlapic.h"
#include "vmm/loader_mb1.h"
#include "vmm/vm_load.h"
#include "vmm/vdev.h"
#include "vmm/acpi_build.h"
#include "vmm/run.h"
#include "core/fmt.h"
#include "core/log.h"
#include "core/mm.h"
#include "core/percpu.h"
#include "hw/power.h"
#include "hw/x86.h"

struct vm *vms[VM_MAX];
unsigned nvms;
const struct vmm_backend *backend;
static volatile unsigned vms_live;

const char *vm_stop_reason_name(int why)
{
	static const char *const names[] = { "poweroff", "exit", "fault", "error" };
	return why >= 0 && why < 4 ? names[why] : "?";
}

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
		backend->vcpu_destroy(vm->vcpus[i]);
		kfree(vm->vcpus[i]);
	}
	vdev_destroy(vm);
	backend->vm_destroy(vm);
	kfree(vm);
}

static struct vm *vm_create(const struct vm_config *cfg, const void *file, size_t len,
			    const void *initrd, size_t initrd_len, char *err, size_t errlen)
{
	enum guest_image_kind kind = guest_image_kind(file, len);
	if (kind == GUEST_IMAGE_UNKNOWN) {
		fmt_snprintf(err, errlen, "not a kernel: no Multiboot header and no Linux boot signature");
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
	if (vm_load_kernel(vm, kind, file, len, initrd, initrd_len, &entry, err, errlen) < 0)
		goto fail;
	vuart_init(&vm->uart, vm->name);
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
		if (backend->vcpu_init(v, err, errlen) < 0 || vlapic_create(v) < 0) {
			fmt_snprintf(err, errlen, "cannot create vCPU %u", i);
			goto fail;
		}
		if (i == 0) {
			backend->vcpu_set_boot(v, &entry.bs);
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

/* Module lines are read twice: first the initrds ("vm=<name> initrd"),
 * then the kernels, each taking the initrd with its VM's name. */
static struct vm_config mod_cfg[BOOT_MAX_MODULES];
static bool mod_ok[BOOT_MAX_MODULES], initrd_used[BOOT_MAX_MODULES];

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
	struct vm *vm = vm_create(cfg, phys_to_virt(m->start), (size_t)(m->end - m->start),
				  initrd, initrd_len, err, sizeof(err));
	if (!vm) {
		report_bad_module(cfg, i, err);
		return;
	}
	const char *serr;
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
		if (mod_ok[i] && !mod_cfg[i].is_initrd)
			create_one(bi, i);
	/* An initrd is an orphan only if no kernel line names its VM at all;
	 * one whose kernel was refused needs no second error. */
	for (unsigned i = 0; i < bi->nmods; i++) {
		if (!mod_ok[i] || !mod_cfg[i].is_initrd || initrd_used[i])
			continue;
		bool named = false;
		for (unsigned j = 0; j < bi->nmods; j++)
			named |= !mod_cfg[j].is_initrd && !strcmp(mod_cfg[j].name, mod_cfg[i].name);
		if (!named)
			report_bad_module(&mod_cfg[i], i, "initrd for a VM that has no kernel module");
	}
}

void vmm_start(const struct boot_info *bi)
{
	/* The scheduling policy first: a bad sched= stops the machine even
	 * without guests, and every VM is added under the chosen policy.
	 * Without sched=, the build's default (the first of make SCHED=...,
	 * free in a default build). */
	const char *serr;
	if (run_sched_init(npcpus, vmm_sched_name[0] ? vmm_sched_name : NULL, &serr) < 0) {
		hv_error("%s", serr);
		machine_poweroff();
	}
	pr_info("sched: policy %s", sched_active_name());
	if (!bi->nmods) {
		pr_info("vmm: no guests configured");
		machine_poweroff();
	}
	char err[200];
	backend = &vmx_backend;
	if (backend->cpu_init(err, sizeof(err)) < 0) {
		hv_error("%s: cannot run guests", err);
		machine_poweroff();
	}
	char line[256];
	backend->describe(line, sizeof(line));
	pr_info("vmx: %s", line);
	create_vms(bi);
	if (!nvms) {
		hv_error("no guest could be started");
		machine_poweroff();
	}
	vms_live = nvms;
	for (unsigned i = 0; i < nvms; i++) {
		hv_contract("VM %s started vcpus=%u mem=%lluM", vms[i]->name, vms[i]->nvcpus,
			    (unsigned long long)(vms[i]->ram_size >> 20));
	}
	run_start();
	vmm_pcpu_loop();
}

void vm_stop(struct vm *vm, enum vm_stop_reason why, uint64_t code, const char *detail)
{
	uint64_t f = spin_lock_irqsave(&vm->lock);
	if (vm->state != VM_RUNNING) {
		spin_unlock_irqrestore(&vm->lock, f);
		return;
	}
	vm->state = VM_STOPPING;
	vm->stop_reason = why;
	vm->stop_code = code;
	spin_unlock_irqrestore(&vm->lock, f);
	if (detail)
		pr_err("vm %s: %s", vm->name, detail);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);
}

static void print_summary(void)
{
	pr_info("summary: %u VM(s)", nvms);
	for (unsigned i = 0; i < nvms; i++) {
		struct vm *vm = vms[i];
		uint64_t total = 0;
		char buf[400];
		size_t n = 0;
		for (unsigned r = 0; r <= VMM_EXIT_REASONS; r++) {
			if (!vm->exit_count[r])
				continue;
			total += vm->exit_count[r];
			n += (size_t)fmt_snprintf(buf + MIN(n, sizeof(buf)), sizeof(buf) - MIN(n, sizeof(buf)),
						  " %s=%llu", r == VMM_EXIT_REASONS ? "other" : backend->exit_name(r),
						  (unsigned long long)vm->exit_count[r]);
		}
		pr_info("summary: vm %s stopped reason=%s, exits %llu:%s", vm->name,
			vm_stop_reason_name(vm->stop_reason), (unsigned long long)total, buf);
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			struct vcpu *v = vm->vcpus[c];
			struct sched_stats st;
			sched_vcpu_stats(&v->sched, &st);
			/* Times in ms (run, steal = runnable but waiting) and us
			 * (wake-up to dispatch), from the scheduler's accounting. */
			uint64_t mean = st.wakeups_dispatched ? st.wake_lat_sum_ns / st.wakeups_dispatched : 0;
			pr_info("summary: vm %s vcpu%u run %llu.%03llu steal %llu.%03llu preempt %llu migr %llu "
				"wake max %llu mean %llu exits %llu",
				vm->name, c, (unsigned long long)(st.run_ns / 1000000),
				(unsigned long long)(st.run_ns / 1000 % 1000),
				(unsigned long long)(st.steal_ns / 1000000),
				(unsigned long long)(st.steal_ns / 1000 % 1000),
				(unsigned long long)st.preemptions, (unsigned long long)st.migrations,
				(unsigned long long)(st.wake_lat_max_ns / 1000), (unsigned long long)(mean / 1000),
				(unsigned long long)v->exits);
		}
	}
	run_print_summary();
}

void vcpu_stopped(struct vcpu *v)
{
	struct vm *vm = v->vm;
	if (__atomic_add_fetch(&vm->nstopped, 1, __ATOMIC_ACQ_REL) != vm->nvcpus)
		return;
	/* Last vCPU out: the VM is done. */
	uint64_t f = spin_lock_irqsave(&vm->lock);
	vuart_flush(&vm->uart);
	vm->state = VM_STOPPED;
	spin_unlock_irqrestore(&vm->lock, f);
	if (vm->stop_reason == STOP_EXIT)
		hv_contract("VM %s stopped reason=exit code=%llu", vm->name, (unsigned long long)vm->stop_code);
	else
		hv_contract("VM %s stopped reason=%s", vm->name, vm_stop_reason_name(vm->stop_reason));
	if (__atomic_sub_fetch(&vms_live, 1, __ATOMIC_ACQ_REL) == 0) {
		print_summary();
		machine_poweroff();
	}
}
