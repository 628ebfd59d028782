# Scheduling framework and policies (pure C: hypervisor and host), the host
# simulator build/hvsim, its tests and the benchmark.
#
# `make SCHED=free,gang` (default `all`) chooses the compiled-in policies;
# each becomes -DSCHED_HAVE_<NAME> for the sched sources and only the chosen
# policy files are linked. The first one listed is the default policy.

SCHED_ALL      := free gang
comma          := ,
SCHED_LIST     := $(if $(filter all,$(SCHED)),$(SCHED_ALL),$(subst $(comma), ,$(SCHED)))
SCHED_UNKNOWN  := $(filter-out $(SCHED_ALL),$(SCHED_LIST))
ifneq ($(SCHED_UNKNOWN),)
$(error SCHED: unknown policy '$(SCHED_UNKNOWN)' (available: $(SCHED_ALL), or all))
endif
ifeq ($(strip $(SCHED_LIST)),)
$(error SCHED: no policy selected (available: $(SCHED_ALL), or all))
endif
SCHED_DEFS     := $(foreach p,$(SCHED_LIST),-DSCHED_HAVE_$(shell echo $(p) | tr a-z A-Z))
SCHED_SRCS     := sched/sched.c sched/sched_heap.c sched/sched_policies.c \
                  $(foreach p,$(SCHED_LIST),sched/sched_$(p).c)
SCHED_HDRS     := $(wildcard sched/*.h)

# The policy set is a build input: rewrite a stamp only when it changes so
# host binaries relink after `make SCHED=...` with another list.
SCHED_STAMP    := $(BUILD)/gen/sched_policies
SCHED_STAMP_OK := $(shell mkdir -p $(BUILD)/gen && \
	{ [ "$$(cat $(SCHED_STAMP) 2>/dev/null)" = "$(SCHED_LIST)" ] || \
	  echo "$(SCHED_LIST)" > $(SCHED_STAMP); })

# Freestanding objects with the hypervisor's flags. Not linked into hv.elf
# yet: the hypervisor must first provide sched_env_* (sched/sched_env.h);
# then the top level adds $(SCHED_HV_OBJS) (or HV_SRCS += $(SCHED_SRCS)).
SCHED_HV_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(SCHED_SRCS))
$(SCHED_HV_OBJS): HV_CFLAGS += $(SCHED_DEFS)
$(SCHED_HV_OBJS): $(SCHED_STAMP)
.PHONY: sched-hv-objs
sched-hv-objs: $(SCHED_HV_OBJS)

# Host simulator.
HVSIM_SRCS := $(wildcard sched/sim/*.c)
HVSIM_SRCS := $(filter-out sched/sim/bench.c,$(HVSIM_SRCS))
HOST_TOOLS += $(BUILD)/hvsim
TEST_DEPS  += $(BUILD)/hvsim

$(BUILD)/hvsim: $(HVSIM_SRCS) $(SCHED_SRCS) $(SCHED_HDRS) $(wildcard sched/sim/*.h) $(SCHED_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SCHED_DEFS) -o $@ $(HVSIM_SRCS) $(SCHED_SRCS) -lm

# Decision-cost benchmark (sched/bench.sh), not part of `make all`.
$(BUILD)/sched_bench: sched/sim/bench.c sched/sim/env.c sched/sim/evq.c $(SCHED_SRCS) $(SCHED_HDRS) $(SCHED_STAMP)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(SCHED_DEFS) -o $@ sched/sim/bench.c sched/sim/env.c sched/sim/evq.c $(SCHED_SRCS) -lm

# Host unit tests of the library against a scripted environment; a policy's
# test is built only when the policy is compiled in.
SCHED_UNIT := $(BUILD)/host/test_sched_heap \
              $(foreach p,$(filter free gang,$(SCHED_LIST)),$(BUILD)/host/test_sched_$(p))
UNIT_TESTS += $(SCHED_UNIT)
$(SCHED_UNIT): HOST_CFLAGS += $(SCHED_DEFS)
$(SCHED_UNIT): $(SCHED_HDRS) tests/sim/fake_env.h $(SCHED_STAMP)
$(BUILD)/host/test_sched_heap: tests/sim/test_sched_heap.c sched/sched_heap.c
$(BUILD)/host/test_sched_free: tests/sim/test_sched_free.c tests/sim/fake_env.c $(SCHED_SRCS)
$(BUILD)/host/test_sched_gang: tests/sim/test_sched_gang.c tests/sim/fake_env.c $(SCHED_SRCS)
