#!/bin/sh
# Scheduler benchmarks (called by `make bench`; figures go to
# docs/scheduling.md by hand): the cost of one scheduling decision from 2 to
# 1024 pCPUs, and the simulator's speed in simulated events per second.
set -e
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
make --no-print-directory "$BUILD/sched_bench" "$BUILD/hvsim" >/dev/null
echo "== decision cost (build/sched_bench)"
"$BUILD/sched_bench" "${CALLS:-200000}"
echo "== simulator throughput (build/hvsim)"
printf '%-44s %10s %8s %12s\n' "configuration" "events" "wall_s" "events/s"
for cfg in "free 4 4,4 10" "gang 4 4,4 10" "free 64 4x32 2" "gang 64 4x32 2" \
	   "free 1024 4x512 1" "gang 1024 4x512 1"; do
	set -- $cfg
	t0=$(date +%s%N)
	ev=$("$BUILD/hvsim" --sched "$1" --pcpus "$2" --vms "$3" --seconds "$4" --seed 1 |
		tail -n 1 | sed 's/.*"events":\([0-9]*\).*/\1/')
	t1=$(date +%s%N)
	awk -v c="--sched $1 --pcpus $2 --vms $3 --seconds $4" -v ev="$ev" -v ns=$((t1 - t0)) \
		'BEGIN { printf "%-44s %10d %8.2f %12.0f\n", c, ev, ns / 1e9, ev / (ns / 1e9) }'
done
