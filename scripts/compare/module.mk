# scripts/compare/: the comparison harness (scripts/compare.sh, make
# compare; docs/experiments.md). Its one compiled helper parses module lines
# with the hypervisor's parser, so the harness knows which options this lhv
# has (pv= for the paravirtual lock flavour) without booting it.
HOST_TOOLS += $(BUILD)/host/lhv-vmcfg
$(BUILD)/host/lhv-vmcfg: scripts/compare/vmcfg_check.c vmm/vm/config.c core/cmdline.c core/fmt.c \
	vmm/vm/config.h core/cmdline.h core/fmt.h core/lib.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $(filter %.c,$^)

# The default matrix (docs/experiments.md): free and gang, the two guest
# lock flavours lhv offers today, 1x and 2x overcommit, six workloads.
.PHONY: compare
compare: deps
	$(MAKE) --no-print-directory all
	scripts/compare.sh $(COMPARE_ARGS)
