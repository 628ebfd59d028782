#!/usr/bin/env bash
# Linux boot benchmark (make bench runs it): the same Debian kernel and
# initramfs booted to user space and powered off under Bochs, bare (GRUB's
# `linux` command) and as a guest of lhv with as many vCPUs as Bochs has
# pCPUs. Bochs' virtual time (clock sync=none, ips 100M) is an instruction
# count, so the emulated figures are exact and repeatable; wall time is this
# machine's. The issue's aim: lhv adds at most 20% to a guest's boot.
# docs/benchmarks.md ("Linux guest boot") has the figures and the caveats.
#
#   guest/linux/bench.sh [--cpus "1 2"] [--kernel generic|cloud] [--only bare|hv]
#                        [--bare-model MODEL] [--bare-args "ARGS"] [--timeout S]
#                        [--image bzimage|pvh|pvh-trim]
#
# --image: what the lhv guest boots: the bzImage (default), the vmlinux
# inside it through its PVH entry (no decompressor), or that vmlinux with
# its trailing zeros cut (scripts/compare/trim-vmlinux.py: GRUB loads less).
#
# Columns: wall seconds of the Bochs run; emulated seconds (Bochs ticks at
# power-off / ips: BIOS, GRUB, kernel decompression and boot, user space);
# the guest's own clock at "reboot: Power down"; lhv/bare ratio of the
# emulated time. The lhv row also prints the hypervisor's exits and exits
# per emulated second from its power-off summary.
#
# Kernel arguments, the same for both runs: "console=ttyS0,115200 quiet
# lhv.mtwork=0" (115200 baud: Bochs' UART takes real (emulated) time per
# character at the programmed rate and 9600 would bill the bare run for its
# console; lhv's UART is infinitely fast). The bare run adds what bare
# Bochs needs and lhv supplies by itself (see BARE_FIXES below).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
cpus_list="1 2" kind=generic ips=100000000 only='' tmo=1800 image=bzimage
bare_model=tigerlake bare_extra=
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus_list=$2; shift ;;
	--kernel) kind=$2; shift ;;
	--only) only=$2; shift ;;
	--bare-model) bare_model=$2; shift ;;
	--bare-args) bare_extra=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	--image) image=$2; shift ;;
	-h | --help) sed -n '2,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
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
args="console=ttyS0,115200 quiet lhv.mtwork=0"
# What the bare kernel needs on Bochs that lhv gives its guests anyway:
# - tsc_early_khz: Bochs' CPUID 0x15 claims a 2.4 GHz TSC while the
#   emulated TSC runs at ips (100 MHz); bare Linux would believe it and
#   stretch every delay 24 times. lhv measures the TSC and passes kvmclock.
# - clearcpuid=fsrm: Bochs answers IA32_MISC_ENABLE (0x1a0, unknown to it)
#   with 0, so Linux turns "fast strings" off and drops ERMS but keeps the
#   FSRM CPUID bit; with that mix the bare 6.1 kernel's memmove runs a
#   27-byte move as an endless 32-byte loop (the first printk with a level
#   prefix after "LSM: Security Framework initializing") and the boot dies
#   in a page-fault recursion. lhv answers the MSR, so its guest keeps ERMS.
#   docs/benchmarks.md ("Why the bare boot stalled") has the evidence.
BARE_FIXES="tsc_early_khz=$((ips / 1000)) ${BARE_WORKAROUND-clearcpuid=fsrm}${bare_extra:+ $bare_extra}"

