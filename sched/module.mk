# Scheduling framework and policies (pure C: hypervisor and host), the host
# simulator build/hvsim and the decision-cost benchmark. Unit tests:
# tests/sched/module.mk; simulator tests: tests/sim/*.sh.
#
# A policy is one file sched/policy/<name>.c that registers itself with
# SCHED_REGISTER (sched/sched_ops.h); the list below is read from those files.
# `make SCHED=gang,free` (default `all`) links only the named policy files;
# the first one named is the default policy (SCHED_DEFAULT, read by
# sched/sched_registry.c); `all` is every policy with `free` the default.

SCHED_ALL      := $(sort $(basename $(notdir $(wildcard sched/policy/*.c))))
SCHED_ALL_DEFAULT := free
comma          := ,
sched_uniq      = $(if $1,$(firstword $1) $(call sched_uniq,$(filter-out $(firstword $1),$1)))
SCHED_LIST     := $(strip $(call sched_uniq,$(if $(filter all,$(SCHED)),\
                  $(SCHED_ALL_DEFAULT) $(SCHED_ALL),$(subst $(comma), ,$(SCHED)))))
SCHED_UNKNOWN  := $(filter-out $(SCHED_ALL),$(SCHED_LIST))
ifneq ($(SCHED_UNKNOWN),)
$(error SCHED: unknown policy '$(SCHED_UNKNOWN)' (available: $(SCHED_ALL), or all))
endif
ifeq ($(SCHED_LIST),)
$(error SCHED: no policy selected (available: $(SCHED_ALL), or all))
endif
SCHED_DEFAULT  := $(firstword $(SCHED_LIST))
SCHED_DEFS     := -DSCHED_DEFAULT='"$(SCHED_DEFAULT)"'
# The framework and its library pieces (sched/*.c), then the chosen policies.
SCHED_LIB_SRCS := $(sort $(wildcard sched/*.c))
SCHED_SRCS     := $(SCHED_LIB_SRCS) $(foreach p,$(SCHED_LIST),sched/policy/$(p).c)
SCHED_ALL_SRCS := $(SCHED_LIB_SRCS) $(foreach p,$(SCHED_ALL),sched/policy/$(p).c)
SCHED_HDRS     := $(wildcard sched/*.h)

# The policy set is a build input: rewrite a stamp only when it changes so
# objects and host binaries are rebuilt after `make SCHED=...` with another list.
SCHED_STAMP    := $(BUILD)/gen/sched_policies
SCHED_STAMP_OK := $(shell mkdir -p $(BUILD)/gen && \
	{ [ "$$(cat $(SCHED_STAMP) 2>/dev/null)" = "$(SCHED_LIST)" ] || \
	  echo "$(SCHED_LIST)" > $(SCHED_STAMP); })

# Freestanding objects with the hypervisor's flags; the top Makefile links
# $(SCHED_SRCS) into hv.elf (HV_SRCS).
SCHED_HV_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(SCHED_SRCS))
$(SCHED_HV_OBJS): HV_CFLAGS += $(SCHED_DEFS)
$(SCHED_HV_OBJS): $(SCHED_STAMP)
.PHONY: sched-hv-objs
sched-hv-objs: $(SCHED_HV_OBJS)

# The host side of the library: the framework's host environment
# (sched/sim/env.c) and core/fmt.c, shared by the simulator, the benchmark
# and the unit tests.
SCHED_HOST_SRCS := sched/sim/env.c core/fmt.c

# Host simulator.
HVSIM_SRCS := $(filter-out sched/sim/bench.c sched/sim/env.c,$(wildcard sched/sim/*.c))
HOST_TOOLS += $(BUILD)/hvsim
TEST_DEPS  += $(BUILD)/hvsim

$(BUILD)/hvsim: $(HVSIM_SRCS) $(SCHED_HOST_SRCS) $(SCHED_SRCS) $(SCHED_HDRS) $(wildcard sched/sim/*.h) $(SCHED_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SCHED_DEFS) -o $@ $(HVSIM_SRCS) $(SCHED_HOST_SRCS) $(SCHED_SRCS) -lm

# Decision-cost benchmark (sched/bench.sh), not part of `make all`.
$(BUILD)/sched_bench: sched/sim/bench.c sched/sim/evq.c $(SCHED_HOST_SRCS) $(SCHED_SRCS) $(SCHED_HDRS) $(SCHED_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SCHED_DEFS) -o $@ sched/sim/bench.c sched/sim/evq.c $(SCHED_HOST_SRCS) $(SCHED_SRCS) -lm
