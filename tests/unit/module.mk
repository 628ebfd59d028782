# Host unit tests. One binary per test file; each lists the pure sources it
# links, e.g.
#   UNIT_TESTS += $(BUILD)/host/test_cmdline
#   $(BUILD)/host/test_cmdline: tests/unit/test_cmdline.c core/cmdline.c
# Sources are compiled with HOST_CFLAGS and sanitizers; tests/unit/check.h
# gives the CHECK macros and the closing "N passed, N failed" line.

$(BUILD)/host/test_%: tests/unit/check.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -o $@ $(filter %.c,$^)
