#!/usr/bin/env bash
# Extract the uncompressed kernel (vmlinux, an ELF64 file) from a bzImage,
# so it can be booted through its PVH entry without the decompressor, and
# check that it has that entry (the Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY,
# type 18). Idempotent: OUT is rewritten only when missing, older than
# BZIMAGE, or with --force.
#
#   guest/linux/extract-vmlinux.sh [--force] BZIMAGE OUT
#
# The compressed kernel is located exactly by the setup header (Linux boot
# protocol 2.08+, Documentation/arch/x86/boot.rst): it starts payload_offset
# (0x248) bytes into the protected-mode code, which follows the
# (setup_sects + 1) * 512 bytes of real-mode code, and is payload_length
# (0x24c) bytes long. Its last 4 bytes are the uncompressed size (the
# kernel build appends them; gzip's own trailer ends the same way). Debian
# 12's generic kernel is xz-compressed, its cloud kernel lz4; gzip and zstd
# are understood too. Needs xz (xz-utils), lz4, readelf (binutils).
# Exit status: 0 done, 1 error, 2 bad usage.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '8,8s/^# \{0,1\}//p' "$0" >&2; exit 2; }

force=
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1 ;;
	-h | --help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || usage
in=$1 out=$2
[ -f "$in" ] || die "$in: no such file"
if [ -z "$force" ] && [ -s "$out" ] && [ "$out" -nt "$in" ]; then
	echo "$prog: $out present"
	exit 0
fi
command -v readelf >/dev/null || die "needs readelf (package binutils)"

# le BYTES OFFSET: the unsigned little-endian number at OFFSET in $in.
le() { od -An -t "u$1" -j "$2" -N "$1" "$in" | tr -d ' '; }
# hex OFFSET N: N bytes at OFFSET as hex digits.
hex() { od -An -tx1 -j "$1" -N "$2" "$in" | tr -d ' \n'; }

size=$(stat -c %s "$in")
[ "$size" -ge 4096 ] || die "$in: $size bytes, too short for a bzImage"
[ "$(hex $((0x1fe)) 2)" = 55aa ] || die "$in: no boot flag 0xaa55 at 0x1fe: not a bzImage"
[ "$(hex $((0x202)) 4)" = 48647253 ] || die "$in: no \"HdrS\" at 0x202: not a bzImage"
version=$(le 2 $((0x206)))
[ "$version" -ge $((0x0208)) ] ||
	die "$in: boot protocol $((version >> 8)).$((version & 255)) has no payload fields (2.08+ needed)"
setup_sects=$(le 1 $((0x1f1)))
[ "$setup_sects" != 0 ] || setup_sects=4
payload_offset=$(le 4 $((0x248)))
payload_length=$(le 4 $((0x24c)))
start=$(( (setup_sects + 1) * 512 + payload_offset ))
[ "$payload_length" -gt 4 ] || die "$in: payload_length $payload_length"
[ $((start + payload_length)) -le "$size" ] ||
	die "$in: payload (0x$(printf %x "$start") + $payload_length bytes) runs past the end of the file ($size bytes)"
want=$(le 4 $((start + payload_length - 4)))

magic=$(hex "$start" 6)
case $magic in
fd377a585a00) fmt=xz tool=xz strip=4 ;;
02214c18*) fmt=lz4 tool=lz4 strip=4 ;;      # lz4 legacy frame (lz4 -l)
1f8b*) fmt=gzip tool=gzip strip=0 ;;
28b52ffd*) fmt=zstd tool=zstd strip=4 ;;
*) die "$in: payload compression not recognised (magic $magic); xz, lz4, gzip and zstd are" ;;
esac
command -v "$tool" >/dev/null || die "needs $tool to decompress this $fmt kernel (Debian package $([ "$tool" = xz ] && echo xz-utils || echo "$tool"))"

mkdir -p "$(dirname "$out")"
tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT
dd if="$in" bs=64K iflag=skip_bytes,count_bytes skip="$start" count=$((payload_length - strip)) status=none |
	"$tool" -dc > "$tmp" ||
	die "$in: $fmt decompression failed"
got=$(stat -c %s "$tmp")
[ "$got" = "$want" ] || die "$in: decompressed $got bytes, the payload's trailer says $want"

# An x86-64 ELF executable with the PVH entry note. readelf names note
# types it knows; older ones print "Unknown note type: (0x00000012)".
hdr=$(readelf -h "$tmp" 2>&1) || die "$in: the payload is not an ELF file"
grep -q 'Class: *ELF64' <<< "$hdr" || die "$in: the payload is not ELF64"
grep -q 'Machine: *Advanced Micro Devices X86-64' <<< "$hdr" || die "$in: the payload is not an x86-64 ELF file"
grep -q 'Type: *EXEC' <<< "$hdr" || die "$in: the payload is not an ELF executable"
readelf -n "$tmp" | grep -Eq '^ *Xen +0x0000000[48][[:space:]]+(Unknown note type: \(0x00000012\)|XEN_ELFNOTE_PHYS32_ENTRY)' ||
	die "$in: the vmlinux has no PVH entry note (Xen note 18): a kernel built without CONFIG_PVH"
mv "$tmp" "$out"
trap - EXIT
echo "$prog: $out <- $in ($fmt, $got bytes)"
