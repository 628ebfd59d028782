# vmm/: host unit tests of the pure parts of the VM core (the hypervisor's
# objects come from the top Makefile's HV_DIRS).

UNIT_TESTS += $(BUILD)/host/test_vmx_caps
$(BUILD)/host/test_vmx_caps: tests/unit/vmm/vmx/test_vmx_caps.c vmm/vmx/vmx_caps.c \
	vmm/vmx/vmx_caps.h vmm/vmx/vmcs.h

UNIT_TESTS += $(BUILD)/host/test_vmx_cpus
$(BUILD)/host/test_vmx_cpus: tests/unit/vmm/vmx/test_vmx_cpus.c vmm/vmx/vmx_caps.c \
	vmm/vmx/vmx_caps.h vmm/vmx/vmcs.h

UNIT_TESTS += $(BUILD)/host/test_vmx_ept
$(BUILD)/host/test_vmx_ept: tests/unit/vmm/vmx/test_vmx_ept.c vmm/vmx/vmx_ept.c \
	vmm/vmx/vmx_ept.h vmm/vmx/vmcs.h

UNIT_TESTS += $(BUILD)/host/test_decode
$(BUILD)/host/test_decode: tests/unit/vmm/emul/test_decode.c vmm/emul/x86_decode.c vmm/emul/x86_decode.h

UNIT_TESTS += $(BUILD)/host/test_vmcfg
$(BUILD)/host/test_vmcfg: tests/unit/vmm/vm/test_vmcfg.c vmm/vm/config.c core/cmdline.c core/fmt.c \
	vmm/vm/config.h core/cmdline.h core/fmt.h core/lib.h

UNIT_TESTS += $(BUILD)/host/test_gpa
$(BUILD)/host/test_gpa: HOST_CFLAGS := -Itests/fuzz/env $(HOST_CFLAGS)
$(BUILD)/host/test_gpa: tests/unit/vmm/vm/test_gpa.c vmm/vm/gpa.c vmm/vm/gpa.h vmm/vm/vm.h tests/fuzz/env/hw/x86.h

UNIT_TESTS += $(BUILD)/host/test_mb1
$(BUILD)/host/test_mb1: tests/unit/vmm/load/test_mb1.c vmm/load/loader_mb1.c vmm/load/loader_pvh.c core/fmt.c \
	vmm/load/loader_mb1.h core/fmt.h core/lib.h

# The PVH loader: its test reads lhv's start info back with boot/pvh.c, and
# the real kernel from $(BUILD)/cache/linux when present.
UNIT_TESTS += $(BUILD)/host/test_loader_pvh
$(BUILD)/host/test_loader_pvh: tests/unit/vmm/load/test_loader_pvh.c vmm/load/loader_pvh.c boot/pvh.c \
	core/fmt.c vmm/load/loader_pvh.h boot/pvh.h boot/bootinfo.h core/fmt.h core/lib.h

UNIT_TESTS += $(BUILD)/host/test_linux_boot $(BUILD)/host/test_acpi_build
$(BUILD)/host/test_linux_boot: tests/unit/vmm/load/test_linux_boot.c vmm/load/loader_linux.c core/fmt.c \
	vmm/load/loader_linux.h core/fmt.h core/lib.h
$(BUILD)/host/test_acpi_build: tests/unit/vmm/load/test_acpi_build.c vmm/load/acpi_build.c hw/acpi_tables.c \
	core/fmt.c vmm/load/acpi_build.h hw/acpi_tables.h core/fmt.h core/lib.h

# Platform device models (docs/devices.md): their pure parts.
UNIT_TESTS += $(BUILD)/host/test_vioapic $(BUILD)/host/test_vpit $(BUILD)/host/test_vrtc \
	$(BUILD)/host/test_vpic $(BUILD)/host/test_vuart
$(BUILD)/host/test_vioapic: tests/unit/vmm/dev/test_vioapic.c vmm/dev/vioapic_regs.c vmm/dev/vioapic_regs.h core/lib.h
$(BUILD)/host/test_vpit: tests/unit/vmm/dev/test_vpit.c vmm/dev/vpit_calc.c vmm/dev/vpit_calc.h core/lib.h
$(BUILD)/host/test_vrtc: tests/unit/vmm/dev/test_vrtc.c vmm/dev/vrtc.c vmm/dev/vacpi_pm.c vmm/dev/vrtc.h \
	vmm/dev/vacpi_pm.h vmm/load/acpi_build.h core/lib.h
$(BUILD)/host/test_vpic: tests/unit/vmm/dev/test_vpic.c vmm/dev/vpic.c vmm/dev/vpic.h core/lib.h
$(BUILD)/host/test_vuart: tests/unit/vmm/dev/test_vuart.c vmm/dev/vuart.c vmm/dev/vuart.h core/lib.h

# The paravirtual ABI's pure parts (docs/hypercalls.md).
UNIT_TESTS += $(BUILD)/host/test_pv_abi
$(BUILD)/host/test_pv_abi: tests/unit/vmm/pv/test_pv_abi.c vmm/pv/pv_abi.c vmm/pv/pv_abi.h core/lib.h
UNIT_TESTS += $(BUILD)/host/test_vfwcfg
$(BUILD)/host/test_vfwcfg: tests/unit/vmm/dev/test_vfwcfg.c vmm/dev/vfwcfg.c vmm/dev/vfwcfg.h core/lib.h
UNIT_TESTS += $(BUILD)/host/test_vlapic_rules
$(BUILD)/host/test_vlapic_rules: tests/unit/vmm/dev/test_vlapic_rules.c vmm/dev/vlapic_rules.c \
	vmm/dev/vlapic_rules.h core/lib.h
# The local APIC is not pure: its test builds vlapic.c against the stub
# environment of the fuzz targets (tests/fuzz/env: clock, timers, kicks, and
# a host-safe hw/x86.h found first on the include path).
UNIT_TESTS += $(BUILD)/host/test_vlapic
$(BUILD)/host/test_vlapic: HOST_CFLAGS := -Itests/fuzz/env $(HOST_CFLAGS)
$(BUILD)/host/test_vlapic: tests/unit/vmm/dev/test_vlapic.c vmm/dev/vlapic.c vmm/dev/vlapic_rules.c tests/fuzz/env/env.c \
	vmm/dev/vlapic.h tests/fuzz/env/env.h tests/fuzz/env/hw/x86.h vmm/vm/vm.h
# lhv's LHP interface: argument checks (docs/hypercalls.md).
UNIT_TESTS += $(BUILD)/host/test_lhv_abi
$(BUILD)/host/test_lhv_abi: tests/unit/vmm/pv/test_lhv_abi.c vmm/pv/lhv_abi.h core/lib.h