# run NAME ISO CPUS [bochs.sh options]: prints "wall emu guest" (seconds),
# or "FAILED" on one line when the guest did not reach user space and
# power off.
run() {
	local name=$1 iso=$2 n=$3 log=$out/$1.log t0 t1 ticks guest rc=0
	shift 3
	t0=$EPOCHREALTIME
	scripts/bochs.sh --iso "$iso" --cpus "$n" --log "$log" --ips "$ips" --timeout "$tmo" "$@" \
		2> "$out/$name.err" || rc=$?
	t1=$EPOCHREALTIME
	# Reaching user space ('LHV-GUEST: booted') and the kernel's own
	# power-off line are the end points. /init's last lines ('LHV-GUEST:
	# done') can be lost on the bare run: poweroff -f does not drain the
	# tty, and Bochs' UART really takes 87 us a character at 115200.
	if [ "$rc" -ne 0 ] || ! grep -aq 'LHV-GUEST: booted' "$log" || ! grep -aq 'reboot: Power down' "$log"; then
		echo "linux bench: $name did not reach user space and power off (bochs.sh status $rc), see $log" >&2
		echo FAILED
		return 0
	fi
	# Bochs' last log line is its power-off message, stamped with the tick.
	ticks=$(grep -aoE '^[0-9]+' "${log%.log}.bochs.log" | tail -n 1 | sed 's/^0*//')
	guest=$(grep -aoE '\[ *[0-9]+\.[0-9]+\] reboot: Power down' "$log" | grep -oE '[0-9]+\.[0-9]+' | head -1)
	awk -v a="$t0" -v b="$t1" -v t="${ticks:-0}" -v ips="$ips" -v g="${guest:-0}" \
		'BEGIN { printf "%.1f %.3f %s\n", b - a, t / ips, g }'
}

row() { printf '%-6s %-26s %9s %13s %16s\n' "$@"; }
echo "==== Linux boot: Debian $kind kernel, initramfs to user space and power-off, Bochs ips=$ips ===="
echo "     args: $args; bare adds: $BARE_FIXES (bare CPU model $bare_model)"
row pCPUs setup "wall (s)" "emulated (s)" "guest clock (s)"
for n in $cpus_list; do
	be='' he=''
	if [ "$only" != hv ]; then
		scripts/mkiso.sh -o "$out/bare.iso" -L "$out/vmlinuz $args $BARE_FIXES" -I "$out/initrd.gz"
		# The bare kernel reads MSRs Bochs' model lacks (0x1a0 ...) without
		# a fixup, so its run ignores unknown MSRs as Bochs does by default;
		# under lhv the hypervisor answers them.
		read -r bw be bg < <(run "bare-${n}cpu" "$out/bare.iso" "$n" --ignore-bad-msrs --model "$bare_model")
		row "$n" "bare (GRUB linux)" "$bw" "${be:--}" "${bg:--}"
	fi
	if [ "$only" != bare ]; then
		case $image in
		bzimage) cp "$out/vmlinuz" "$out/guest-vmlinuz" ;;
		pvh) cp "$BUILD/cache/linux/vmlinux-$kind" "$out/guest-vmlinuz" ;;
		pvh-trim) scripts/compare/trim-vmlinux.py "$BUILD/cache/linux/vmlinux-$kind" "$out/guest-vmlinuz" > /dev/null ;;
		*) echo "bench.sh: --image must be bzimage, pvh or pvh-trim" >&2; exit 2 ;;
		esac
		cp "$out/initrd.gz" "$out/guest-initrd.gz"
		scripts/mkiso.sh -o "$out/hv.iso" -k "$BUILD/hv.elf" \
			-m "$out/guest-vmlinuz vm=bench vcpus=$n mem=256M -- $args" -m "$out/guest-initrd.gz vm=bench initrd"
		read -r hw he hg < <(run "hv-${n}cpu" "$out/hv.iso" "$n")
		row "$n" "lhv guest ($n vCPU, $image)" "$hw" "${he:--}" "${hg:--}"
		if [ "$hw" != FAILED ]; then
			exits=$(grep -aoE 'summary: vm bench stopped reason=[a-z]+, exits [0-9]+' "$out/hv-${n}cpu.log" | grep -oE '[0-9]+$' | head -1)
			[ -z "$exits" ] || awk -v x="$exits" -v e="$he" \
				'BEGIN { printf "       lhv: %d VM exits, %.0f per emulated second\n", x, x / e }'
		fi
	fi
	if [ -n "$be" ] && [ -n "$he" ] && [ "$bw" != FAILED ] && [ "$hw" != FAILED ]; then
		awk -v b="$be" -v h="$he" -v bw="$bw" -v hw="$hw" \
			'BEGIN { printf "       lhv / bare: emulated %.2f, wall %.2f\n", h / b, hw / bw }'
	fi
done
