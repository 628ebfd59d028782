# Coverage-guided fuzz targets (docs/testing.md, "Fuzzing"): one libFuzzer
# binary per input surface, built with clang and AddressSanitizer +
# UndefinedBehaviorSanitizer (any report aborts). Each links the pure sources
# it exercises, like the unit tests; vlapic and vpit also link
# tests/fuzz/env/ (timers, clock, kick) with a host-safe hw/x86.h that
# shadows the real one (-Itests/fuzz/env comes first).
#
#   make fuzz                   every target for FUZZ_TIME seconds (default
#                               120, so about 40 minutes), one summary line
#                               per target: executions, exec/s, coverage
#                               (cov/ft), corpus, crashes
#   make fuzz FUZZ_TIME=30 FUZZ_TARGETS="decode vlapic"
#   make fuzz FUZZ_TIME=0 FUZZ_RUNS=10000000 FUZZ_JOBS=2
#                               exactly 10^7 inputs each, two at a time
#   make fuzz-bins              build them only ($(BUILD)/fuzz/fuzz_<name>)
#
# `make test` runs tests/fuzz/smoke.sh: every target for a few seconds on its
# committed seed corpus (tests/fuzz/corpus/<name>/).

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 120
FUZZ_RUNS    ?=
FUZZ_JOBS    ?= 1
FUZZ_WORKERS ?= 1
FUZZ_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-I. -DHV_HOST -D_DEFAULT_SOURCE -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_ALL     := mb2 pvh cmdline vmcfg mb1 linux loader_pvh acpi acpi_build decode \
	vioapic vpit vpic vrtc vacpi_pm vuart vlapic sched pv_abi gpa
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BINS    := $(FUZZ_ALL:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_ENV     := tests/fuzz/env/env.c tests/fuzz/env/env.h tests/fuzz/env/hw/x86.h

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_INC_$*) $(FUZZ_CFLAGS) $(FUZZ_CFLAGS_$*) -o $@ $(filter-out $(FUZZ_INCLUDED_$*),$(filter %.c,$^))

# Boot side: what the boot loader and the module lines hand in.
$(BUILD)/fuzz/fuzz_mb2: tests/fuzz/mb2.c boot/mb2.c core/fmt.c boot/mb2.h boot/bootinfo.h core/lib.h
$(BUILD)/fuzz/fuzz_pvh: tests/fuzz/pvh.c boot/pvh.c core/fmt.c boot/pvh.h boot/bootinfo.h core/lib.h
$(BUILD)/fuzz/fuzz_cmdline: tests/fuzz/cmdline.c core/cmdline.c core/fmt.c core/cmdline.h core/lib.h
$(BUILD)/fuzz/fuzz_vmcfg: tests/fuzz/vmcfg.c vmm/vm/config.c core/cmdline.c core/fmt.c \
	vmm/vm/config.h core/cmdline.h core/lib.h
$(BUILD)/fuzz/fuzz_mb1: tests/fuzz/mb1.c vmm/load/loader_mb1.c vmm/load/loader_pvh.c core/fmt.c \
	vmm/load/loader_mb1.h vmm/load/loader_pvh.h core/lib.h
$(BUILD)/fuzz/fuzz_linux: tests/fuzz/linux.c vmm/load/loader_linux.c core/fmt.c \
	vmm/load/loader_linux.h core/lib.h
$(BUILD)/fuzz/fuzz_loader_pvh: tests/fuzz/loader_pvh.c vmm/load/loader_pvh.c boot/pvh.c core/fmt.c \
	vmm/load/loader_pvh.h boot/pvh.h boot/bootinfo.h core/lib.h
$(BUILD)/fuzz/fuzz_acpi: tests/fuzz/acpi.c hw/acpi_tables.c core/fmt.c hw/acpi_tables.h core/lib.h
# Reading back up to 1024 CPUs is quadratic (the walker's duplicate-ID
# check); comparison tracing of that loop would cost two thirds of the time.
FUZZ_CFLAGS_acpi_build := -fno-sanitize-coverage=trace-cmp
$(BUILD)/fuzz/fuzz_acpi_build: tests/fuzz/acpi_build.c vmm/load/acpi_build.c hw/acpi_tables.c core/fmt.c \
	vmm/load/acpi_build.h hw/acpi_tables.h core/lib.h

