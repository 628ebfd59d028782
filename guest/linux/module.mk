# guest/linux/: Linux guests: the guest-side workload; kernels and the
# initramfs are made by the scripts here (fetch-kernels.sh, mkinitramfs.sh),
# not by make. (The loaders' unit tests are in vmm/module.mk.)

# The guest workloads (docs/linux.md, "Guest workloads"): static programs for
# the initramfs, host gcc and glibc. mkinitramfs.sh builds its own copies
# (the same flags); these targets keep them compiling with `make`.
GUEST_WORK_CFLAGS := -std=gnu11 -static -O2 -pthread -Wall -Wextra -Werror
GUEST_WORK_SRCS := $(wildcard guest/linux/work/*.c)
GUEST_BINS += $(BUILD)/guest/linux/mtwork $(BUILD)/guest/linux/lhvwork $(BUILD)/guest/linux/lhvagent \
	$(BUILD)/guest/linux/lhvballoon
$(BUILD)/guest/linux/mtwork: guest/linux/mtwork.c guest/linux/work/wl.c guest/linux/work/wl.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(GUEST_WORK_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/guest/linux/lhvwork: $(GUEST_WORK_SRCS) $(wildcard guest/linux/work/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(GUEST_WORK_CFLAGS) -o $@ $(filter %.c,$^)
$(BUILD)/guest/linux/lhvagent: guest/linux/lhvagent.c guest/linux/lhv_hc.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(GUEST_WORK_CFLAGS) -o $@ $<
$(BUILD)/guest/linux/lhvballoon: guest/linux/lhvballoon.c guest/linux/lhv_hc.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(GUEST_WORK_CFLAGS) -o $@ $<
