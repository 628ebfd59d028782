# vmm/obs/: lock-holder preemption accounting, the event trace and the
# guest agent's hypercalls (docs/experiments.md). Part of hv.elf; the pure
# rules and the trace's wire format are host-tested.
HV_SRCS += $(wildcard vmm/obs/*.c)

UNIT_TESTS += $(BUILD)/host/test_lhp_acct $(BUILD)/host/test_trace_fmt
$(BUILD)/host/test_lhp_acct: tests/unit/vmm/obs/test_lhp_acct.c vmm/obs/lhp_acct.c vmm/obs/lhp_acct.h core/lib.h
$(BUILD)/host/test_trace_fmt: tests/unit/vmm/obs/test_trace_fmt.c vmm/obs/trace_fmt.c vmm/obs/trace_fmt.h core/lib.h
