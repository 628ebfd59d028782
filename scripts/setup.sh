#!/usr/bin/env bash
# Install what lhv needs on Debian 12, from Debian's own packages only.
# Idempotent: checks what is installed first (one dpkg-query) and only runs
# apt-get update + apt-get install for what is missing; sudo only when not
# root. Fast (well under a second) when everything is there.
#
#   scripts/setup.sh           install what is missing
#   scripts/setup.sh --check   only report what is missing (exit 1 if any)
#   scripts/setup.sh --list    print the package list
set -euo pipefail

prog=${0##*/}

# Package -> why. Debian 12 (bookworm) names.
PKGS=(
	gcc             # hypervisor, host tools, unit tests (gcc links libasan/libubsan)
	clang           # fuzz targets (tests/fuzz): Debian 12's default, clang-14
	libclang-rt-dev # its compiler-rt (libclang-rt-14-dev): libFuzzer, ASan, UBSan runtimes
	llvm            # llvm-symbolizer: file:line in the fuzz targets' sanitizer reports
	libc6-dev       # host programs
	make
	binutils        # as, ld, objcopy, readelf
	grub-common     # grub-mkimage, grub-file
	grub-pc-bin     # GRUB i386-pc (BIOS) modules and cdboot.img
	xorriso         # writes the ISO
	mtools          # FAT images (grub-mkrescue for EFI; harmless for BIOS)
	qemu-system-x86 # qemu-system-x86_64 (TCG, KVM where usable)
	bochs-term      # the "term" display library (libbx_term_gui.so); bochs needs one GUI package
	bochs           # bochs-bin, built with VMX (--enable-vmx=2)
	bochsbios       # /usr/share/bochs/BIOS-bochs-latest
	vgabios         # /usr/share/vgabios/vgabios.bin
	busybox-static  # /bin/busybox for guest initramfs images
	cpio            # initramfs archives (cpio -H newc)
	gzip
	xz-utils        # unpacking Debian kernel packages (data.tar.xz), the generic vmlinux
	lz4             # the cloud kernel's payload (guest/linux/extract-vmlinux.sh)
	python3         # scripts/compare.sh, scripts/lhv-trace.py
	gnuplot-nox     # the comparison's plots (pngcairo), without X
	parallel        # GNU parallel: compare.sh --emit parallel (--sshloginfile)
	coreutils       # timeout, stat, ...
	util-linux      # setsid
	procps          # ps, pgrep (diagnostics)
	file
)

want=("${PKGS[@]}")

case ${1-} in
--list) printf '%s\n' "${want[@]}"; exit 0 ;;
--check | '') ;;
-h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
*) echo "$prog: unknown argument '$1'" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null; then
	echo "$prog: error: dpkg-query not found: this script is for Debian 12" >&2
	exit 1
fi

# "${db:Status-Abbrev}" is "ii " for an installed package.
declare -A ok=()
while read -r name status; do
	[ "$status" = ii ] && ok[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${want[@]}" 2>/dev/null || true)

missing=()
for p in "${want[@]}"; do
	[ -n "${ok[$p]:-}" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "${1-}" = --check ]; then
	echo "$prog: missing: ${missing[*]}"
	exit 1
fi

echo "$prog: installing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null; then
	as_root=(sudo)
else
	echo "$prog: error: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
	exit 1
fi
# --no-install-recommends keeps it small (QEMU recommends a GUI, ovmf, ...).
# bochs depends on "bochs-wx | bochs-gui": bochs-term (listed before bochs)
# satisfies it without pulling in wxWidgets.
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}"

# Check again: apt-get can succeed without installing what we asked for.
still=()
for p in "${missing[@]}"; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "$s" = "ii " ] || still+=("$p")
done
if [ ${#still[@]} -gt 0 ]; then
	echo "$prog: error: still missing after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "$prog: done"
