# vmm/ and vmm/vmx/: host unit tests of the pure parts of the VM core.
# (Hypervisor objects come from the top Makefile's HV_DIRS.)

UNIT_TESTS += $(BUILD)/host/test_vmx_caps
$(BUILD)/host/test_vmx_caps: tests/unit/test_vmx_caps.c vmm/vmx/vmx_caps.c \
	vmm/vmx/vmx_caps.h vmm/vmx/vmcs.h

UNIT_TESTS += $(BUILD)/host/test_vmx_ept
$(BUILD)/host/test_vmx_ept: tests/unit/test_vmx_ept.c vmm/vmx/vmx_ept.c \
	vmm/vmx/vmx_ept.h vmm/vmx/vmcs.h

UNIT_TESTS += $(BUILD)/host/test_decode
$(BUILD)/host/test_decode: tests/unit/test_decode.c vmm/x86_decode.c vmm/x86_decode.h

UNIT_TESTS += $(BUILD)/host/test_vmcfg
$(BUILD)/host/test_vmcfg: tests/unit/test_vmcfg.c vmm/vm_config.c core/cmdline.c core/fmt.c \
	vmm/vm_config.h core/cmdline.h core/fmt.h core/lib.h

UNIT_TESTS += $(BUILD)/host/test_mb1
$(BUILD)/host/test_mb1: tests/unit/test_mb1.c vmm/loader_mb1.c core/fmt.c \
	vmm/loader_mb1.h core/fmt.h core/lib.h

# Platform device models (docs/devices.md): their pure parts.
UNIT_TESTS += $(BUILD)/host/test_vioapic $(BUILD)/host/test_vpit $(BUILD)/host/test_vrtc \
	$(BUILD)/host/test_vpic $(BUILD)/host/test_vuart
$(BUILD)/host/test_vioapic: tests/unit/test_vioapic.c vmm/vioapic_regs.c vmm/vioapic_regs.h core/lib.h
$(BUILD)/host/test_vpit: tests/unit/test_vpit.c vmm/vpit_calc.c vmm/vpit_calc.h core/lib.h
$(BUILD)/host/test_vrtc: tests/unit/test_vrtc.c vmm/vrtc.c vmm/vacpi_pm.c vmm/vrtc.h vmm/vacpi_pm.h \
	vmm/acpi_build.h core/lib.h
$(BUILD)/host/test_vpic: tests/unit/test_vpic.c vmm/vpic.c vmm/vpic.h core/lib.h
$(BUILD)/host/test_vuart: tests/unit/test_vuart.c vmm/vuart.c vmm/vuart.h core/lib.h
