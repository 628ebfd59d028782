#!/bin/sh
# Scheduler benchmarks (called by `make bench`; figures go to
# docs/scheduling.md by hand): the cost of one scheduling decision from 2 to
# 1024 pCPUs for every compiled-in policy, measured RUNS times (default 3)
# and reported as the median with the range of the runs, and the
# simulator's speed in simulated events per second.
set -e
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
make --no-print-directory "$BUILD/sched_bench" "$BUILD/hvsim" >/dev/null
echo "== decision cost (build/sched_bench, $RUNS runs: median [min..max] ns per call)"
T=$(mktemp) || exit 1
trap 'rm -f "$T"' EXIT
i=0
while [ $i -lt "$RUNS" ]; do
	"$BUILD/sched_bench" "${CALLS:-200000}" >>"$T"
	i=$((i + 1))
done
grep '^#' "$T" | head -n 1
awk '/^ *pcpus/ { if (!hdr) { hdr = $0; nc = NF } next }
     /^#/ { next }
     { key = $1 " " $2; if (!(key in seen)) { seen[key] = 1; order[n++] = key }
       for (c = 3; c <= NF; c++) v[key, c, ++cnt[key, c]] = $c }
     END {
	split(hdr, h)
	printf "%8s %8s", h[1], h[2]
	for (c = 3; c <= nc; c++) printf " %22s", h[c]
	printf "\n"
	for (k = 0; k < n; k++) {
		split(order[k], kk, " ")
		printf "%8s %8s", kk[1], kk[2]
		for (c = 3; c <= nc; c++) {
			m = cnt[order[k], c]
			for (a = 1; a <= m; a++) x[a] = v[order[k], c, a]
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (x[b] < x[a]) { t = x[a]; x[a] = x[b]; x[b] = t }
			med = m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
			printf " %8.1f [%5.1f..%5.1f]", med, x[1], x[m]
		}
		printf "\n"
	} }' "$T"
echo "== simulator throughput (build/hvsim)"
printf '%-50s %10s %8s %12s\n' "configuration" "events" "wall_s" "events/s"
for cfg in "free 4 4,4 10" "gang 4 4,4 10" "adaptive 4 4,4 10" "relaxed 4 4,4 10" \
	   "free 64 4x32 2" "gang 64 4x32 2" "free 1024 4x512 1" "gang 1024 4x512 1" \
	   "relaxed 1024 4x512 1" "adaptive 1024 4x512 1"; do
	set -- $cfg
	t0=$(date +%s%N)
	ev=$("$BUILD/hvsim" --sched "$1" --pcpus "$2" --vms "$3" --seconds "$4" --seed 1 |
		tail -n 1 | sed 's/.*"events":\([0-9]*\).*/\1/')
	t1=$(date +%s%N)
	awk -v c="--sched $1 --pcpus $2 --vms $3 --seconds $4" -v ev="$ev" -v ns=$((t1 - t0)) \
		'BEGIN { printf "%-50s %10d %8.2f %12.0f\n", c, ev, ns / 1e9, ev / (ns / 1e9) }'
done
