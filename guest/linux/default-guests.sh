#!/usr/bin/env bash
# Write build/default-modules, the guests `make run` boots: two SMP Linux
# guests (Debian's generic and cloud kernels, 2 vCPUs and 256 MiB each) with
# the project's initramfs. When the kernels cannot be fetched (offline),
# fall back to two test-kernel VMs and say so.
#
#   guest/linux/default-guests.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
out=$BUILD/default-modules
gdir=$BUILD/guest/default
mkdir -p "$gdir"

if "$ROOT/guest/linux/fetch-kernels.sh" > "$gdir/fetch.log" 2>&1 &&
   "$ROOT/guest/linux/mkinitramfs.sh" "$gdir/initrd.gz" > "$gdir/initramfs.log" 2>&1; then
	for g in generic cloud; do
		cp "$BUILD/cache/linux/vmlinuz-$g" "$gdir/linux-$g"
		cp "$gdir/initrd.gz" "$gdir/initrd-$g.gz"
	done
	cat > "$out" <<MODS
# Two SMP Linux guests (written by guest/linux/default-guests.sh)
$gdir/linux-generic vm=linux1 vcpus=2 mem=256M -- console=ttyS0 quiet
$gdir/initrd-generic.gz vm=linux1 initrd
$gdir/linux-cloud vm=linux2 vcpus=2 mem=256M -- console=ttyS0 quiet
$gdir/initrd-cloud.gz vm=linux2 initrd
MODS
	echo "default-guests: two Linux guests (generic and cloud kernels, 2 vCPUs each)"
else
	echo "default-guests: Debian kernels unavailable (see $gdir/fetch.log): booting test kernels instead" >&2
	tk=$BUILD/guest/testkern.elf
	cp "$tk" "$gdir/demo-smp.elf"
	cp "$tk" "$gdir/demo-cpu.elf"
	cat > "$out" <<MODS
$gdir/demo-smp.elf vm=demo-smp vcpus=3 mem=16M -- test=smp,hlt,spin cpus=3 iters=3 hv=1
$gdir/demo-cpu.elf vm=demo-cpu vcpus=1 mem=16M -- test=cpuid,pio,msr,vmcall,apic,hlt hv=1
MODS
fi
