# guest/linux/: Linux guests: the guest-side workload; kernels and the
# initramfs are made by the scripts here (fetch-kernels.sh, mkinitramfs.sh),
# not by make. (The loaders' unit tests are in vmm/module.mk.)

# mtwork: static multi-threaded workload for the initramfs (host gcc, glibc).
# mkinitramfs.sh builds its own copy; this target keeps it compiling.
GUEST_BINS += $(BUILD)/guest/linux/mtwork
$(BUILD)/guest/linux/mtwork: guest/linux/mtwork.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -static -O2 -pthread -Wall -Wextra -Werror -o $@ $<
