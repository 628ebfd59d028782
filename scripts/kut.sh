#!/usr/bin/env bash
# Run kvm-unit-tests' x86 tests as lhv guests, one VM per test, all in one
# boot (docs/testing.md "Peer test suites"). It builds and fetches nothing:
# give it a kvm-unit-tests tree you built yourself (./configure && make).
#
#   scripts/kut.sh [-e bochs|qemu] [-p PCPUS] [-c VCPUS] [-m MEM_MB] [-t SECS]
#                  [-M MODEL] KUT_DIR TEST...
#
# TEST is a section of KUT_DIR/x86/unittests.cfg (its file, smp and
# test_args are used, e.g. vmexit_cpuid, smptest3) or the name of an
# x86/<TEST>.flat, optionally followed by ":ARGS" (the test's arguments,
# e.g. vmexit:cpuid). Each runs with VCPUS vCPUs (the section's smp, else
# 2) and MEM_MB MiB (128, QEMU's default) and gets a Multiboot module with
# the environment kvm-unit-tests reads when there is no QEMU (NR_CPUS=,
# MEMSIZE=, TEST_DEVICE=0). The emulator is Bochs (VT-x; MODEL tigerlake,
# ryzen for AMD-V) with PCPUS (2) pCPUs, or with -e qemu QEMU: KVM where
# the host can nest VT-x/AMD-V, else TCG -cpu max (AMD-V). Prints one line
# per test:
#   <test> PASS|FAIL|SKIP|STOPPED <how> (<SUMMARY line>)
# and exits 0 when every test passed or skipped. Log: build/kut/serial.log.
set -euo pipefail

prog=${0##*/}
die() { echo "$prog: error: $*" >&2; exit 2; }
usage() { sed -n '2,20s/^# \{0,1\}//p' "$0" >&2; exit 2; }

emu=bochs pcpus=2 vcpus= mem=128 tmo=900 model=
while getopts ':e:p:c:m:t:M:h' opt; do
	case $opt in
	e) emu=$OPTARG ;;
	p) pcpus=$OPTARG ;;
	c) vcpus=$OPTARG ;;
	m) mem=$OPTARG ;;
	t) tmo=$OPTARG ;;
	M) model=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
kut=$1; shift
# Two modules per test, and the hypervisor takes 32 modules.
[ $# -le 16 ] || die "at most 16 tests per run ($# given)"
[ -d "$kut/x86" ] || die "$kut/x86 not found (a built kvm-unit-tests tree)"
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
out=$build/kut
rm -rf "$out"
mkdir -p "$out"
[ -f "$build/hv.elf" ] || die "$build/hv.elf missing (make)"

# cfg_get SECTION KEY: KEY's value in that unittests.cfg section, quotes off.
cfg=$kut/x86/unittests.cfg
cfg_get() {
	[ -f "$cfg" ] || return 0
	awk -v sec="[$1]" -v key="$2" '
		/^\[/ { in_sec = ($0 == sec); next }
		in_sec && $0 ~ "^" key "[ \t]*=" {
			sub("^" key "[ \t]*=[ \t]*", "")
			gsub(/^["\047]|["\047][ \t]*$/, "")
			print; exit
		}' "$cfg"
}

mods=()
names=()
for t in "$@"; do
	args=
	case $t in *:*) args=${t#*:}; t=${t%%:*} ;; esac
	file=$(cfg_get "$t" file)
	if [ -n "$file" ]; then
		[ -n "$args" ] || args=$(cfg_get "$t" test_args)
		# kvmclock_test's arguments hold `date +%s`: the host's time now.
		args=${args//\`date +%s\`/$(date +%s)}
		smp=$(cfg_get "$t" smp)
		case $smp in ''|*[!0-9]*) smp=2 ;; esac
		flat=$kut/x86/$file
	else
		smp=2
		flat=$kut/x86/$t.flat
	fi
	[ -f "$flat" ] || die "$flat not found (neither a unittests.cfg section nor x86/$t.flat)"
	n=${vcpus:-$smp}
	name=${t//[^A-Za-z0-9_-]/_}
	name=${name:0:31}
	for o in ${names[@]+"${names[@]}"}; do
		[ "$o" != "$name" ] || die "test $name given twice"
	done
	cp "$flat" "$out/$name.flat"
	printf 'NR_CPUS=%s\nMEMSIZE=%s\nTEST_DEVICE=0\n' "$n" "$mem" > "$out/$name.env"
	# The Multiboot command line starts with the program's name, as QEMU's
	# -kernel and GRUB pass it: kvm-unit-tests takes its first word as argv[0].
	line="$out/$name.flat vm=$name vcpus=$n mem=${mem}M -- ${flat##*/}${args:+ $args}"
	mods+=(-m "$line" -m "$out/$name.env vm=$name module")
	names+=("$name")
done
"$root/scripts/mkiso.sh" -o "$out/hv.iso" -k "$build/hv.elf" "${mods[@]}" >/dev/null
log=$out/serial.log
megs=$((256 + ${#names[@]} * mem))
[ "$megs" -ge 1024 ] || megs=1024
# Bochs emulates at most 2 GiB.
[ "$emu" = qemu ] || [ "$megs" -le 2048 ] ||
	die "${#names[@]} tests of $mem MiB need $megs MiB, Bochs has 2048 at most (fewer tests or -m)"
rc=0
if [ "$emu" = qemu ]; then
	"$root/scripts/qemu.sh" --iso "$out/hv.iso" --cpus "$pcpus" --log "$log" --timeout "$tmo" \
		--mem "$megs" || rc=$?
else
	"$root/scripts/bochs.sh" --iso "$out/hv.iso" --cpus "$pcpus" --log "$log" --timeout "$tmo" \
		${model:+--model "$model"} --megs "$megs" || rc=$?
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
