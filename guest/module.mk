# Guest binaries: what runs inside the VMs.
#
# testkern.elf: a Multiboot v1 ELF32 test kernel (docs/testkern.md). 32-bit,
# so QEMU -kernel can boot it bare as well; no libgcc (Debian's 64-bit gcc
# has no 32-bit one), hence no 64-bit division in its sources.

TESTKERN_DIR  := guest/testkern
TESTKERN_SRCS := $(wildcard $(TESTKERN_DIR)/*.c) $(wildcard $(TESTKERN_DIR)/*.S)
TESTKERN_OBJS := $(patsubst %,$(BUILD)/guest/obj/%.o,$(basename $(TESTKERN_SRCS)))

# -mgeneral-regs-only: FPU/SSE are never set up (CR4.OSFXSR clear).
# -fno-tree-loop-distribute-patterns: keep gcc from turning our memset loop
# into a call to memset.
TESTKERN_CFLAGS := -m32 -march=i686 -std=c11 -O2 -g -ffreestanding -nostdlib \
	-fno-pic -fno-pie -fno-stack-protector -mgeneral-regs-only \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-I.
TESTKERN_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,-T,$(TESTKERN_DIR)/linker.ld

GUEST_BINS += $(BUILD)/guest/testkern.elf

$(BUILD)/guest/obj/$(TESTKERN_DIR)/%.o: $(TESTKERN_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(TESTKERN_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/guest/obj/$(TESTKERN_DIR)/%.o: $(TESTKERN_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(TESTKERN_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c -o $@ $<

$(BUILD)/guest/testkern.elf: $(TESTKERN_OBJS) $(TESTKERN_DIR)/linker.ld
	$(CC) $(TESTKERN_LDFLAGS) -o $@ $(TESTKERN_OBJS)
	@grub-file --is-x86-multiboot $@ 2>/dev/null || \
		{ command -v grub-file >/dev/null && { echo "$@: not multiboot"; rm -f $@; exit 1; } || true; }

-include $(TESTKERN_OBJS:.o=.d)

