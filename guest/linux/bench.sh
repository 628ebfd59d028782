#!/usr/bin/env bash
# Linux boot benchmark (make bench runs it): the same Debian kernel and
# initramfs booted to user space and powered off under Bochs, bare (GRUB's
# `linux` command) and as a guest of lhv with as many vCPUs as Bochs has
# pCPUs. Bochs' virtual time (clock sync=none, ips 100M) is an instruction
# count, so the emulated figures are exact and repeatable; wall time is this
# machine's. The issue's aim: lhv adds at most 20% to a guest's boot.
#
#   guest/linux/bench.sh [--cpus "1 2"] [--kernel generic|cloud]
# Figures go to docs/benchmarks.md by hand.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
cpus_list="1 2" kind=generic ips=100000000
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus_list=$2; shift ;;
	--kernel) kind=$2; shift ;;
	*) echo "bench.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
out=$BUILD/bench/linux
mkdir -p "$out"
guest/linux/fetch-kernels.sh > "$out/fetch.log" 2>&1 || { echo "linux bench: kernels unavailable, skipped"; exit 0; }
guest/linux/mkinitramfs.sh "$out/initrd.gz" > /dev/null
[ -f "$BUILD/hv.elf" ] || { echo "linux bench: $BUILD/hv.elf missing (make all)" >&2; exit 1; }
cp "$BUILD/cache/linux/vmlinuz-$kind" "$out/vmlinuz"
args="console=ttyS0 quiet lhv.mtwork=0"

# run NAME ISO CPUS [bochs.sh options]: prints "wall emu guest" (seconds).
# The bare kernel reads MSRs Bochs' model lacks (0x1a0) without a fixup, so
# its run ignores unknown MSRs as Bochs does by default; under lhv the
# hypervisor answers them.
run() {
	local name=$1 iso=$2 n=$3 log=$out/$1.log t0 t1 ticks guest
	shift 3
	t0=$EPOCHREALTIME
	scripts/bochs.sh --iso "$iso" --cpus "$n" --log "$log" --ips "$ips" --timeout 1800 "$@" \
		2> "$out/$name.err" || { echo "linux bench: $name failed, see $log" >&2; return 1; }
	t1=$EPOCHREALTIME
	grep -aq 'LHV-GUEST: done' "$log" || { echo "linux bench: $name did not reach user space" >&2; return 1; }
	ticks=$(grep -aoE '^[0-9]+' "${log%.log}.bochs.log" "$(dirname "$log")/bochs.log" 2>/dev/null |
		tail -n 1 | sed 's/.*://; s/^0*//')
	guest=$(grep -aoE '\[ *[0-9]+\.[0-9]+\] reboot: Power down' "$log" | grep -oE '[0-9]+\.[0-9]+' | head -1)
	awk -v a="$t0" -v b="$t1" -v t="${ticks:-0}" -v ips="$ips" -v g="${guest:-0}" \
		'BEGIN { printf "%.1f %.3f %s\n", b - a, t / ips, g }'
}

echo "==== Linux boot: Debian $kind kernel, initramfs to 'LHV-GUEST: done' and power-off, Bochs ips=$ips ===="
printf '%-6s %-28s %10s %12s %14s\n' pCPUs setup "wall (s)" "emulated (s)" "guest clock (s)"
for n in $cpus_list; do
	# Bochs' CPUID 0x15 claims a 2.4 GHz TSC while the emulated TSC runs
	# at ips (100 MHz): bare Linux would believe it and stretch every
	# sleep 24 times. tsc_early_khz gives it the true rate, as lhv's
	# kvmclock does for its guests.
	scripts/mkiso.sh -o "$out/bare.iso" -L "$out/vmlinuz $args tsc_early_khz=$((ips / 1000))" -I "$out/initrd.gz"
	read -r bw be bg < <(run "bare-${n}cpu" "$out/bare.iso" "$n" --ignore-bad-msrs)
	printf '%-6s %-28s %10s %12s %14s\n' "$n" "bare (GRUB linux)" "$bw" "$be" "$bg"
	cp "$out/vmlinuz" "$out/guest-vmlinuz"
	cp "$out/initrd.gz" "$out/guest-initrd.gz"
	scripts/mkiso.sh -o "$out/hv.iso" -k "$BUILD/hv.elf" \
		-m "$out/guest-vmlinuz vm=bench vcpus=$n mem=256M -- $args" -m "$out/guest-initrd.gz vm=bench initrd"
	read -r hw he hg < <(run "hv-${n}cpu" "$out/hv.iso" "$n")
	printf '%-6s %-28s %10s %12s %14s\n' "$n" "lhv guest ($n vCPU)" "$hw" "$he" "$hg"
	awk -v b="$be" -v h="$he" 'BEGIN { printf "       lhv / bare, emulated: %.2f\n", h / b }'
done
