# shellcheck shell=bash
# Helpers for the boot tests (sourced, not run; scripts/run-tests.sh skips
# tests/*/lib*.sh). A test does:
#
#   . "$(dirname "$0")/lib.sh"
#   boot_init                      # OUT=build/test/<name>/, checks build/hv.elf
#   need_iso                       # ISO=build/hv.iso, or one built into $OUT
#   run_bochs --iso "$ISO" --cpus 2
#   check_log --expect '^HV READY pcpus=2$' ...
#   pass
#
# Every emulator run has a hard timeout (BOOT_TIMEOUT, default 300 s); a
# failure prints why and the tail of the serial log, and exits 1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NAME=$(basename "$0" .sh)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
OUT=$BUILD/test/$NAME
HV_ELF=$BUILD/hv.elf
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300}
LOG=$OUT/serial.log
ISO=
EMU_RC=

say() { echo "[$NAME] $*"; }

fail() {
	say "FAIL: $*"
	if [ -s "$LOG" ]; then
		echo "---- last 40 lines of $LOG ----"
		tr -d '\r' < "$LOG" | tail -n 40
		echo "---- end ----"
	fi
	local f errs
	for f in "$OUT"/*bochs.log; do
		[ -s "$f" ] || continue
		# Power-off shows up as a Bochs "panic"; it is not an error.
		errs=$(grep -aE '^[0-9]+[pe]\[' "$f" |
			grep -vE 'Shutdown port: shutdown requested|ACPI control: soft power off' | tail -n 15 || true)
		[ -z "$errs" ] || printf '%s\n%s\n' "---- Bochs errors/panics in $f ----" "$errs"
	done
	# QEMU's reset log (scripts/qemu.sh): why the machine reset or shut
	# down (a triple fault of the machine logs "Triple fault").
	for f in "$OUT"/*.qemu.dbg; do
		[ -s "$f" ] || continue
		if grep -q 'Triple fault' "$f"; then
			echo "---- QEMU: triple fault; the end of $f ----"
			tail -n 40 "$f"
		fi
	done
	exit 1
}

pass() { say "PASS"; exit 0; }

boot_init() {
	[ -f "$HV_ELF" ] || { say "FAIL: $HV_ELF missing (run 'make all' first)"; exit 1; }
	rm -rf "$OUT"
	mkdir -p "$OUT"
	cd "$ROOT"
}

# need_iso [mkiso.sh options: -c CMDLINE, -m "FILE ARGS"]
# Without options: build/hv.iso if it is newer than build/hv.elf (make iso),
# else a fresh one in $OUT. With options: always a fresh one in $OUT.
need_iso() {
	if [ $# -eq 0 ] && [ "$BUILD/hv.iso" -nt "$HV_ELF" ]; then
		ISO=$BUILD/hv.iso
		return
	fi
	ISO=$OUT/hv.iso
	"$ROOT/scripts/mkiso.sh" -o "$ISO" -k "$HV_ELF" "$@" || fail "could not build $ISO"
}

# run_bochs/run_qemu ARGS...: the emulator with --log $LOG and the timeout;
# fails the test when it timed out or could not run. EMU_RC keeps the status.
run_emu() {
	local script=$1; shift
	local start=$SECONDS
	EMU_RC=0
	"$ROOT/scripts/$script" --log "$LOG" --timeout "$BOOT_TIMEOUT" "$@" || EMU_RC=$?
	say "${script%.sh} finished in $((SECONDS - start))s (status $EMU_RC)"
	case $EMU_RC in
	0) ;;
	124 | 137) fail "${script%.sh} timed out after ${BOOT_TIMEOUT}s (hang?)" ;;
	*) fail "${script%.sh} failed with status $EMU_RC" ;;
	esac
}
run_bochs() { run_emu bochs.sh "$@"; }
run_qemu() { run_emu qemu.sh "$@"; }

# run_hv ARGS...: the machine a hypervisor test runs on, from HV_TEST_EMU
# (the tests/*/svm-*.sh wrappers set it):
#   bochs (default)  Bochs, CPU model tigerlake: VT-x
#   qemu-svm         QEMU TCG -cpu max: AMD-V (nested paging, no NRIP save)
#   bochs-svm        Bochs, CPU model ryzen: AMD-V (nested paging, NRIP
#                    save, flush by ASID, pause filter); Bochs 2.7 ends
#                    with a panic when an SVM guest triple-faults (it panics
#                    before taking the shutdown intercept), so tests leave
#                    that guest out there
# BACKEND is the backend the hypervisor picks there (vmx or svm), for the
# checks that name it. ARGS are bochs.sh's (--iso, --cpus, --megs).
HV_TEST_EMU=${HV_TEST_EMU:-bochs}
case $HV_TEST_EMU in
bochs) BACKEND=vmx ;;
qemu-svm | bochs-svm) BACKEND=svm ;;
*) echo "[$NAME] FAIL: HV_TEST_EMU must be bochs, qemu-svm or bochs-svm" >&2; exit 1 ;;
esac
run_hv() {
	case $HV_TEST_EMU in
	bochs) run_bochs "$@" ;;
	bochs-svm) run_bochs --model ryzen "$@" ;;
	qemu-svm) run_qemu --accel tcg "$@" ;;
	esac
}

