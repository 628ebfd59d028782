#!/usr/bin/env bash
# Fetch Debian's generic and cloud x86-64 kernels for Linux-guest tests and
# cache them, with their .deb, under build/cache/linux/:
#   vmlinuz-generic   /boot/vmlinuz-* of linux-image-amd64's kernel package
#   vmlinuz-cloud     /boot/vmlinuz-* of linux-image-cloud-amd64's
#   vmlinux-generic, vmlinux-cloud: the uncompressed ELF kernels inside them,
#                     with their PVH entry (extract-vmlinux.sh; the cloud
#                     kernel needs lz4; one that cannot be extracted is a
#                     warning, not a failure)
# Idempotent: a kernel already extracted is not fetched again (--force does).
# The metapackages only depend on a versioned package (linux-image-6.1.0-N-
# amd64); `apt-cache depends` names it, and apt-get download fetches that
# .deb without installing anything. Only Debian's own mirror is used.
#
#   guest/linux/fetch-kernels.sh [--force] [--cache DIR] [generic|cloud]...
# Exit status: 0 when every requested kernel is there, 1 on error (offline,
# no such package), 2 on bad usage.
set -euo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
cache=$BUILD/cache/linux
force=
flavours=()

die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '11,13s/^# \{0,1\}//p' "$0" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1 ;;
	--cache) [ $# -ge 2 ] || usage; cache=$2; shift ;;
	generic | cloud) flavours+=("$1") ;;
	-h | --help) usage ;;
	*) echo "$prog: unknown argument '$1'" >&2; usage ;;
	esac
	shift
done
[ ${#flavours[@]} -gt 0 ] || flavours=(generic cloud)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

for tool in apt-cache apt-get dpkg; do
	command -v "$tool" >/dev/null || die "needs $tool (a Debian-based host)"
done

metapackage() {
	case $1 in
	generic) echo linux-image-amd64 ;;
	cloud) echo linux-image-cloud-amd64 ;;
	esac
}

# The versioned kernel package the metapackage depends on, or nothing.
lookup() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}

updated=
resolve() {
	local meta=$1 pkg
	pkg=$(lookup "$meta")
	if [ -z "$pkg" ] && [ -z "$updated" ]; then
		# Package lists missing or stale: refresh them once.
		echo "$prog: $meta not in the package lists; running apt-get update" >&2
		$SUDO apt-get update -qq >&2 || die "apt-get update failed (offline?)"
		updated=1
		pkg=$(lookup "$meta")
	fi
	[ -n "$pkg" ] || die "cannot find the kernel package behind $meta"
	echo "$pkg"
}

# first_match PATTERN...: the first existing path the glob gives, or nothing.
first_match() {
	local f
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 0
}

# The uncompressed kernel for PVH boots, extracted once per bzImage. Only
# PVH boots need it: without it (a decompressor missing, say) the bzImage
# users go on, so this warns rather than fails.
vmlinux() {
	local fl=$1
	if "$ROOT/guest/linux/extract-vmlinux.sh" ${force:+--force} "$cache/vmlinuz-$fl" "$cache/vmlinux-$fl"; then
		cp "$cache/vmlinuz-$fl.package" "$cache/vmlinux-$fl.package" 2>/dev/null || true
	else
		echo "$prog: warning: no vmlinux-$fl: PVH boots of this kernel are unavailable" >&2
	fi
}

mkdir -p "$cache"
for fl in "${flavours[@]}"; do
	out=$cache/vmlinuz-$fl
	if [ -s "$out" ] && [ -z "$force" ]; then
		echo "$prog: $out present ($(cat "$out.package" 2>/dev/null || echo '?'))"
		vmlinux "$fl"
		continue
	fi
	meta=$(metapackage "$fl")
	pkg=$(resolve "$meta")
	deb=$(first_match "$cache/${pkg}"_*.deb)
	if [ -z "$deb" ] || [ -n "$force" ]; then
		echo "$prog: downloading $pkg (for $meta)"
		# apt-get download writes into the current directory; run it
		# as the user (root needs no sudo, and apt's sandbox user must
		# be able to write there, hence a world-writable temp dir).
		tmp=$(mktemp -d)
		chmod 0777 "$tmp"
		if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
			# The package list may name a version the mirror dropped.
			if [ -z "$updated" ]; then
				$SUDO apt-get update -qq >&2 || { rm -rf "$tmp"; die "apt-get update failed (offline?)"; }
				updated=1
				pkg=$(lookup "$meta")
				(cd "$tmp" && apt-get download -q "$pkg" >&2) ||
					{ rm -rf "$tmp"; die "cannot download $pkg (offline?)"; }
			else
				rm -rf "$tmp"
				die "cannot download $pkg (offline?)"
			fi
		fi
		rm -f "$cache/${pkg}"_*.deb
		mv "$tmp"/*.deb "$cache/"
		rm -rf "$tmp"
		deb=$(first_match "$cache/${pkg}"_*.deb)
		[ -n "$deb" ] || die "apt-get download left no $pkg .deb"
	fi
	x=$(mktemp -d)
	dpkg -x "$deb" "$x" || { rm -rf "$x"; die "cannot extract $deb"; }
	img=$(first_match "$x"/boot/vmlinuz-*)
	[ -n "$img" ] || { rm -rf "$x"; die "$deb has no /boot/vmlinuz-*"; }
	cp "$img" "$out.tmp" && mv "$out.tmp" "$out"
	rm -rf "$x"
	echo "$pkg" > "$out.package"
	echo "$prog: $out <- $pkg ($(stat -c %s "$out") bytes)"
	vmlinux "$fl"
done
