# guest/linux/: Linux guests. Host unit tests of the pure Linux boot
# protocol loader and the VM ACPI table builder (vmm/), and the guest-side
# workload; kernels and the initramfs are made by the scripts here
# (fetch-kernels.sh, mkinitramfs.sh), not by make.

UNIT_TESTS += $(BUILD)/host/test_linux_boot $(BUILD)/host/test_acpi_build
$(BUILD)/host/test_linux_boot: tests/unit/test_linux_boot.c vmm/loader_linux.c core/fmt.c \
	vmm/loader_linux.h core/fmt.h core/lib.h
$(BUILD)/host/test_acpi_build: tests/unit/test_acpi_build.c vmm/acpi_build.c hw/acpi_tables.c \
	core/fmt.c vmm/acpi_build.h hw/acpi_tables.h core/fmt.h core/lib.h

# mtwork: static multi-threaded workload for the initramfs (host gcc, glibc).
# mkinitramfs.sh builds its own copy; this target keeps it compiling.
GUEST_BINS += $(BUILD)/guest/linux/mtwork
$(BUILD)/guest/linux/mtwork: guest/linux/mtwork.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -static -O2 -pthread -Wall -Wextra -Werror -o $@ $<
