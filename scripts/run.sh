#!/usr/bin/env bash
# `make run`: boot the default configuration under the best emulator here and
# show the serial console live until the emulator ends.
#
#   scripts/run.sh [--bochs | --qemu] [--model NAME] [--cpus N] [--dry-run]
#
# --dry-run: print the command line and the module lines it would boot, and
# stop there (no ISO, no emulator). --model: the Bochs CPU model (implies
# --bochs unless --qemu is given): tigerlake (VT-x, the default) or ryzen
# (AMD-V).
#
# Emulator, the fastest there is: QEMU with KVM (-cpu host) when /dev/kvm is
# usable and the CPU has vmx or svm (nested VT-x or AMD-V); else QEMU TCG,
# which emulates AMD-V (-cpu max); else (no QEMU) Bochs.
# Environment:
#   HV_EMU=auto|bochs|qemu   emulator (default auto, as above)
#   HV_CPUS=N                pCPUs (default 2)
#   HV_MEM=M                 MiB of RAM (default 1024)
#   HV_CMDLINE="..."         hypervisor command line (default empty)
#   HV_MODULES="FILE ARGS; FILE ARGS"  guests/modules, ';' or newline
#                            separated; they replace the default guests
#   HV_MODULES_FILE=PATH     one "FILE ARGS" per line ('#' comments), read
#                            after HV_MODULES. Default: build/default-modules
#                            (the default guests `make run` writes), but only
#                            when HV_MODULES is empty; HV_MODULES_FILE= (empty)
#                            reads no file
#   HV_TIMEOUT=S             hard limit (default 3600)
#   HV_MODEL=NAME            Bochs CPU model, as --model (default tigerlake)
# The serial log is kept in build/run/serial.log. Ctrl-C stops the emulator.
# At the end a table per guest (scripts/summarize-log.sh: vCPUs, CPUs online
# in a Linux guest, workload result, run and steal ms, stop reason) and a
# PROBLEM line for each thing that went wrong; exit status 1 if any.
set -euo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

emu=${HV_EMU:-auto} cpus=${HV_CPUS:-2} mem=${HV_MEM:-1024} dry=
tmo=${HV_TIMEOUT:-3600} model=${HV_MODEL:-tigerlake}
while [ $# -gt 0 ]; do
	case $1 in
	--bochs) emu=bochs ;;
	--qemu) emu=qemu ;;
	--model) model=${2-}; [ "$emu" = qemu ] || emu=bochs; shift ;;
	--cpus) cpus=${2-}; shift ;;
	--dry-run) dry=1 ;;
	-h | --help) sed -n '2,33s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$prog: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

hv=$BUILD/hv.elf
[ -f "$hv" ] || { echo "$prog: $hv missing: run 'make all'" >&2; exit 1; }
out=$BUILD/run
mkdir -p "$out"
log=$out/serial.log

# Modules: HV_MODULES entries, then the lines of the modules file.
mods=()
add_mod() {
	local m=$1
	m=${m#"${m%%[![:space:]]*}"}
	m=${m%"${m##*[![:space:]]}"}
	case $m in '' | '#'*) return ;; esac
	mods+=(-m "$m")
}
if [ -n "${HV_MODULES:-}" ]; then
	while IFS= read -r m; do add_mod "$m"; done <<< "${HV_MODULES//;/$'\n'}"
fi
# The default guests (build/default-modules) only when no guest was given:
# HV_MODULES replaces them; an explicit HV_MODULES_FILE is always read.
if [ -n "${HV_MODULES_FILE+set}" ]; then
	mfile=$HV_MODULES_FILE
