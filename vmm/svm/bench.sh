#!/usr/bin/env bash
# AMD-V benchmarks (make bench runs it; docs/benchmarks.md "AMD-V" has the
# figures):
#  exitcost  the test kernel's exitcost test (CPUID, the hypercall, an IN:
#            round trips in guest TSC ticks, docs/testkern.md) in one
#            1-vCPU VM on 1 pCPU under Bochs tigerlake (VT-x), Bochs ryzen
#            (AMD-V) and QEMU TCG (AMD-V). Under Bochs a tick is about one
#            emulated instruction, so those figures repeat exactly; QEMU's
#            TSC is the host's and its figures vary.
#  linux     issue 9's scenario, three stock Debian kernels (2 + 2 + 4
#            vCPUs, generic and cloud) on 4 pCPUs with all the checks of
#            the tests: tests/linux/three-guests.sh (Bochs, VT-x) against
#            tests/linux/svm-three-guests.sh (QEMU TCG, AMD-V), one after
#            the other on this machine; wall seconds of each emulator run,
#            the hypervisor's clock at its power-off line and the ratio.
#            About 7 minutes, nearly all of it Bochs.
#
#   vmm/svm/bench.sh [--only exitcost|linux]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
only=
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=${2-}; shift ;;
	-h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "svm bench: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done
out=$BUILD/bench/svm
mkdir -p "$out"
status=0

exitcost() {
	local tk=$BUILD/guest/testkern.elf iso=$out/exitcost.iso
	if [ ! -f "$tk" ] || [ ! -f "$BUILD/hv.elf" ]; then
		echo "svm bench: build first (make all)" >&2
		return 1
	fi
	cp "$tk" "$out/cost.elf"
	scripts/mkiso.sh -o "$iso" -k "$BUILD/hv.elf" -m "$out/cost.elf vm=cost vcpus=1 mem=16M -- test=exitcost hv=1" >/dev/null || return 1
	echo "==== exit costs: test kernel test=exitcost, 1 vCPU on 1 pCPU, guest TSC ticks (minimum of 32) ===="
	printf '%-28s %8s %8s %8s\n' machine cpuid hcall in
	local name log line c h i
	for name in bochs-tigerlake bochs-ryzen qemu-tcg; do
		log=$out/exitcost-$name.log
		case $name in
		bochs-*) scripts/bochs.sh --iso "$iso" --cpus 1 --log "$log" --model "${name#bochs-}" --timeout 300 2>/dev/null ;;
		qemu-tcg) scripts/qemu.sh --iso "$iso" --cpus 1 --log "$log" --accel tcg --timeout 300 2>/dev/null ;;
		esac
		line=$(grep -aoE 'EXITCOST cpuid=[0-9]+ vmcall=[0-9]+ in=[0-9]+' "$log" | head -1)
		if [ -z "$line" ]; then
			echo "svm bench: no EXITCOST line under $name (see $log)" >&2
			status=1
			continue
		fi
		read -r _ c h i <<< "$line"
		printf '%-28s %8s %8s %8s\n' "$name ($(grep -aoE '(vmx|svm): on:' "$log" | cut -d: -f1))" \
			"${c#cpuid=}" "${h#vmcall=}" "${i#in=}"
	done
}

# Seconds the emulator ran in a test ("<emu> finished in Ns"), and the
# hypervisor's clock on its last summary line.
emu_secs() { grep -aoE '(bochs|qemu) finished in [0-9]+s' "$1" | grep -oE '[0-9]+' | tail -1; }
hv_secs() { tr -d '\r' < "$1" | grep -aoE '^\[ *[0-9]+\.[0-9]+\] cpu[0-9]+: summary' | tail -1 | grep -oE '[0-9]+\.[0-9]+'; }

linux() {
	echo "==== Linux: three Debian guests (2+2+4 vCPUs, generic and cloud) on 4 pCPUs, the tests' checks ===="
	printf '%-34s %10s %14s %10s\n' machine "wall (s)" "hv clock (s)" result
	local t name res w1="" w2=""
	for t in three-guests svm-three-guests; do
		name=$([ "$t" = three-guests ] && echo "Bochs tigerlake, VT-x" || echo "QEMU TCG -cpu max, AMD-V")
		res=PASS
		tests/linux/$t.sh > "$out/$t.out" 2>&1 || res=FAIL
		[ "$res" = PASS ] || status=1
		local w
		w=$(emu_secs "$out/$t.out")
		printf '%-34s %10s %14s %10s\n' "$name" "${w:--}" "$(hv_secs "$BUILD/test/$t/serial.log")" "$res"
		if [ "$t" = three-guests ]; then w1=$w; else w2=$w; fi
	done
	[ -z "$w1" ] || [ -z "$w2" ] || [ "$w2" -eq 0 ] ||
		awk -v a="$w1" -v b="$w2" 'BEGIN { printf "       Bochs/VT-x wall / QEMU/AMD-V wall: %.1f\n", a / b }'
	echo "       logs: $out/three-guests.out, $out/svm-three-guests.out, build/test/*three-guests/serial.log"
}

[ "$only" = linux ] || exitcost || status=1
[ "$only" = exitcost ] || linux || status=1
exit "$status"
