# Host unit tests. One binary per test file; each lists the pure sources it
# links, e.g.
#   UNIT_TESTS += $(BUILD)/host/test_cmdline
#   $(BUILD)/host/test_cmdline: tests/unit/core/test_cmdline.c core/cmdline.c
# Sources are compiled with HOST_CFLAGS and sanitizers; tests/unit/check.h
# gives the CHECK macros and the closing "N passed, N failed" line.

$(BUILD)/host/test_%: tests/unit/check.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -o $@ $(filter %.c,$^)

# Pure parsers and library code (core/, boot/, hw/).
UNIT_TESTS += $(BUILD)/host/test_string $(BUILD)/host/test_fmt $(BUILD)/host/test_cmdline \
	$(BUILD)/host/test_palloc $(BUILD)/host/test_mb2 $(BUILD)/host/test_pvh \
	$(BUILD)/host/test_acpi $(BUILD)/host/test_stack
$(BUILD)/host/test_string: tests/unit/core/test_string.c core/string.c core/lib.h
$(BUILD)/host/test_fmt: tests/unit/core/test_fmt.c core/fmt.c core/string.c core/fmt.h core/lib.h
$(BUILD)/host/test_cmdline: tests/unit/core/test_cmdline.c core/cmdline.c core/fmt.c core/cmdline.h core/lib.h
$(BUILD)/host/test_palloc: tests/unit/core/test_palloc.c core/palloc.c core/palloc.h core/lib.h
$(BUILD)/host/test_mb2: tests/unit/boot/test_mb2.c boot/mb2.c core/fmt.c boot/mb2.h boot/bootinfo.h
$(BUILD)/host/test_pvh: tests/unit/boot/test_pvh.c boot/pvh.c core/fmt.c boot/pvh.h boot/bootinfo.h
$(BUILD)/host/test_acpi: tests/unit/hw/test_acpi.c hw/acpi_tables.c core/fmt.c hw/acpi_tables.h
$(BUILD)/host/test_stack: tests/unit/core/test_stack.c core/stack.c core/stack.h core/lib.h