elif [ ${#mods[@]} -eq 0 ]; then
	mfile=$BUILD/default-modules
else
	mfile=
fi
if [ -n "${HV_MODULES_FILE:-}" ] && [ ! -f "$mfile" ]; then
	echo "$prog: HV_MODULES_FILE=$mfile: no such file" >&2
	exit 2
fi
if [ -n "$mfile" ] && [ -f "$mfile" ]; then
	while IFS= read -r m || [ -n "$m" ]; do add_mod "$m"; done < "$mfile"
fi
cmdline=${HV_CMDLINE:-}
if [ -n "$dry" ]; then
	echo "$prog: command line: $cmdline"
	for ((i = 1; i < ${#mods[@]}; i += 2)); do echo "$prog: module: ${mods[$i]}"; done
	exit 0
fi

if [ -z "$cmdline" ] && [ ${#mods[@]} -eq 0 ] && [ "$BUILD/hv.iso" -nt "$hv" ]; then
	iso=$BUILD/hv.iso
else
	iso=$out/hv.iso
	"$ROOT/scripts/mkiso.sh" -o "$iso" -k "$hv" ${cmdline:+-c "$cmdline"} "${mods[@]}"
fi

kvm_usable() { [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }
case $emu in
auto) if command -v "${QEMU:-qemu-system-x86_64}" >/dev/null; then emu=qemu; else emu=bochs; fi ;;
bochs | qemu) ;;
*) echo "$prog: HV_EMU must be auto, bochs or qemu" >&2; exit 2 ;;
esac
if [ "$emu" = qemu ]; then
	what="QEMU ($(kvm_usable && echo KVM || echo 'TCG, AMD-V'))"
	cmd=("$ROOT/scripts/qemu.sh" --iso "$iso" --cpus "$cpus" --mem "$mem" --log "$log" --timeout "$tmo")
else
	what="Bochs (model $model)"
	cmd=("$ROOT/scripts/bochs.sh" --iso "$iso" --cpus "$cpus" --megs "$mem" --model "$model" --log "$log" --timeout "$tmo")
fi

echo "$prog: booting ${iso#"$ROOT"/} under $what, $cpus pCPUs, ${mem} MiB; serial log ${log#"$ROOT"/}"
[ -z "$cmdline" ] || echo "$prog: command line: $cmdline"
for ((i = 1; i < ${#mods[@]}; i += 2)); do echo "$prog: module: ${mods[$i]}"; done
echo "$prog: Ctrl-C stops it; hard limit ${tmo}s"

rm -f "$log"
: > "$log"
"${cmd[@]}" &
emu_pid=$!
tail_pid=
stop() {
	# The emulator wrapper ignores SIGINT (a background job); TERM makes it
	# kill the emulator.
	kill -TERM "$emu_pid" 2>/dev/null || true
	wait "$emu_pid" 2>/dev/null || true
	[ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
	echo
	echo "$prog: stopped"
	summarize || true
	echo "$prog: serial log ${log#"$ROOT"/}"
	exit 130
}
# The per-guest table (scripts/summarize-log.sh): status 1 when it flags a
# PROBLEM.
summarize() {
	echo "$prog: guests (scripts/summarize-log.sh ${log#"$ROOT"/}):"
	"$ROOT/scripts/summarize-log.sh" "$log"
}
trap stop INT TERM HUP
tail -n +1 -F -s 0.2 --pid="$emu_pid" "$log" 2>/dev/null &
tail_pid=$!
rc=0
wait "$emu_pid" || rc=$?
wait "$tail_pid" 2>/dev/null || true
trap - INT TERM HUP
echo
case $rc in
0) if "$ROOT/scripts/check-log.sh" "$log" --tail 0 -q > /dev/null; then
	echo "$prog: the hypervisor powered off cleanly"
   else
	echo "$prog: the emulator ended, but not with a clean HV POWEROFF as the last line"
	rc=1
   fi ;;
137) echo "$prog: timeout after ${tmo}s" ;;
*) echo "$prog: the emulator failed (status $rc)" ;;
esac
if ! summarize && [ "$rc" -eq 0 ]; then
	rc=1
fi
echo "$prog: serial log ${log#"$ROOT"/}"
exit "$rc"
