# vmm/svm/: host unit tests of the AMD-V backend's pure parts (its objects
# come from the top Makefile's HV_DIRS).

UNIT_TESTS += $(BUILD)/host/test_svm_caps
$(BUILD)/host/test_svm_caps: tests/unit/vmm/svm/test_svm_caps.c vmm/svm/svm_caps.c core/fmt.c \
	vmm/svm/svm_caps.h vmm/svm/vmcb.h core/fmt.h core/lib.h

UNIT_TESTS += $(BUILD)/host/test_svm_npt
$(BUILD)/host/test_svm_npt: tests/unit/vmm/svm/test_svm_npt.c vmm/svm/svm_npt.c vmm/svm/svm_npt.h core/lib.h
