#!/usr/bin/env bash
# One run of a comparison matrix (scripts/compare.sh), self-contained: it
# needs only its folder (run.env, run.json, written by compare.py), the
# matrix's inputs/ folder beside runs/ (hv.elf, the kernel, the initramfs,
# a copy of these scripts in inputs/bin/) and Debian's emulator packages.
#
#   run-one.sh RUN_DIR
#
# Builds the run's ISO, boots it under the emulator with the trace on
# (serial.log, trace.e9, bochs.log in RUN_DIR), deletes the ISO, and turns
# the logs into result.json, trace.json and hist.txt (parse_run.py).
# EMU_LOCK=FILE: hold flock(FILE) while the emulator runs (machines shared
# by several people). Exit status 0 when the run is good, 1 when it failed
# (result.json says why), 2 on a usage error.
set -uo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
# Installed in inputs/bin (everything side by side) or in the repository
# (scripts/compare/ below scripts/).
if [ -x "$here/mkiso.sh" ]; then S=$here; else S=$(cd "$here/.." && pwd); fi
[ $# -eq 1 ] && [ -f "$1/run.env" ] || { echo "usage: $prog RUN_DIR (with run.env)" >&2; exit 2; }
dir=$(cd "$1" && pwd)
top=$(cd "$dir/../.." && pwd)       # the matrix folder: runs/<id>/ and inputs/

# shellcheck source=/dev/null
. "$dir/run.env"
cd "$top" || exit 2
rm -f "$dir/result.json" "$dir/serial.log" "$dir/trace.e9" "$dir/trace.json" "$dir/hist.txt"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lhv-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# GRUB names modules by their base names: one name per VM.
mods=()
for m in "${MODULES[@]}"; do
	file=${m%%|*} rest=${m#*|}
	name=${rest%%|*} args=${rest#*|}
	ln "$top/$file" "$tmp/$name" 2>/dev/null || cp "$top/$file" "$tmp/$name"
	mods+=(-m "$tmp/$name $args")
done
iso=$tmp/hv.iso
if ! "$S/mkiso.sh" -o "$iso" -k "$top/$HV" -c "$HV_CMDLINE" "${mods[@]}" > "$dir/mkiso.log" 2>&1; then
	echo "$prog: $RUN_ID: mkiso.sh failed:" >&2
	tail -5 "$dir/mkiso.log" >&2
	python3 "$S/parse_run.py" "$dir" --rc 2 > /dev/null 2>&1
	exit 1
fi
if [ -n "${EMU_LOCK:-}" ]; then
	exec 9>"$EMU_LOCK" || exit 2
	flock 9 || { echo "$prog: $RUN_ID: cannot lock $EMU_LOCK" >&2; exit 2; }
fi
start=$(date +%s.%N)
case $EMULATOR in
bochs) "$S/bochs.sh" --iso "$iso" --cpus "$PCPUS" --megs "$MEM_MB" --log "$dir/serial.log" \
	--timeout "$TIMEOUT" --e9 "$dir/trace.e9" > "$dir/emulator.out" 2>&1 ;;
qemu) "$S/qemu.sh" --iso "$iso" --cpus "$PCPUS" --mem "$MEM_MB" --log "$dir/serial.log" \
	--timeout "$TIMEOUT" --debugcon "$dir/trace.e9" > "$dir/emulator.out" 2>&1 ;;
*) echo "$prog: unknown emulator '$EMULATOR'" >&2; exit 2 ;;
esac
rc=$?
end=$(date +%s.%N)
[ -z "${EMU_LOCK:-}" ] || flock -u 9
rm -f "$iso"
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
python3 "$S/parse_run.py" "$dir" --rc "$rc" --wall "$wall"
