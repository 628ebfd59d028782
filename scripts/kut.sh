#!/usr/bin/env bash
# Run kvm-unit-tests' x86 tests as lhv guests, one VM per test, all in one
# boot (docs/testing.md "Peer test suites"). It builds and fetches nothing:
# give it a kvm-unit-tests tree you built yourself (./configure && make).
#
#   scripts/kut.sh [-e bochs|qemu] [-p PCPUS] [-c VCPUS] [-m MEM_MB] [-t SECS]
#                  KUT_DIR TEST...
#
# TEST is the name of an x86/<TEST>.flat. Each runs with VCPUS vCPUs (2)
# and MEM_MB MiB (64) and gets a Multiboot module with the environment
# kvm-unit-tests reads when there is no QEMU (NR_CPUS=, MEMSIZE=,
# TEST_DEVICE=0). The emulator is Bochs with PCPUS (2) pCPUs unless -e qemu
# (QEMU with KVM, where the host can nest VT-x). Prints one line per test:
#   <test> PASS|FAIL|SKIP|STOPPED <how> (<SUMMARY line>)
# and exits 0 when every test passed or skipped. Log: build/kut/serial.log.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 2; }
usage() { sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }

emu=bochs pcpus=2 vcpus=2 mem=64 tmo=900
while getopts ':e:p:c:m:t:h' opt; do
	case $opt in
	e) emu=$OPTARG ;;
	p) pcpus=$OPTARG ;;
	c) vcpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) tmo=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
kut=$1; shift
[ -d "$kut/x86" ] || die "$kut/x86 not found (a built kvm-unit-tests tree)"
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/kut
rm -rf "$out"
mkdir -p "$out"
[ -f "$build/hv.elf" ] || die "$build/hv.elf missing (make)"

mods=()
names=()
for t in "$@"; do
	flat=$kut/x86/$t.flat
	[ -f "$flat" ] || die "$flat not found"
	name=${t//[^A-Za-z0-9_-]/_}
	cp "$flat" "$out/$name.flat"
	printf 'NR_CPUS=%s\nMEMSIZE=%s\nTEST_DEVICE=0\n' "$vcpus" "$mem" > "$out/$name.env"
	mods+=(-m "$out/$name.flat vm=$name vcpus=$vcpus mem=${mem}M" -m "$out/$name.env vm=$name module")
	names+=("$name")
done
"$root/scripts/mkiso.sh" -o "$out/hv.iso" -k "$build/hv.elf" "${mods[@]}" >/dev/null
log=$out/serial.log
rc=0
if [ "$emu" = qemu ]; then
	"$root/scripts/qemu.sh" --iso "$out/hv.iso" --cpus "$pcpus" --log "$log" --timeout "$tmo" || rc=$?
else
	"$root/scripts/bochs.sh" --iso "$out/hv.iso" --cpus "$pcpus" --log "$log" --timeout "$tmo" || rc=$?
fi
[ "$rc" = 0 ] || echo "$prog: the emulator ended with status $rc" >&2

bad=0
for n in "${names[@]}"; do
	stop=$(tr -d '\r' < "$log" | grep -m1 -E "^HV VM $n stopped " | sed 's/^HV VM [^ ]* stopped //' || true)
	summ=$(tr -d '\r' < "$log" | grep -m1 -E "^\[$n\] SUMMARY:" | sed "s/^\[$n\] //" || true)
	if [ "$stop" = "reason=exit code=0" ]; then
		v=PASS
	elif [ "$stop" = "reason=exit code=38" ]; then
		v=SKIP                  # report_summary: every test skipped (77 >> 1)
	elif [ -n "$stop" ] && [ "${stop#reason=exit}" != "$stop" ]; then
		v=FAIL bad=1
	else
		v="STOPPED ${stop:-never}" bad=1
	fi
	echo "$n $v (${summ:-no SUMMARY line})"
done
tr -d '\r' < "$log" | grep -q '^HV PANIC' && { echo "$prog: HV PANIC in $log" >&2; bad=1; }
exit $bad
