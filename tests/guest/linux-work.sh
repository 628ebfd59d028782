#!/bin/bash
# The guest workloads of docs/linux.md, bare under QEMU TCG (no hypervisor),
# in one boot of Debian's generic kernel: -smp 4 with maxcpus=3, so the
# guest's self-check must report the present CPU that stayed offline
# ("cpu problem", problems=1, summary cpus=3/4). Every built-in workload and
# a program added with mkinitramfs.sh --program (given arguments with
# lhv.args.<name>=) runs 1 s of guest time on 3 threads between its framing
# lines and must print one RESULT line with a positive ops_per_s and ok=1
# (guest/linux/work-results.sh judges them). A bogus name is also asked
# for: that it is reported failed shows the judge can fail. Skipped (77)
# when the kernel cannot be fetched (offline).
# timeout: 400
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
BUILTIN="sendfile mmap files fork barrier cpu vecstate tas ttas ticket"

die() {
	echo "FAIL: $*"
	[ -f "$TMP/serial.log" ] && sed 's/^/  | /' "$TMP/serial.log" | tail -n 80
	exit 1
}

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not installed"
if ! "$ROOT/guest/linux/fetch-kernels.sh" generic >"$TMP/fetch.log" 2>&1; then
	sed 's/^/  | /' "$TMP/fetch.log"
	echo "SKIP: cannot fetch the Debian kernel"
	exit 77
fi
KERNEL=$BUILD/cache/linux/vmlinuz-generic

# A user's own workload: checks the arguments and environment /init gives
# it and prints the RESULT line of the bring-your-own-workload format.
cat > "$TMP/byow.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	const char *t = getenv("LHV_THREADS"), *s = getenv("LHV_SECS");
	int ok = argc == 3 && strcmp(argv[1], "-x") == 0 && strcmp(argv[2], "7") == 0;
	printf("byow: argc=%d\n", argc);
	printf("RESULT ops_per_s=42.5 threads=%s secs=%s ok=%d\n", t ? t : "-", s ? s : "-", ok);
	return ok ? 0 : 1;
}
C
${CC:-gcc} -static -O2 -Wall -Werror -o "$TMP/byow" "$TMP/byow.c" || die "cannot build the test program"
"$ROOT/guest/linux/mkinitramfs.sh" --program "$TMP/byow" "$TMP/initramfs.cpio.gz" >"$TMP/mkinitramfs.log" 2>&1 ||
	{ cat "$TMP/mkinitramfs.log"; die "mkinitramfs.sh failed"; }

work="${BUILTIN// /,},byow,bogus"
start=$(date +%s%N)
timeout -s KILL 300 qemu-system-x86_64 -accel tcg -cpu max -smp 4 -m 512 \
	-display none -monitor none -serial "file:$TMP/serial.log" -no-reboot \
	-kernel "$KERNEL" -initrd "$TMP/initramfs.cpio.gz" \
	-append "console=ttyS0 quiet maxcpus=3 lhv.mtwork=0 lhv.secs=1 lhv.work=$work lhv.args.byow=-x,7" \
	</dev/null >"$TMP/qemu.out" 2>&1
status=$?
end=$(date +%s%N)
tr -d '\r' < "$TMP/serial.log" > "$TMP/serial.txt" && mv "$TMP/serial.txt" "$TMP/serial.log"
echo "== $(cat "$KERNEL.package" 2>/dev/null || echo kernel) bare under QEMU TCG, -smp 4 maxcpus=3: status $status, $(( (end - start) / 1000000 )) ms"
grep -E '^(LHV-GUEST|RESULT)' "$TMP/serial.log" | sed 's/^/   /'
[ "$status" = 137 ] && die "QEMU killed after 300 s"
[ "$status" = 0 ] || die "QEMU exited with status $status"

grep -q '^LHV-GUEST: cpus present=0-3 possible=0-3 count=4$' "$TMP/serial.log" || die "not 4 CPUs present"
grep -q '^LHV-GUEST: cpu problem: 1 of 4 present CPUs offline (online=0-2 present=0-3)$' "$TMP/serial.log" ||
	die "the offline CPU was not reported"
grep -q '^LHV-GUEST: dmesg .* offline=1 problems=1$' "$TMP/serial.log" || die "problems= does not count the offline CPU"

"$ROOT/guest/linux/work-results.sh" "$TMP/serial.log" > "$TMP/results"
echo "== guest/linux/work-results.sh: status $?"
sed 's/^/   /' "$TMP/results"
for w in $BUILTIN; do
	grep -Eq "^work=$w rc=0 status=pass ops_per_s=[0-9.]+ workload=[a-z]+ threads=3 .* ok=1( |\$)" "$TMP/results" ||
		die "workload $w: no passing RESULT line on 3 threads"
done
grep -q '^work=byow rc=0 status=pass ops_per_s=42.5 threads=3 secs=1 ok=1$' "$TMP/results" ||
	die "the --program workload did not get its arguments and environment"
grep -q '^work=bogus rc=127 status=fail reason=exit_status_127$' "$TMP/results" ||
	die "the bogus workload was not reported failed"
[ "$(grep -c 'status=pass' "$TMP/results")" = 11 ] || die "not 11 workloads passed"
grep -q '^LHV-GUEST: summary cpus=3/4 problems=1 mtwork=skipped work=11/12 up_s=[0-9.]* steal_s=[0-9.]*$' "$TMP/serial.log" ||
	die "no or wrong summary line"
grep -q 'reboot: Power down' "$TMP/serial.log" || die "the kernel did not power off"
echo PASS
