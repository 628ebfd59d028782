# Shared by tests/guest/*.sh (sourced; scripts/run-tests.sh skips lib*.sh):
# boot the test kernel bare under QEMU TCG and judge its serial log. Builds
# nothing: the runner has done `make all`; a missing kernel is a failure, not
# a skip. Honours BUILD like the runner (default build/).

set -u
TK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TK_ROOT/$BUILD ;; esac
TK_KERNEL=$BUILD/guest/testkern.elf
TK_TMP=$(mktemp -d)
trap 'rm -rf "$TK_TMP"' EXIT
TK_LOG=
TK_STATUS=
TK_FAILED=0

tk_die() {
	echo "FAIL: $*"
	[ -n "$TK_LOG" ] && [ -f "$TK_LOG" ] && sed 's/^/  | /' "$TK_LOG"
	exit 1
}

[ -f "$TK_KERNEL" ] || tk_die "$TK_KERNEL missing (make build/guest/testkern.elf)"
command -v qemu-system-x86_64 >/dev/null || tk_die "qemu-system-x86_64 not installed"

# tk_run SECONDS "KERNEL COMMAND LINE" [extra qemu args...]
# Sets TK_LOG (serial output) and TK_STATUS (QEMU's exit status: with
# isa-debug-exit a guest write of V gives (V << 1) | 1; 137 = killed).
tk_run() {
	local secs=$1 append=$2
	shift 2
	TK_LOG=$(mktemp "$TK_TMP/serial.XXXX")
	timeout -s KILL "$secs" qemu-system-x86_64 -accel tcg -cpu max -m 64 \
		-display none -monitor none -serial "file:$TK_LOG" -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x4 \
		-kernel "$TK_KERNEL" -append "$append" "$@" </dev/null >"$TK_TMP/qemu.out" 2>&1
	TK_STATUS=$?
	echo "== qemu -append \"$append\" $* -> status $TK_STATUS"
	grep -E '^(TEST|TESTKERN) ' "$TK_LOG" | sed 's/^/   /'
	[ "$TK_STATUS" = 137 ] && tk_die "qemu killed after ${secs}s"
	return 0
}

# tk_expect NAME PASS|FAIL|SKIP|RUNNING: the log has that verdict for NAME.
tk_expect() {
	grep -Eq "^TEST $1 $2( .*)?\$" "$TK_LOG" || tk_die "no 'TEST $1 $2' line"
}

# tk_absent REGEX: no log line matches.
tk_absent() {
	! grep -Eq "$1" "$TK_LOG" || tk_die "unexpected line matching '$1'"
}

# tk_done PASS FAIL SKIP: the summary line and the exit status that goes
# with it (0 written when fail=0, else 1).
tk_done() {
	grep -qx "TESTKERN DONE pass=$1 fail=$2 skip=$3" "$TK_LOG" ||
		tk_die "no 'TESTKERN DONE pass=$1 fail=$2 skip=$3'"
	local want=1
	[ "$2" = 0 ] || want=3
	[ "$TK_STATUS" = "$want" ] || tk_die "qemu status $TK_STATUS, want $want"
}
