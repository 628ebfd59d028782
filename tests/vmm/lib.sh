# shellcheck shell=bash
# Helpers for the VT-x tests: the boot-test helpers plus test-kernel VMs.
#   guest NAME "MODULE ARGS"   adds a module line for a copy of the test kernel
#                              (GRUB needs distinct file names)
. "$(dirname "${BASH_SOURCE[0]}")/../boot/lib.sh"

TESTKERN=$BUILD/guest/testkern.elf
GUEST_MODS=()

guest() {
	local name=$1; shift
	[ -f "$TESTKERN" ] || fail "$TESTKERN missing (run 'make all' first)"
	cp "$TESTKERN" "$OUT/$name.elf"
	GUEST_MODS+=(-m "$OUT/$name.elf $*")
}

# A test-kernel VM that must pass: its tests and its clean exit. Adds
# check-log.sh options to the CHECKS array.
CHECKS=()
expect_vm_pass() {
	local vm
	for vm in "$@"; do
		CHECKS+=(--expect "^HV VM $vm started " --expect "^\\[$vm\\] TESTKERN DONE pass=[0-9]+ fail=0"
			--expect "^HV VM $vm stopped reason=exit code=0\$" --forbid "^\\[$vm\\] TEST [a-z]+ FAIL")
	done
}
