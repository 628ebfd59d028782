#!/bin/bash
# Bare baseline for Linux guests: Debian's generic kernel boots under QEMU
# TCG (no hypervisor) with the lhv initramfs on 2 CPUs, brings both online,
# runs mtwork, reports a clean summary and powers off through ACPI. Skipped
# (77) when the kernel cannot be fetched (offline). Prints the wall time of
# the boot. (tests/guest/linux-work.sh runs the other workloads.)
# timeout: 600
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

die() {
	echo "FAIL: $*"
	[ -f "$TMP/serial.log" ] && sed 's/^/  | /' "$TMP/serial.log" | tail -n 60
	exit 1
}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"
if ! "$ROOT/guest/linux/fetch-kernels.sh" generic >"$TMP/fetch.log" 2>&1; then
	sed 's/^/  | /' "$TMP/fetch.log"
	echo "SKIP: cannot fetch the Debian kernel"
	exit 77
fi
KERNEL=$BUILD/cache/linux/vmlinuz-generic
"$ROOT/guest/linux/mkinitramfs.sh" "$TMP/initramfs.cpio.gz" >"$TMP/mkinitramfs.log" 2>&1 ||
	{ cat "$TMP/mkinitramfs.log"; die "mkinitramfs.sh failed"; }

start=$(date +%s%N)
timeout -s KILL 300 qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 512 \
	-display none -monitor none -serial "file:$TMP/serial.log" -no-reboot \
	-kernel "$KERNEL" -initrd "$TMP/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet" </dev/null >"$TMP/qemu.out" 2>&1
status=$?
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
# The guest's tty turns newlines into CR LF.
tr -d '\r' < "$TMP/serial.log" > "$TMP/serial.txt" && mv "$TMP/serial.txt" "$TMP/serial.log"
echo "== $(cat "$KERNEL.package" 2>/dev/null || echo kernel) bare under QEMU TCG, 2 CPUs: status $status, ${ms} ms"
grep -E '^(LHV-GUEST|mtwork: threads|RESULT)' "$TMP/serial.log" | sed 's/^/   /'
[ "$status" = 137 ] && die "QEMU killed after 300 s"
[ "$status" = 0 ] || die "QEMU exited with status $status"
grep -q '^LHV-GUEST: booted' "$TMP/serial.log" || die "no 'LHV-GUEST: booted'"
grep -q '^LHV-GUEST: cpus online=0-1 count=2$' "$TMP/serial.log" || die "not 2 CPUs online"
grep -q '^LHV-GUEST: cpus present=0-1 possible=0-1 count=2$' "$TMP/serial.log" || die "not 2 CPUs present"
grep -q '^LHV-GUEST: dmesg .* problems=0$' "$TMP/serial.log" || die "lockups, stalls, BUGs or Oopses in dmesg"
grep -Eq '^mtwork: threads=2 .* PASS$' "$TMP/serial.log" || die "mtwork did not pass on 2 threads"
grep -q '^LHV-GUEST: mtwork rc=0$' "$TMP/serial.log" || die "mtwork failed"
grep -Eq '^RESULT ops_per_s=[0-9.]+ workload=mtwork threads=2 ops=400000 .* ok=1 lock=ttas ' "$TMP/serial.log" ||
	die "no RESULT line from mtwork"
grep -Eq '^LHV-GUEST: summary cpus=2/2 problems=0 mtwork=PASS work=0/0 up_s=[0-9.]+ steal_s=[0-9.]+$' "$TMP/serial.log" ||
	die "no clean summary line"
grep -q '^LHV-GUEST: done$' "$TMP/serial.log" || die "no 'LHV-GUEST: done'"
grep -q 'reboot: Power down' "$TMP/serial.log" || die "the kernel did not power off"
echo PASS