check_log() {
	"$ROOT/scripts/check-log.sh" "$LOG" --tail 40 "$@" || fail "serial log check failed (see above)"
}

# check_sched_refused N ERROR_REGEX: a hypervisor command line the scheduler
# refuses (unknown policy, bad knob) on N pCPUs: exactly one HV ERROR, the
# given one, then power-off; no VM starts, no policy is selected, no guest
# prints.
check_sched_refused() {
	check_log --expect "^HV READY pcpus=$1\$" --then "$2" \
		--then '^HV POWEROFF$' --expect-count 1 '^HV ERROR' \
		--forbid '^HV VM ' --forbid 'sched: policy' --forbid '^\[a\]'
}

# The checks every successful boot with N pCPUs must pass. Extra
# check-log.sh options may follow N.
check_boot() {
	local n=$1; shift
	local args=(--expect "^HV READY pcpus=$n\$" --then '^HV POWEROFF$'
		--forbid '^HV ERROR' --forbid 'GRUB ERROR'
		--expect-count "$n" "$CPU_ONLINE_RE"
		--expect-min 2 "$MMAP_RE" --expect "$MMAP_USABLE_RE"
		--expect "$TSC_RE")
	local k
	for ((k = 0; k < n; k++)); do
		args+=(--expect-count 1 "(^|[] ])cpu$k: online apic_id=[0-9]+")
	done
	check_log "${args[@]}" "$@"
	# Every pCPU has its own APIC ID.
	local dups
	dups=$(tr -d '\r' < "$LOG" | grep -oE "$CPU_ONLINE_RE" | grep -oE 'apic_id=[0-9]+' | sort | uniq -d)
	[ -z "$dups" ] || fail "APIC IDs reported twice: $dups"
}

# What the hypervisor prints (docs/testing.md lists them for its authors).
CPU_ONLINE_RE='(^|[] ])cpu[0-9]+: online apic_id=[0-9]+'
MMAP_RE='mmap: (0x)?[0-9a-fA-F]+-(0x)?[0-9a-fA-F]+ [A-Za-z0-9_-]+'
MMAP_USABLE_RE='mmap: (0x)?[0-9a-fA-F]+-(0x)?[0-9a-fA-F]+ usable'
TSC_RE='tsc: [0-9]+ kHz'

# check_stacks: the power-off summary's "summary: stack" lines (core/stack.h),
# one per pCPU of HV READY, each stack and IST stack at most half used: a
# hypervisor stack has no guard page, so its depth is kept well inside it.
check_stacks() {
	local n bad
	n=$(tr -d '\r' < "$LOG" | sed -n 's/^HV READY pcpus=\([0-9]*\)$/\1/p' | tail -1)
	bad=$(tr -d '\r' < "$LOG" | awk -v n="${n:-0}" '
		/summary: stack cpu[0-9]+ used=/ {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] + 0 }
			seen++
			if (f["used"] * 2 > f["size"] || f["df"] * 2 > f["ist_size"] ||
			    f["nmi"] * 2 > f["ist_size"] || f["mc"] * 2 > f["ist_size"])
				print "more than half used: " $0
		}
		END { if (seen != n) print seen + 0 " summary: stack lines for " n " pCPUs" }')
	[ -z "$bad" ] || fail "stack depth: $bad"
	say "stacks: $(tr -d '\r' < "$LOG" | sed -n 's/.*summary: stack \(cpu[0-9]*\) used=\([0-9]*\) size=\([0-9]*\).*/\1 \2\/\3/p' | tr '\n' ' ')"
}
