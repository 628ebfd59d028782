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
