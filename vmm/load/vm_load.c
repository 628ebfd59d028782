/* Guest kernel loading: Multiboot (v1) ELF kernels and Linux bzImages.
 * The pure parsers (loader_mb1.c, loader_linux.c, acpi_build.c) decide the
 * layout; this file copies into guest RAM and fills in vCPU 0's entry. */
#include "vmm/load/vm_load.h"
#include "vmm/load/loader_linux.h"
#include "vmm/load/loader_pvh.h"
#include "vmm/load/acpi_build.h"
#include "vmm/vm/gpa.h"
#include "core/fmt.h"

/* Multiboot information lives below the kernel, above the real-mode area
 * guests use for AP trampolines. */
#define MBI_GPA  0x10000ull
#define MBI_SIZE 0xF000ull

static int load_acpi(struct vm *vm, char *err, size_t errlen);

static int load_mb1(struct vm *vm, const void *file, size_t len, const struct vm_module *mods,
		    size_t nmods, struct guest_entry *e, char *err, size_t errlen)
{
	static const struct mb1_range reserved[] = { { MBI_GPA, MBI_GPA + MBI_SIZE } };
	struct mb1_image img;
	if (mb1_load(file, len, vm->ram_size, reserved, 1, &img, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < img.nseg; i++) {
		const struct mb1_segment *s = &img.seg[i];
		/* RAM is zeroed already, so only the file part is copied. */
		if (!vm_write_gpa(vm, s->gpa, (const uint8_t *)file + s->offset, s->filesz))
			return fmt_error(err, errlen, "segment %u does not fit in guest RAM", i);
	}
	/* Modules: page-aligned (the header's bit 0 may ask for it) after the
	 * kernel's last byte, BSS included, where the Multiboot loaders put
	 * them (kvm-unit-tests reads its environment from there before it
	 * allocates anything), in RAM and below 4 GiB. */
	struct mb1_module mb[VM_MAX_MODULES];
	uint64_t at = ALIGN_UP(img.load_end, PAGE_SIZE);
	if (nmods > VM_MAX_MODULES)
		return fmt_error(err, errlen, "%zu modules (at most %u)", nmods, VM_MAX_MODULES);
	for (size_t i = 0; i < nmods; i++) {
		if (at + mods[i].len > MIN(vm->ram_size, 1ull << 32) ||
		    !vm_write_gpa(vm, at, mods[i].data, mods[i].len))
			return fmt_error(err, errlen, "module %zu (%zu bytes) does not fit in guest RAM "
					 "after the kernel (ends at %#llx)", i + 1, mods[i].len,
					 (unsigned long long)img.load_end);
		mb[i] = (struct mb1_module){ at, at + mods[i].len, mods[i].string ? mods[i].string : "" };
		at = ALIGN_UP(at + mods[i].len, PAGE_SIZE);
	}
	struct mb1_info_args args = { vm->ram_size, vm->cfg.cmdline, mb, nmods };
	void *buf = gpa_to_hva(vm, MBI_GPA, MBI_SIZE);
	if (mb1_build_info(buf, MBI_SIZE, MBI_GPA, &args, err, errlen) < 0)
		return -1;
	/* A PC's firmware leaves ACPI tables in the BIOS area whatever boot
	 * loader runs next (kvm-unit-tests finds the PM timer and the FACS
	 * there); the memory map already reserves 640 KiB-1 MiB. */
	if (load_acpi(vm, err, errlen) < 0)
		return -1;
	boot_state_flat32(&e->bs, (uint32_t)img.entry);
	e->rax = MB1_BOOT_MAGIC;
	e->rbx = MBI_GPA;
	return 0;
}

/* The VM's ACPI tables in the BIOS area, where Linux also finds them by
 * scanning (vmm/load/acpi_build.h). */
static int load_acpi(struct vm *vm, char *err, size_t errlen)
{
	struct acpi_build_args aargs = { .ncpus = vm->cfg.vcpus };
	size_t asize = acpi_build_size(vm->cfg.vcpus);
	void *abuf = gpa_to_hva(vm, ACPI_BUILD_RSDP_GPA, asize);
	struct acpi_layout layout;
	if (!abuf || ACPI_BUILD_RSDP_GPA + asize > LINUX_HIGH_RAM_START)
		return fmt_error(err, errlen, "ACPI tables for %u vCPUs do not fit in the BIOS area",
				 vm->cfg.vcpus);
	return acpi_build(abuf, asize, ACPI_BUILD_RSDP_GPA, &aargs, &layout, err, errlen);
}

/* An uncompressed kernel (vmlinux) through its PVH entry: no decompressor
 * runs, which saves most of a Linux boot under emulation (docs/linux.md).
 * The start info carries the memory map, command line, initrd and RSDP;
 * the vCPU starts as a Multiboot one does, with EBX = the start info. */
static int load_pvh(struct vm *vm, const void *file, size_t len, const void *initrd,
		    size_t initrd_len, struct guest_entry *e, char *err, size_t errlen)
{
	size_t asize = acpi_build_size(vm->cfg.vcpus);
	const struct pvh_range acpi = { ACPI_BUILD_RSDP_GPA, ACPI_BUILD_RSDP_GPA + asize, PVH_MEM_ACPI };
	struct pvh_load_args args = {
		.ram_size = vm->ram_size,
		.cmdline = vm->cfg.cmdline,
		.initrd_size = initrd ? initrd_len : 0,
		.acpi_rsdp = ACPI_BUILD_RSDP_GPA,
		.reserved = &acpi,
		.nreserved = 1,
	};
	static struct pvh_image img;    /* VMs are created one at a time, on the BSP */
	if (pvh_elf_load(file, len, &args, &img, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < img.nseg; i++) {
		const struct pvh_segment *s = &img.seg[i];
		/* RAM is zeroed already, so only the file part is copied. */
		if (!vm_write_gpa(vm, s->gpa, (const uint8_t *)file + s->offset, s->filesz))
			return fmt_error(err, errlen, "segment %u does not fit in guest RAM", i);
	}
	if (initrd && !vm_write_gpa(vm, img.initrd_gpa, initrd, initrd_len))
		return fmt_error(err, errlen, "the initrd does not fit in guest RAM");
	size_t isize = pvh_start_info_size(&img, &args);
	void *ibuf = gpa_to_hva(vm, img.start_info_gpa, isize);
	if (!ibuf || pvh_build_start_info(ibuf, isize, &img, &args, err, errlen) < 0)
		return -1;
	if (load_acpi(vm, err, errlen) < 0)
		return -1;
	boot_state_flat32(&e->bs, img.entry);
	e->rbx = img.start_info_gpa;
	return 0;
}

/* Linux: boot protocol 2.12+ with the 64-bit entry (boot.rst, "64-bit boot
 * protocol"): boot_params in RSI, identity-mapped page tables covering the
 * kernel, boot_params and command line, __BOOT_CS/__BOOT_DS flat segments.
 * ACPI tables go to the BIOS area where Linux also finds them by scanning;
 * boot_params.acpi_rsdp_addr names them directly. */
static int load_linux(struct vm *vm, const void *file, size_t len, const void *initrd,
		      size_t initrd_len, struct guest_entry *e, char *err, size_t errlen)
{
	if (!initrd)
		return fmt_error(err, errlen, "a Linux guest needs an initrd: add a module line "
				 "'vm=%s initrd'", vm->name);
	struct linux_load_args args = {
		.ram_size = vm->ram_size,
		.cmdline = vm->cfg.cmdline,
		.initrd_size = initrd_len,
		.acpi_rsdp = ACPI_BUILD_RSDP_GPA,
	};
	struct linux_image img;
	if (linux_load(file, len, &args, &img, err, errlen) < 0)
		return -1;
	if (!img.has_entry64)
		return fmt_error(err, errlen, "the kernel has no 64-bit entry point (xloadflags bit 0)");
	if (!vm_write_gpa(vm, img.kernel_gpa, (const uint8_t *)file + img.kernel_offset, img.kernel_len) ||
	    !vm_write_gpa(vm, img.cmdline_gpa, vm->cfg.cmdline, img.cmdline_len) ||
	    !vm_write_gpa(vm, img.initrd_gpa, initrd, initrd_len))
		return fmt_error(err, errlen, "the kernel, command line or initrd does not fit in guest RAM");
	void *zp = gpa_to_hva(vm, img.boot_params_gpa, LINUX_BP_SIZE);
	if (!zp || linux_build_boot_params(zp, LINUX_BP_SIZE, file, len, &img, &args, err, errlen) < 0)
		return -1;

	if (load_acpi(vm, err, errlen) < 0)
		return -1;

	/* Map all of RAM (at least 1 GiB): the kernel's own early page tables
	 * take over soon, but it must reach itself and boot_params first. */
	uint64_t map = ALIGN_UP(MAX(vm->ram_size, GiB(1)), GiB(1));
	size_t ptsize = linux_identity_pt_size(map);
	void *ptbuf = gpa_to_hva(vm, LINUX_PT_GPA, ptsize);
	struct linux_pt pt;
	if (!ptbuf || ptsize > LINUX_PT_MAX_BYTES)
		return fmt_error(err, errlen, "no room for the boot page tables");
	if (linux_build_identity_pt(ptbuf, ptsize, LINUX_PT_GPA, map, &pt, err, errlen) < 0)
		return -1;
	struct x86_dtr gdt = { pt.gdt_base, pt.gdt_limit };
	boot_state_long64(&e->bs, img.entry64, pt.cr3, &gdt,
			  LINUX_BOOT_CS, SEG_ATTR_FROM_DESC(LINUX_BOOT_CS_AR),
			  LINUX_BOOT_DS, SEG_ATTR_FROM_DESC(LINUX_BOOT_DS_AR));
	e->rsi = img.boot_params_gpa;
	return 0;
}

int vm_load_kernel(struct vm *vm, enum guest_image_kind kind, const void *file, size_t len,
		   const void *initrd, size_t initrd_len, const struct vm_module *mods,
		   size_t nmods, struct guest_entry *e, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	if (nmods && kind != GUEST_IMAGE_MB1)
		return fmt_error(err, errlen, "module lines were given but the kernel is not a "
				 "Multiboot kernel (modules are for Multiboot guests)");
	switch (kind) {
	case GUEST_IMAGE_MB1:
		if (initrd)
			return fmt_error(err, errlen, "an initrd was given but the kernel is a Multiboot "
					 "kernel (initrds are for Linux guests; a Multiboot guest takes "
					 "'vm=%s module' lines)", vm->name);
		return load_mb1(vm, file, len, mods, nmods, e, err, errlen);
	case GUEST_IMAGE_LINUX_BZIMAGE:
		return load_linux(vm, file, len, initrd, initrd_len, e, err, errlen);
	case GUEST_IMAGE_PVH:
		return load_pvh(vm, file, len, initrd, initrd_len, e, err, errlen);
	default:
		return fmt_error(err, errlen, "not a kernel: no Multiboot header, no Linux boot signature "
				 "and not an ELF64 kernel with a PVH entry");
	}
}