# Guest side: instruction bytes and device register accesses.
$(BUILD)/fuzz/fuzz_decode: tests/fuzz/decode.c vmm/emul/x86_decode.c vmm/emul/x86_decode.h hw/x86_defs.h
$(BUILD)/fuzz/fuzz_vioapic: tests/fuzz/vioapic.c vmm/dev/vioapic_regs.c vmm/dev/vioapic_regs.h
$(BUILD)/fuzz/fuzz_vpic: tests/fuzz/vpic.c vmm/dev/vpic.c vmm/dev/vpic.h
# The RTC's calendar loops over the years since 1970 on every time read;
# without comparison tracing the target runs twice as fast (5000 exec/s).
FUZZ_CFLAGS_vrtc := -fno-sanitize-coverage=trace-cmp
$(BUILD)/fuzz/fuzz_vrtc: tests/fuzz/vrtc.c vmm/dev/vrtc.c vmm/dev/vrtc.h
$(BUILD)/fuzz/fuzz_vacpi_pm: tests/fuzz/vacpi_pm.c vmm/dev/vacpi_pm.c vmm/dev/vacpi_pm.h vmm/load/acpi_build.h
$(BUILD)/fuzz/fuzz_vuart: tests/fuzz/vuart.c vmm/dev/vuart.c vmm/dev/vuart.h
# Not pure: vpit.c (the port decoding and channel 0's host timer) and
# vlapic.c, each against the stub environment. vlapic.c is #included by its
# target, which checks the model's private state.
FUZZ_INC_vpit   := -Itests/fuzz/env
FUZZ_INC_vlapic := -Itests/fuzz/env
FUZZ_INCLUDED_vlapic := vmm/dev/vlapic.c
$(BUILD)/fuzz/fuzz_vpit: tests/fuzz/vpit.c vmm/dev/vpit.c vmm/dev/vpit_calc.c tests/fuzz/env/env.c \
	vmm/dev/vpit_calc.h vmm/dev/vdev_priv.h vmm/vm/vm.h $(FUZZ_ENV)
$(BUILD)/fuzz/fuzz_vlapic: tests/fuzz/vlapic.c tests/fuzz/env/env.c vmm/dev/vlapic.c vmm/dev/vlapic_rules.c vmm/dev/vlapic.h \
	vmm/vm/vm.h $(FUZZ_ENV)

# The scheduler: the framework and every policy file against the unit
# tests' scripted environment, whatever `make SCHED=` chose. pdelay.c is
# #included by the target, which checks its private delay state.
# Comparison tracing of the per-step checks took 60% of the time.
FUZZ_CFLAGS_sched   := -DSCHED_DEFAULT='"free"' -fno-sanitize-coverage=trace-cmp
FUZZ_INCLUDED_sched := sched/policy/pdelay.c
$(BUILD)/fuzz/fuzz_sched: tests/fuzz/sched.c tests/sched/fake_env.c $(SCHED_HOST_SRCS) $(SCHED_ALL_SRCS) \
	tests/sched/fake_env.h sched/sim/simenv.h $(SCHED_HDRS)

# The paravirtual interface's pure argument checks and record updates.
$(BUILD)/fuzz/fuzz_pv_abi: tests/fuzz/pv_abi.c vmm/pv/pv_abi.c vmm/pv/pv_abi.h core/lib.h
# Guest-physical access (the containment check of every PV record, hint
# area and loader write) and lhv's LHP argument checks; vm.h needs the stub
# hw/x86.h.
FUZZ_INC_gpa := -Itests/fuzz/env
$(BUILD)/fuzz/fuzz_gpa: tests/fuzz/gpa.c vmm/vm/gpa.c vmm/vm/gpa.h vmm/vm/vm.h vmm/pv/lhv_abi.h core/lib.h \
	tests/fuzz/env/hw/x86.h

.PHONY: fuzz fuzz-bins
fuzz-bins: $(FUZZ_BINS)

# scripts/fuzz.sh runs them; the summary goes to the terminal and to
# $(BUILD)/fuzz/summary.txt, crashing inputs to $(BUILD)/fuzz/crash/<name>-*.
fuzz: fuzz-bins
	FUZZ_TIME=$(FUZZ_TIME) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_WORKERS=$(FUZZ_WORKERS) \
		BUILD=$(BUILD) scripts/fuzz.sh $(FUZZ_TARGETS)

TEST_DEPS += fuzz-bins
