#!/usr/bin/env bash
# Boot the hypervisor under QEMU, serial console to a file.
#
#   scripts/qemu.sh (--iso ISO | --kernel ELF [--append CMDLINE]) --cpus N
#                   --log SERIAL.log [--timeout S] [--mem M] [--extra "ARGS"]
#                   [--accel auto|kvm|tcg] [--icount] [--debugcon FILE]
#
# --debugcon FILE: port 0xE9 (lhv's trace=1 output) into FILE.
# --kernel uses QEMU's PVH loader (the ELF note in hv.elf): no GRUB, boots in
# well under a second, no modules. --iso boots GRUB (multiboot2).
# Acceleration: KVM with -cpu host when /dev/kvm is usable and the host CPU
# has vmx or svm (VT-x or AMD-V for lhv, nested); else TCG -cpu max, which
# emulates AMD-V (SVM with nested paging) but no VMX. Override with --accel
# or QEMU_ACCEL. --icount makes TCG deterministic (single-threaded, virtual
# time = instructions). QEMU_TCG_THREAD=single|multi: TCG runs all vCPUs
# in one host thread or one thread each; the default is multi when the
# host has more cores than --cpus, else single.
# --extra is split on blanks and appended (e.g. --extra "-machine acpi=off").
#
# QEMU logs CPU resets (with their state) and guest errors to
# SERIAL.qemu.dbg: a triple fault of the machine shows there.
# Exit status: 0 QEMU ended by itself (ACPI power-off, isa-debug-exit at
# 0xf4 whatever the value, -no-reboot on a reset or triple fault; pass/fail
# comes from the serial log), 137 killed at the timeout, 2 usage error or
# QEMU refused to start. QEMU's stderr goes to SERIAL.qemu.err (printed on
# error).
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 2; }
usage() { sed -n '2,7s/^# \{0,1\}//p' "$0" >&2; exit 2; }

iso= kernel= append= cpus=1 log= tmo=300 mem=1024 accel=${QEMU_ACCEL:-auto} icount= debugcon=
tcg_thread=${QEMU_TCG_THREAD:-}
has_append=
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=${2-}; shift ;;
	--kernel) kernel=${2-}; shift ;;
	--append) append=${2-}; has_append=1; shift ;;
	--cpus) cpus=${2-}; shift ;;
	--log) log=${2-}; shift ;;
	--timeout) tmo=${2-}; shift ;;
	--mem | --megs) mem=${2-}; shift ;;
	--accel) accel=${2-}; shift ;;
	--icount) icount=1 ;;
	--debugcon) debugcon=${2-}; [ -n "$debugcon" ] || usage; shift ;;
	--extra) read -r -a more <<< "${2-}"; extra+=("${more[@]}"); shift ;;
	-h | --help) usage ;;
	*) echo "$prog: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[ -n "$log" ] || usage
if [ -n "$iso" ] && [ -n "$kernel" ]; then die "give --iso or --kernel, not both"; fi
[ -n "$iso$kernel" ] || die "give --iso ISO or --kernel ELF"
[ -z "$has_append" ] || [ -n "$kernel" ] || die "--append needs --kernel (put the command line in the ISO with mkiso.sh -c)"
[ -z "$iso" ] || [ -f "$iso" ] || die "ISO '$iso' does not exist"
[ -z "$kernel" ] || [ -f "$kernel" ] || die "kernel '$kernel' does not exist"
for v in cpus tmo mem; do
	[[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "--${v/tmo/timeout} must be a positive number"
done
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found (run scripts/setup.sh)"

kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo
}
case $accel in
auto) if kvm_usable; then accel=kvm; else accel=tcg; fi ;;
kvm) kvm_usable || echo "$prog: warning: /dev/kvm not usable or no vmx/svm on this CPU; trying KVM anyway" >&2 ;;
tcg) ;;
*) die "--accel must be auto, kvm or tcg" ;;
esac
if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
	[ -z "$icount" ] || die "--icount needs TCG"
else
	# One host thread per vCPU (MTTCG, QEMU's default) or all vCPUs in
	# turn in one thread. With fewer host cores than vCPUs, single is up
	# to 20 times faster for lhv (a pCPU that waits for another no longer
	# waits for the host to run that thread: docs/benchmarks.md).
	if [ -z "$tcg_thread" ]; then
		tcg_thread=single
		[ "$(nproc 2>/dev/null || echo 1)" -le "$cpus" ] || tcg_thread=multi
	fi
	case $tcg_thread in
	single | multi) ;;
	*) die "QEMU_TCG_THREAD must be single or multi" ;;
	esac
	[ -z "$icount" ] || tcg_thread=single
	accel_args=(-accel "tcg,thread=$tcg_thread" -cpu max)
	[ -z "$icount" ] || accel_args+=(-icount shift=0,sleep=off)
fi

mkdir -p "$(dirname "$log")"
errlog=${log%.log}.qemu.err
rm -f "$log" "$errlog" "${log%.log}.qemu.dbg"
: > "$log"

args=("${accel_args[@]}" -smp "$cpus" -m "${mem}M"
	-display none -monitor none -parallel none -nic none
	-serial "file:$log" -no-reboot -d cpu_reset,guest_errors -D "${log%.log}.qemu.dbg"
	-device isa-debug-exit,iobase=0xf4,iosize=0x4)
if [ -n "$kernel" ]; then
	args+=(-kernel "$kernel")
	[ -z "$has_append" ] || args+=(-append "$append")
else
	args+=(-cdrom "$iso" -boot d)
fi
[ -z "$debugcon" ] || args+=(-debugcon "file:$debugcon")
args+=("${extra[@]}")

pgid=
cleanup() { [ -z "$pgid" ] || kill -KILL -- "-$pgid" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

printf '%q ' "$qemu" "${args[@]}" > "${log%.log}.qemu.cmd"
echo >> "${log%.log}.qemu.cmd"

setsid timeout -s KILL "$tmo" "$qemu" "${args[@]}" </dev/null >/dev/null 2>"$errlog" &
pgid=$!
rc=0
{ wait "$pgid"; } 2>/dev/null || rc=$?
pgid=

if [ "$rc" -eq 137 ] || [ "$rc" -eq 124 ]; then
	echo "$prog: timeout: QEMU killed after ${tmo}s (serial log $log)" >&2
	exit 137
fi
# QEMU's own errors ("qemu-system-x86_64: ...", not warnings) mean it did not
# run the guest (status 1, which isa-debug-exit value 0 also gives).
if grep -v 'warning:' "$errlog" 2>/dev/null | grep -q "^${qemu##*/}: "; then
	echo "$prog: QEMU failed (status $rc):" >&2
	tail -n 20 "$errlog" >&2
	exit 2
fi
if [ "$rc" -ge 128 ]; then
	echo "$prog: QEMU died from signal $((rc - 128))" >&2
	exit 2
elif [ "$rc" -ne 0 ] && [ $((rc & 1)) -eq 1 ]; then
	echo "$prog: QEMU ended by isa-debug-exit (value $(((rc - 1) >> 1)))" >&2
elif [ "$rc" -ne 0 ]; then
	echo "$prog: QEMU ended by itself with status $rc" >&2
fi
exit 0
