#!/usr/bin/env bash
# VMM benchmark (make bench runs it, also in its quick mode): the length of
# exit round trips and the kick -> wake latency of a halted vCPU, measured
# by the test kernel as guest TSC ticks under Bochs (ips 100M, clock
# sync=none: a tick is about one emulated instruction, so the figures are
# exact and repeat run after run). One VM of 2 vCPUs, pv=all, boots with
#   test=exitcost,smp,kicklat
# first on 1 pCPU (the kicked vCPU waits for the kicker's pCPU: the kick's
# latency includes the kicker's own HLT and the switch), then on 2 pCPUs
# (the kicked vCPU wakes on the other, idle pCPU: a wake-up IPI).
# docs/benchmarks.md ("Exit round trips and kick -> wake") has the figures.
#
#   vmm/bench.sh [--cpus "1 2"] [--timeout S]
#
# Per pCPU count: exitcost's cpuid, vmcall (an echo hypercall) and in (UART
# scratch register) round trips (minimum of 32), kicklat's min/median/max
# of 16 kick -> wake latencies, and the woken vCPU's migrations from the
# power-off summary (how often it ran on another pCPU than before).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
cpus_list="1 2" tmo=300
while [ $# -gt 0 ]; do
	case $1 in
	--cpus) cpus_list=$2; shift ;;
	--timeout) tmo=$2; shift ;;
	-h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "vmm/bench.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
hv=$BUILD/hv.elf tk=$BUILD/guest/testkern.elf
for f in "$hv" "$tk"; do
	[ -f "$f" ] || { echo "vmm/bench.sh: $f missing: run 'make all'" >&2; exit 1; }
done
out=$BUILD/bench/vmm
mkdir -p "$out"
cp "$tk" "$out/bench.elf"
"$ROOT/scripts/mkiso.sh" -o "$out/hv.iso" -k "$hv" \
	-m "$out/bench.elf vm=bench vcpus=2 mem=16M -- test=exitcost,smp,kicklat cpus=2 hv=1" >/dev/null
echo "==== exit round trips and kick -> wake latency (guest TSC ticks), Bochs $(dpkg-query -W -f='${Version}' bochs 2>/dev/null), ips=100000000 ===="
printf '%-6s %7s %7s %7s   %-26s %s\n' pcpus cpuid vmcall in "kick->wake min/median/max" "ap migr"
status=0
for n in $cpus_list; do
	log=$out/bench-${n}cpu.log
	rc=0
	"$ROOT/scripts/bochs.sh" --iso "$out/hv.iso" --cpus "$n" --log "$log" --timeout "$tmo" || rc=$?
	ec=$(tr -d '\r' < "$log" | grep -a '^\[bench\] EXITCOST' | head -1)
	kl=$(tr -d '\r' < "$log" | grep -a '^\[bench\] KICKLAT' | head -1)
	migr=$(tr -d '\r' < "$log" | sed -n 's/.*summary: vm bench vcpu1 .* migr \([0-9]*\) .*/\1/p' | head -1)
	if [ "$rc" -ne 0 ] || [ -z "$ec" ] || [ -z "$kl" ]; then
		echo "$n: run failed (status $rc), see $log"
		status=1
		continue
	fi
	val() { echo "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }
	printf '%-6s %7s %7s %7s   %-26s %s\n' "$n" "$(val "$ec" cpuid)" "$(val "$ec" vmcall)" "$(val "$ec" in)" \
		"$(val "$kl" min)/$(val "$kl" median)/$(val "$kl" max)" "${migr:--}"
done
exit "$status"
