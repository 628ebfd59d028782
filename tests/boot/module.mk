# Boot tests boot build/hv.iso (they build a private copy when it is missing
# or older than hv.elf, but one shared ISO is faster and is what `make run`
# boots too).
TEST_DEPS += $(BUILD)/hv.iso
