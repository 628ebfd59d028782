#!/bin/sh
# The simulator figures of docs/scheduling.md ("Figures"): every table is
# printed as Markdown with mean ± standard deviation over the seeds and the
# hvsim command of each cell family. Runs build/hvsim only (no emulator).
#
#   sched/figures.sh [lhp|ple|tput|mixed|barrier]...   (default: all)
#
# Environment: SEEDS (default "1 2 3"), SECS (simulated seconds, default 10;
# the 80-pCPU rows use SECS80, default 2, and SEEDS80, default "1 2").
set -e
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
HVSIM=$BUILD/hvsim
SEEDS=${SEEDS:-1 2 3}
SECS=${SECS:-10}
SECS80=${SECS80:-2}
SEEDS80=${SEEDS80:-1 2}
make --no-print-directory "$HVSIM" >/dev/null

# json KEY: a top-level number of the JSON line on stdin.
json() { sed 's/,"per_vm":.*//' | sed -n "s/^{.*\"$1\":\"\{0,1\}\([^,}\"]*\).*/\1/p"; }
# vmjson I KEY: a number of VM I's per_vm entry on stdin.
vmjson() { sed 's/.*"per_vm":\[//' | tr '}' '\n' | sed -n "$(($1 + 1))p" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,}\"]*\).*/\1/p"; }

# stat "V V V" SCALE DIGITS: "mean ± sd" of the values times SCALE.
stat() {
	echo "$1" | awk -v k="$2" -v d="$3" '{ n = 0; s = 0; q = 0
		for (i = 1; i <= NF; i++) { x = $i * k; n++; s += x; q += x * x }
		m = s / n; v = n > 1 ? (q - n * m * m) / (n - 1) : 0; if (v < 0) v = 0
		printf "%.*f ± %.*f", d, m, d, sqrt(v) }'
}

