#!/usr/bin/env bash
# `make bench`: every */bench.sh of the areas (sched/bench.sh: scheduler
# decision cost and simulator speed, seconds; guest/linux/bench.sh: Linux
# guest boot against a bare boot under Bochs, several minutes;
# vmm/svm/bench.sh: exit costs under VT-x and AMD-V, and the three-guest
# Linux scenario under Bochs/VT-x against QEMU/AMD-V, 7 minutes), then a
# boot-time benchmark of the hypervisor itself: Bochs (VT-x model) boots the
# GRUB ISO with no guest, 1, 2 and 4 pCPUs, to power-off. Prints figures
# only; copying them to docs/ is done by hand.
#
#   scripts/bench.sh [--quick] [--boot-only | --no-boot] [--cpus "1 2 4"] [--runs N]
#
# --quick       (`make bench QUICK=1`) leave out the slow area benchmarks
#               (guest/linux/bench.sh, vmm/svm/bench.sh): under a minute
# --boot-only   only the hypervisor boot benchmark
# --no-boot     only the area benchmarks (the Linux guest boot included)
#
# Boot figures per run:
#   wall READY   host seconds from starting Bochs to "HV READY" in the log
#   wall total   host seconds until Bochs exited (power-off)
#   hv READY     the hypervisor's own timestamp on the log line before
#                "HV READY" (emulated time since the hypervisor started)
#   emu total    emulated seconds from reset to power-off (BIOS and GRUB
#                included): Bochs' last tick count / ips; exact and
#                repeatable, since clock sync=none makes virtual time a
#                count of instructions
# Environment: BENCH_TIMEOUT (per area bench.sh, default 1800 s),
# BOOT_TIMEOUT (per boot, default 300 s).
set -uo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD

# Area benchmarks that take minutes; --quick leaves them out.
slow_benches="guest/linux/bench.sh vmm/svm/bench.sh"

do_areas=1 do_boot=1 cpus_list="1 2 4" runs=1 quick=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--boot-only) do_areas= ;;
	--no-boot) do_boot= ;;
	--cpus) cpus_list=${2-}; shift ;;
	--runs) runs=${2-}; shift ;;
	-h | --help) sed -n '2,29s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "$prog: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "$prog: --runs needs a positive number" >&2; exit 2; }

status=0

if [ -n "$do_areas" ]; then
	found=
	for b in */bench.sh */*/bench.sh; do
		[ -f "$b" ] || continue
		[ "$b" != scripts/bench.sh ] || continue
		if [ -n "$quick" ] && [[ " $slow_benches " == *" $b "* ]]; then
			echo "==== $b: left out (--quick) ===="
			echo
			continue
		fi
		found=1
		echo "==== $b ===="
		rc=0
		if [ -x "$b" ]; then
			timeout -k 20 "${BENCH_TIMEOUT:-1800}" "./$b" </dev/null || rc=$?
		else
			timeout -k 20 "${BENCH_TIMEOUT:-1800}" bash "./$b" </dev/null || rc=$?
		fi
		if [ "$rc" -ne 0 ]; then
			echo "$prog: $b failed (status $rc)"
			status=1
		fi
		echo
	done
	[ -n "$found" ] || echo "$prog: no */bench.sh found"
fi

[ -n "$do_boot" ] || exit "$status"

hv=$BUILD/hv.elf
[ -f "$hv" ] || { echo "$prog: $hv missing: run 'make all'" >&2; exit 1; }
out=$BUILD/bench
mkdir -p "$out"
if [ "$BUILD/hv.iso" -nt "$hv" ]; then
	iso=$BUILD/hv.iso
else
	iso=$out/hv.iso
	"$ROOT/scripts/mkiso.sh" -o "$iso" -k "$hv" || exit 1
fi
ips=100000000

echo "==== boot time: Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null), model tigerlake, ips=$ips, GRUB ISO ${iso#"$ROOT"/} ===="
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs"
printf '%-5s %-4s %11s %11s %11s %11s  %s\n' cpus run "wall READY" "wall total" "hv READY" "emu total" result
for n in $cpus_list; do
	for ((r = 1; r <= runs; r++)); do
		log=$out/boot-${n}cpu-$r.log
		rm -f "$log"
		t0=$EPOCHREALTIME
		"$ROOT/scripts/bochs.sh" --iso "$iso" --cpus "$n" --log "$log" --ips "$ips" \
			--timeout "${BOOT_TIMEOUT:-300}" 2>"$out/boot-${n}cpu-$r.err" &
		pid=$!
		t_ready=
		while kill -0 "$pid" 2>/dev/null; do
			if [ -z "$t_ready" ] && grep -aq '^HV READY' "$log" 2>/dev/null; then
				t_ready=$EPOCHREALTIME
			fi
			sleep 0.05
		done
		rc=0
		wait "$pid" || rc=$?
		t1=$EPOCHREALTIME
		if [ -z "$t_ready" ] && grep -aq '^HV READY' "$log" 2>/dev/null; then
			t_ready=$t1    # READY and exit between two polls
		fi
		# hv timestamp: the last "[ secs.micros]" before the READY line.
		hv_ready=$(tr -d '\r' < "$log" | awk '/^HV READY/ { print t; exit }
			match($0, /^\[ *[0-9]+\.[0-9]+\]/) { t = substr($0, 2, RLENGTH - 2); gsub(/ /, "", t) }')
		blog=${log%.log}.bochs.log
		ticks=$(grep -aoE '^[0-9]+' "$blog" 2>/dev/null | tail -n 1 | sed 's/^0*//')
		result=ok
		if [ "$rc" -ne 0 ]; then
			result="bochs status $rc"
			status=1
		elif ! "$ROOT/scripts/check-log.sh" "$log" --tail 0 -q --expect "^HV READY pcpus=$n\$" >/dev/null; then
			result="log check failed (${log#"$ROOT"/})"
			status=1
		fi
		awk -v n="$n" -v r="$r" -v t0="$t0" -v tr="${t_ready:-}" -v t1="$t1" \
			-v hv="${hv_ready:-}" -v ticks="${ticks:-}" -v ips="$ips" -v res="$result" 'BEGIN {
			printf "%-5s %-4s %11s %11s %11s %11s  %s\n", n, r,
				tr == "" ? "-" : sprintf("%.2fs", tr - t0),
				sprintf("%.2fs", t1 - t0),
				hv == "" ? "-" : hv "s",
				ticks == "" ? "-" : sprintf("%.3fs", ticks / ips), res }'
	done
done
exit "$status"
