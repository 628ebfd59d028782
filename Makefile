# lhv: a tiny VT-x research hypervisor for studying lock-holder preemption.
#
#   make            build/hv.elf, the host simulator and the guest test kernels
#   make iso        build/hv.iso (GRUB, multiboot2)
#   make run        install what is missing, boot the default configuration
#   make test       install what is missing, run every test (unit, simulator, boot)
#   make bench      benchmarks (figures go to docs/benchmarks.md by hand);
#                   make bench QUICK=1 leaves out the Linux boot (under a minute)
#
# Each area adds its own rules in a module.mk next to its sources; this file
# only holds the shared toolchain settings and the top-level targets.

BUILD    ?= build
CC       ?= gcc
HOSTCC   ?= gcc
SCHED    ?= all
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

# Freestanding flags for everything linked into hv.elf.
HV_CFLAGS := -std=c11 -O2 -g -ffreestanding -fno-builtin -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=small \
	-mno-sse -mno-sse2 -mno-mmx -mno-80387 -mgeneral-regs-only \
	-fno-omit-frame-pointer -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -I. -DHV_KERNEL -flto
HV_ASFLAGS := -g -D__ASSEMBLY__ -I. -I$(BUILD)/gen -DHV_KERNEL
# Link-time optimization: the VMM is split by concern and crosses its
# backend boundary through function pointers, yet its exit path stays as
# short as one file's would be (docs/HACKING.md, "Exit path cost").
HV_LDFLAGS := $(HV_CFLAGS) -flto=auto -nostdlib -static -Wl,--no-warn-rwx-segments -Wl,--build-id=none -z max-page-size=0x1000 -z noexecstack -T linker.ld

# Host flags: pure logic compiled for unit tests and the simulator.
HOST_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow \
	-Wno-unused-parameter -I. -DHV_HOST -D_DEFAULT_SOURCE
HOST_SAN    := -fsanitize=address,undefined -fno-omit-frame-pointer

# Sources of the hypervisor image. Areas append to HV_SRCS in module.mk.
HV_DIRS := boot core hw vmm vmm/vm vmm/dev vmm/pv vmm/emul vmm/load vmm/run vmm/vmx vmm/svm
HV_SRCS := $(foreach d,$(HV_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
# Generators of structure offsets (compiled, not linked): */asm_offsets_*.c
HV_OFFSET_SRCS := $(filter %/asm_offsets.c,$(HV_SRCS))
HV_SRCS := $(filter-out %/asm_offsets.c,$(HV_SRCS))

UNIT_TESTS :=
HOST_TOOLS :=
GUEST_BINS :=
TEST_DEPS  :=

.PHONY: all iso run test bench clean deps unit test-deps
all: $(BUILD)/hv.elf

-include $(sort $(wildcard */module.mk */*/module.mk))

# The scheduling framework and the policies chosen with SCHED= (compiled
# with $(SCHED_DEFS), see sched/module.mk); vmm/run/sched_env_hv.c is its env.
HV_SRCS += $(SCHED_SRCS)

HV_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(filter %.c,$(HV_SRCS))) \
           $(patsubst %.S,$(BUILD)/obj/%.o,$(filter %.S,$(HV_SRCS)))

all: $(HOST_TOOLS) $(GUEST_BINS)

# Structure offsets for assembly, generated from C (never typed by hand).
$(BUILD)/gen/asm_offsets.h: core/asm_offsets.c $(wildcard core/*.h vmm/*.h vmm/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -fno-lto -S -o $(BUILD)/gen/asm_offsets.s $<
	sed -n 's/.*@@OFFSET \([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/#define \1 \2/p' \
		$(BUILD)/gen/asm_offsets.s > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.o: %.S $(BUILD)/gen/asm_offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(HV_ASFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/hv.elf: $(HV_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(HV_LDFLAGS) -o $@ $(HV_OBJS) -lgcc
	@grub-file --is-x86-multiboot2 $@ 2>/dev/null || \
		{ command -v grub-file >/dev/null && { echo "$@: not multiboot2"; rm -f $@; exit 1; } || true; }

iso: $(BUILD)/hv.iso
$(BUILD)/hv.iso: $(BUILD)/hv.elf scripts/mkiso.sh
	scripts/mkiso.sh -o $@ -k $(BUILD)/hv.elf

deps:
	@scripts/setup.sh

# run, test and bench install what is missing first, then build in a fresh
# make: on a new machine the compiler flags above could not be computed yet.
# The default guests are prepared only when no guest was given
# (HV_MODULES / HV_MODULES_FILE, see scripts/run.sh -h).
run: deps
	$(MAKE) --no-print-directory all
	$(if $(HV_MODULES)$(filter-out undefined,$(origin HV_MODULES_FILE)),,guest/linux/default-guests.sh $(BUILD))
	scripts/run.sh

unit: $(UNIT_TESTS)

test: deps
	$(MAKE) --no-print-directory all unit test-deps
	scripts/run-tests.sh

test-deps: $(TEST_DEPS)

# QUICK=1: leave out the minutes-long Linux guest boot benchmark.
bench: deps
	$(MAKE) --no-print-directory all
	scripts/bench.sh $(if $(filter 1,$(QUICK)),--quick)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
