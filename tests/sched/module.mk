# Unit tests of the scheduling library (sched/) against the scripted
# environment tests/sched/fake_env.[ch]: one binary build/host/test_sched_X
# per tests/sched/test_sched_X.c, run by scripts/run-tests.sh. They link every
# policy file whatever `make SCHED=` chose and pin the default policy to
# `free`, so they test the same thing in every build.
# (The simulator's tests are the scripts tests/sim/*.sh.)

SCHED_TEST_SRCS := tests/sched/fake_env.c $(SCHED_HOST_SRCS) $(SCHED_ALL_SRCS)
SCHED_TEST_DEPS := tests/sched/fake_env.h sched/sim/simenv.h $(SCHED_HDRS)
SCHED_UNIT      := $(patsubst tests/sched/%.c,$(BUILD)/host/%,$(wildcard tests/sched/test_sched_*.c))
UNIT_TESTS      += $(SCHED_UNIT)

$(filter-out %/test_sched_heap %/test_sched_default,$(SCHED_UNIT)): \
	$(BUILD)/host/test_sched_%: tests/sched/test_sched_%.c $(SCHED_TEST_SRCS) $(SCHED_TEST_DEPS)
$(filter-out %/test_sched_default,$(SCHED_UNIT)): HOST_CFLAGS += -DSCHED_DEFAULT='"free"'

$(BUILD)/host/test_sched_params: HOST_CFLAGS += -DSCHED_ALL_NAMES='"$(SCHED_ALL)"'

$(BUILD)/host/test_sched_heap: tests/sched/test_sched_heap.c sched/sched_heap.c sched/sched_heap.h

# The default policy is the one the build names first, not the first in link
# order: here `gang` is named while `free` is linked first.
$(BUILD)/host/test_sched_default: HOST_CFLAGS += -DSCHED_DEFAULT='"gang"'
$(BUILD)/host/test_sched_default: tests/sched/test_sched_default.c tests/sched/fake_env.c \
	$(SCHED_HOST_SRCS) $(SCHED_LIB_SRCS) sched/policy/free.c sched/policy/gang.c $(SCHED_TEST_DEPS)
