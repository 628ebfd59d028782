#!/usr/bin/env bash
# Build a small initramfs for Linux guests: busybox-static, an /init that
# reports on the boot and runs a workload, and the given programs.
#
#   guest/linux/mkinitramfs.sh OUT.cpio.gz [--program PATH]... [--no-mtwork]
#
# --program PATH   copy PATH (a static binary) to /bin/<name> in the image
# --no-mtwork      leave out guest/linux/mtwork (built here by default with
#                  the host gcc: -static -O2 -pthread)
#
# The /init prints, on the console (console=ttyS0 on the kernel command line):
#   LHV-GUEST: booted
#   LHV-GUEST: cpus online=<list> count=<n>
#   LHV-GUEST: dmesg hypervisor: <the "Hypervisor detected" line, or none>
#   LHV-GUEST: dmesg kvm-clock: <the first kvm-clock line, or none>
#   LHV-GUEST: dmesg soft-lockup=<n> rcu-stall=<n> bug=<n> oops=<n> problems=<n>
#   LHV-GUEST: mtwork rc=<status> (with mtwork's own lines before it)
#   LHV-GUEST: done
# then powers off (poweroff -f: ACPI S5 where the platform has it).
# Kernel command line knobs: lhv.mtwork=0 skips mtwork; lhv.iters=N and
# lhv.threads=N are passed to it as -n and -t.
set -euo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '5,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }

out='' programs=() mtwork=1
while [ $# -gt 0 ]; do
	case $1 in
	--program) [ $# -ge 2 ] || usage; programs+=("$2"); shift ;;
	--no-mtwork) mtwork= ;;
	-h | --help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) [ -z "$out" ] || usage; out=$1 ;;
	esac
	shift
done
[ -n "$out" ] || usage

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (package busybox-static; scripts/setup.sh installs it)"
command -v cpio >/dev/null || die "cpio missing (package cpio; scripts/setup.sh installs it)"
command -v gzip >/dev/null || die "gzip missing"
# A dynamically linked busybox (package busybox) would need its libraries.
if command -v readelf >/dev/null && readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'interpreter'; then
	die "$BUSYBOX is dynamically linked: install busybox-static"
fi
for p in "${programs[@]}"; do
	[ -f "$p" ] || die "--program $p: no such file"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc}

cp "$BUSYBOX" "$root/bin/busybox"
# One symlink per applet, so /init can call them by name.
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
ln -s bin "$root/sbin"

if [ -n "$mtwork" ]; then
	${CC:-gcc} -std=gnu11 -static -O2 -pthread -Wall -Wextra -Werror \
		-o "$root/bin/mtwork" "$ROOT/guest/linux/mtwork.c" || die "cannot build mtwork"
fi
for p in "${programs[@]}"; do
	cp "$p" "$root/bin/${p##*/}"
	chmod 0755 "$root/bin/${p##*/}"
done

# The kernel opens /dev/console before running /init; without the node the
# first messages of /init would go nowhere (it reopens it after mounting
# devtmpfs anyway). mknod needs root; cpio stores the node as made.
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
fi

cat > "$root/init" <<'INIT'
#!/bin/sh
# lhv Linux-guest init (guest/linux/mkinitramfs.sh). Runs as PID 1.
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp

say() { echo "LHV-GUEST: $*"; }
say booted

# /sys/devices/system/cpu/online is a list such as "0-3" or "0,2-5".
online=$(cat /sys/devices/system/cpu/online)
count=0
for part in $(echo "$online" | tr ',' ' '); do
	lo=${part%-*} hi=${part#*-}
	count=$((count + hi - lo + 1))
done
say "cpus online=$online count=$count"

dmesg > /tmp/dmesg
line=$(grep -m1 'Hypervisor detected' /tmp/dmesg)
say "dmesg hypervisor: ${line:-none}"
line=$(grep -m1 'kvm-clock' /tmp/dmesg)
say "dmesg kvm-clock: ${line:-none}"
soft=$(grep -c 'soft lockup' /tmp/dmesg)
rcu=$(grep -cE 'rcu.*stall' /tmp/dmesg)
bug=$(grep -c 'BUG:' /tmp/dmesg)
oops=$(grep -c 'Oops' /tmp/dmesg)
warn=$(grep -c 'WARNING:' /tmp/dmesg)
# Case matters: "Oops" must not match "loops_per_jiffy".
problem_re='soft lockup|rcu.*stall|BUG:|Oops|WARNING:|CPU ?[0-9]+ (is )?stuck|failed to (boot|come online)|not responding'
stuck=$(grep -cE 'CPU ?[0-9]+ (is )?stuck|failed to (boot|come online)|not responding' /tmp/dmesg)
all=$(grep -cE "$problem_re" /tmp/dmesg)
say "dmesg soft-lockup=$soft rcu-stall=$rcu bug=$bug oops=$oops warning=$warn stuck=$stuck problems=$all"
if [ "$all" != 0 ]; then
	grep -E "$problem_re" /tmp/dmesg | head -5 | while IFS= read -r l; do say "dmesg problem: $l"; done
fi

run_mtwork=1 margs=
for w in $(cat /proc/cmdline); do
	case $w in
	lhv.mtwork=0) run_mtwork= ;;
	lhv.iters=*) margs="$margs -n ${w#lhv.iters=}" ;;
	lhv.threads=*) margs="$margs -t ${w#lhv.threads=}" ;;
	esac
done
if [ -n "$run_mtwork" ] && [ -x /bin/mtwork ]; then
	# shellcheck disable=SC2086
	/bin/mtwork $margs
	say "mtwork rc=$?"
fi

say done
poweroff -f
# Only reached if the platform cannot power off: PID 1 must not exit.
while :; do sleep 3600; done
INIT
chmod 0755 "$root/init"

mkdir -p "$(dirname "$out")"
# newc is the format the kernel's initramfs unpacker reads.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -9 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$prog: $out ($(stat -c %s "$out") bytes)"
