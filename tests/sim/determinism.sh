#!/bin/sh
# Same arguments give byte-identical output; another seed gives another run.
# Every policy, with the guest mechanisms that feed them (pv locks, PAUSE-loop
# exits, hints, a barrier job, pins and caps).
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
for s in $(ls sched/policy/ | sed -n 's/\.c$//p'); do
	args="--pcpus 6 --vms 4,3:cpu,2:barrier,1 --sched $s --seconds 3 --sleep-prob 0.05 --caps 0,120,0,0
	      --lock pv --ple 4us --hints cs+spin,none,none,cs --pin 1.2=4-5 --vcpu-cap 0.1=60 --per-vcpu"
	timeout 60 "$HVSIM" $args --seed 7 >"$T/a" && timeout 60 "$HVSIM" $args --seed 7 >"$T/b" &&
		timeout 60 "$HVSIM" $args --seed 8 >"$T/c" || { echo "FAIL: hvsim failed ($s)"; exit 1; }
	if cmp -s "$T/a" "$T/b"; then echo "ok: $s: same seed, identical output"
	else echo "FAIL: $s: same seed, different output"; FAILS=$((FAILS + 1)); fi
	if cmp -s "$T/a" "$T/c"; then echo "FAIL: $s: seeds 7 and 8 gave identical output"; FAILS=$((FAILS + 1))
	else echo "ok: $s: different seed, different output"; fi
done
finish
