# The soak (scripts/soak.sh, docs/testing.md "Soak"): three Linux guests with
# lock-heavy workloads under every compiled-in policy, SOAK_MINUTES (default
# 10) guest minutes each, under Bochs. Not part of `make test`.
#
#   make soak
#   make soak SOAK_MINUTES=60                  # the release check
#   make soak SOAK_MINUTES=1 SOAK_POLICIES=free
.PHONY: soak
soak: $(BUILD)/hv.elf
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_POLICIES="$(SOAK_POLICIES)" BUILD=$(BUILD) scripts/soak.sh