# runs SEEDS ARGS...: run hvsim once per seed, keep the JSON lines in $OUT.
runs() {
	seeds=$1
	shift
	OUT=
	for seed in $seeds; do
		OUT="$OUT$("$HVSIM" "$@" --seed "$seed" | tail -n 1)
"
	done
}
# col KEY [VM]: the values of KEY over the runs in $OUT.
col() {
	printf '%s' "$OUT" | while IFS= read -r line; do
		if [ $# -eq 2 ]; then printf '%s\n' "$line" | vmjson "$2" "$1"; else printf '%s\n' "$line" | json "$1"; fi
	done | tr '\n' ' '
}

POLICIES="free gang pdelay relaxed adaptive"

# head "| a | b |" "|---|---|": a table header with a column per policy.
head() {
	printf '%s' "$1"
	for p in $POLICIES; do printf ' %s |' "$p"; done
	printf '\n%s' "$2"
	for p in $POLICIES; do printf -- '---|'; done
	echo
}
# rel: REL = throughput of the runs in $OUT relative to the first policy's
# mean, which the first call of a row (base empty) records. (Not in a
# subshell: it sets variables.)
rel() {
	tp=$(col throughput)
	[ -z "$base" ] && base=$(echo "$tp" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; print s / NF }')
	REL=$(stat "$tp" "$(awk -v b="$base" 'BEGIN { print (b > 0 ? 1 / b : 0) }')" 2)
}

# Lock-holder preemptions and long-wait fraction, 4 pCPUs, 1x/2x/4x.
lhp_table() { # PLE-ARGS TITLE
	echo "#### $2"
	echo
	echo "\`hvsim --pcpus 4 --vms V --lock L --hints cs --seconds $SECS --seed S ${1:+$1 }--sched P\` (seeds $SEEDS);"
	echo "each cell: lock-holder preemptions (lhp) / long-wait fraction in % / throughput relative to free."
	echo
	head '| lock | VMs |' '|---|---|'
	for lock in ticket tas pv; do
		for vms in 2,2 4,4 4,4,4,4; do
			printf '| %s | %s |' "$lock" "$vms"
			base=
			for p in $POLICIES; do
				runs "$SEEDS" --pcpus 4 --vms $vms --lock $lock --hints cs --seconds "$SECS" $1 --sched $p
				rel
				printf ' %s / %s / %s |' "$(stat "$(col lhp)" 1 0)" "$(stat "$(col long_wait_frac)" 100 1)" "$REL"
			done
			echo
		done
	done
	echo
}

# Throughput relative to free at 4 and 80 pCPUs (eCS: 80 cores).
tput_table() {
	echo "#### Throughput relative to free, 4 and 80 pCPUs"
	echo
	echo "\`hvsim --pcpus P --vms V --lock L --hints cs --ple W --seconds T --seed S --sched P\`;"
	echo "4 pCPUs: VMs of 4 vCPUs, $SECS s, seeds $SEEDS; 80 pCPUs: VMs of 8 vCPUs (\`8xK\`: K VMs), $SECS80 s, seeds $SEEDS80."
	echo "Each cell: critical sections completed, relative to free's mean (free's own spread in its column)."
	echo
	head '| pCPUs | lock | VMs | PLE |' '|---|---|---|---|'
	for row in "4 ticket 2,2 $SECS 0" "4 ticket 4,4 $SECS 0" "4 ticket 4,4,4,4 $SECS 0" "4 tas 4,4,4,4 $SECS 0" \
		   "4 ticket 4,4 $SECS 2us" "4 ticket 4,4,4,4 $SECS 2us" "4 pv 4,4 $SECS 2us" \
		   "80 ticket 8x10 $SECS80 0" "80 ticket 8x20 $SECS80 0" "80 ticket 8x25 $SECS80 0" \
		   "80 tas 8x20 $SECS80 0" "80 ticket 8x10 $SECS80 2us" "80 ticket 8x20 $SECS80 2us" \
		   "80 ticket 8x25 $SECS80 2us" "80 pv 8x20 $SECS80 2us"; do
		set -- $row
		seeds=$SEEDS
		[ "$1" = 80 ] && seeds=$SEEDS80
		printf '| %s | %s | %s | %s |' "$1" "$2" "$3" "$5"
		base=
		for p in $POLICIES; do
			runs "$seeds" --pcpus "$1" --vms "$3" --lock "$2" --hints cs --ple "$5" --seconds "$4" --sched $p
			rel
			printf ' %s |' "$REL"
		done
		echo
	done
	echo
}

# A spinning VM beside a CPU-bound one, and 3-vCPU VMs on 4 pCPUs.
mixed_table() {
	echo "#### Mixed sets, 4 pCPUs"
	echo
	echo "\`hvsim --pcpus 4 --vms V --ple 2us --seconds $SECS --seed S --sched P\` (seeds $SEEDS)."
	echo "Each cell: VM 0's throughput / VM 1's throughput (critical sections; compute chunks for \`cpu\`),"
	echo "VM 0's long-wait fraction in %, idle pCPU time in %."
	echo
	printf '| VMs | policy | VM 0 | VM 1 | VM 0 long waits %% | idle %% |\n|---|---|---|---|---|---|\n'
	for vms in 4:spin,4:cpu 3:spin,3:cpu 3,3; do
		for p in free gang relaxed adaptive; do
			runs "$SEEDS" --pcpus 4 --vms $vms --ple 2us --seconds "$SECS" --sched $p
			printf '| %s | %s | %s | %s | %s | %s |\n' "$vms" "$p" "$(stat "$(col throughput 0)" 1 0)" \
				"$(stat "$(col throughput 1)" 1 0)" "$(stat "$(col long_wait_frac 0)" 100 2)" \
				"$(stat "$(col idle_frac)" 100 1)"
		done
	done
	echo
}

# The barrier job on variable-speed vCPUs.
barrier_table() {
	pins="--pin 0.0=0 --pin 0.1=1 --pin 0.2=2 --pin 0.3=3 --pin 1.0=2 --pin 1.1=3"
	echo "#### Barrier job on variable-speed vCPUs"
	echo
	echo "\`hvsim --pcpus 4 --seconds $SECS --seed S --sched P ARGS\` (seeds $SEEDS). Each cell: mean time"
	echo "between barriers in ms (VM 0) / VM 0's pCPU use / the other VM's throughput."
	echo
	printf '| set-up | ARGS | free | balloon |\n|---|---|---|---|\n'
	for row in "contention, 2 threads/vCPU|--vms 4:barrier,2:cpu $pins" \
		   "contention, 4 threads/vCPU|--vms 4:barrier,2:cpu $pins --threads 4" \
		   "caps 50% on vCPUs 2 and 3|--vms 4:barrier --vcpu-cap 0.2=50 --vcpu-cap 0.3=50" \
		   "caps 50%, 4 threads/vCPU|--vms 4:barrier --vcpu-cap 0.2=50 --vcpu-cap 0.3=50 --threads 4"; do
		name=${row%%|*} args=${row#*|}
		printf '| %s | `%s` |' "$name" "$args"
		for p in free balloon; do
			runs "$SEEDS" --pcpus 4 --seconds "$SECS" --sched $p $args
			other=-
			case $args in *2:cpu*) other=$(stat "$(col throughput 1)" 1 0) ;; esac
			printf ' %s / %s / %s |' "$(stat "$(col phase_ms 0)" 1 1)" "$(stat "$(col cpu 0)" 1 2)" "$other"
		done
		echo
	done
	echo
}

[ $# -eq 0 ] && set -- lhp ple tput mixed barrier
for t in "$@"; do
	case $t in
	lhp) lhp_table "" "Without PAUSE-loop exits (the scheduler alone)" ;;
	ple) lhp_table "--ple 2us" "With PAUSE-loop exits (--ple 2us) and directed yield" ;;
	tput) tput_table ;;
	mixed) mixed_table ;;
	barrier) barrier_table ;;
	*) echo "figures.sh: unknown table '$t' (lhp, ple, tput, mixed, barrier)" >&2; exit 2 ;;
	esac
done
