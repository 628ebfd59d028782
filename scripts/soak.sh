#!/usr/bin/env bash
# `make soak`: the soak of issue 12. Under each compiled-in scheduling policy
# in turn, Bochs with 4 pCPUs boots the three stock Debian guests of
# tests/linux/three-guests.sh (2 + 2 + 4 vCPUs: overcommitted) and runs the
# lock-heavy workloads (user-space ticket and test-and-set spinlocks, mmap
# and fork, which hammer the kernel's mm locks; docs/linux.md) for
# SOAK_MINUTES guest minutes, then checks:
# - no hang: HV POWEROFF within the hard timeout (SOAK_TIMEOUT);
# - no HV ERROR / HV PANIC; every guest stopped by its own power-off;
# - no problem line in any guest's dmesg (soft lockup, RCU stall, hung task,
#   BUG, Oops, WARNING: the guests' "dmesg ... problems=0" and their
#   kernel lines on the console), each guest's
#   "LHV-GUEST: summary ... problems=0 mtwork=PASS work=4/4";
# - counters consistent at power-off: per vCPU run + steal no longer than
#   the hypervisor's uptime at its summary line (blocked time, the rest, is
#   not printed) and the pCPUs' capacity never exceeded; the steal written
#   into each vCPU's steal-time record no more than the scheduler's; each
#   guest's /proc/stat steal agrees with lhv's (linux_steal_check);
# - every hypervisor stack at most half used (check_stacks).
#
#   make soak                                  # every policy, 10 min each
#   SOAK_MINUTES=60 make soak                  # the release check
#   SOAK_MINUTES=1 SOAK_POLICIES=free scripts/soak.sh
#
# Environment: SOAK_MINUTES (default 10: guest minutes of workloads per
# policy), SOAK_POLICIES (space or comma separated, default every compiled-in
# policy, from $BUILD/gen/sched_policies), SOAK_TIMEOUT (seconds of Bochs per
# policy, default 900 + 900 per minute: Bochs runs these guests about six
# times slower than real time on an idle core, and a 1-minute soak needs
# about 2 guest minutes with the boots; on a loaded machine three times
# slower again), SOAK_RESUME=1 (skip policies that passed before with the
# same minutes and hv.elf). Output in build/test/soak/: serial-<policy>.log,
# the Bochs logs, summary.txt (one line per policy); build/test/soak-passed/
# keeps <policy>-<minutes>min.pass for SOAK_RESUME. Not part of `make
# test`; wrap it in `flock /work/emu.lock` on a shared machine. Exit status
# 1 if any policy failed.
set -uo pipefail
# shellcheck source=tests/linux/lib.sh
. "$(dirname "$0")/../tests/linux/lib.sh"
set +e # lib.sh sets -e; a failed policy must not stop the others

MIN=${SOAK_MINUTES:-10}
case $MIN in *[!0-9]* | '' | 0) echo "soak: SOAK_MINUTES must be a positive number" >&2; exit 2 ;; esac
POLICIES=${SOAK_POLICIES:-$(cat "$BUILD/gen/sched_policies" 2>/dev/null)}
POLICIES=${POLICIES//,/ }
[ -n "$POLICIES" ] || { echo "soak: no policies (build first: make all)" >&2; exit 2; }
TMO=${SOAK_TIMEOUT:-$((900 + 900 * MIN))}
WORK=ticket,tas,mmap,fork
NWORK=4
SECS=$((MIN * 60 / NWORK))

linux_init
# Each workload gets its share of the minutes; one stuck longer than three
# times that is killed (and then counts as failed).
ARGS="lhv.work=$WORK lhv.secs=$SECS lhv.timeout=$((SECS * 3 + 60))"
linux_guest gen2 generic 2 256M "$ARGS"
linux_guest cloud2 cloud 2 256M "$ARGS"
linux_guest gen4 generic 4 256M "$ARGS"
# shellcheck disable=SC2034 # read by tests/boot/lib.sh's run_emu
BOOT_TIMEOUT=$TMO
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"

# Counters at power-off: see the header. Prints one figures line.
counters() {
	tr -d '\r' < "$LOG" | awk -v pcpus=4 '
	/cpu[0-9]+: summary: vm [^ ]+ vcpu[0-9]+ run / {
		t = substr($1, 2) + 0; if ($1 == "[") t = $2 + 0
		for (i = 1; i <= NF; i++) {
			if ($i == "vm") vm = $(i + 1)
			if ($i ~ /^vcpu[0-9]+$/) v = $i
			if ($i == "run") run = $(i + 1)
			if ($i == "steal") st = $(i + 1)
		}
		if (run + st > t * 1000 + 1) { printf "vm %s %s: run %s + steal %s ms > uptime %.3f s\n", vm, v, run, st, t; bad = 1 }
		sched[vm " " v] = st; total += run; up = t
	}
	/cpu[0-9]+: summary: pv vm [^ ]+ vcpu[0-9]+ / {
		for (i = 1; i <= NF; i++) {
			if ($i == "vm") vm = $(i + 1)
			if ($i ~ /^vcpu[0-9]+$/) v = $i
			if ($i ~ /^steal_ns=/) { split($i, a, "="); pv[vm " " v] = a[2] / 1e6 }
		}
	}
	END {
		for (k in pv) if (pv[k] > sched[k] + 0.001) { printf "%s: steal-time record %.3f ms > scheduler steal %s ms\n", k, pv[k], sched[k]; bad = 1 }
		if (total > pcpus * up * 1000 + 1) { printf "vCPUs ran %.3f ms on %d pCPUs in %.3f s\n", total, pcpus, up; bad = 1 }
		if (!up) { print "no summary lines"; bad = 1 }
		if (!bad) printf "counters ok: vCPUs ran %.1f s of %d x %.1f s\n", total / 1000, pcpus, up
		exit bad
	}'
}

one_policy() {
	local p=$1
	LOG=$OUT/serial-$p.log
	need_iso -c "sched=$p" "${GUEST_MODS[@]}"
	mv "$ISO" "$OUT/hv-$p.iso" && ISO=$OUT/hv-$p.iso
	run_hv --iso "$ISO" --cpus 4 --megs 1024
	check_log --expect '^HV READY pcpus=4$' --then "sched: policy $p\$" --then '^HV POWEROFF$' \
		--forbid '^HV ERROR' --forbid '^HV PANIC' \
		--forbid '^\[[a-z0-9]+\] \[ *[0-9]+\.[0-9]+\] .*(Kernel panic|soft lockup|rcu_.*stall|BUG:|Oops|WARNING:|blocked for more than)' \
		"${CHECKS[@]}" \
		--expect-count 3 '^\[[a-z0-9]+\] LHV-GUEST: summary cpus=[0-9]+/[0-9]+ problems=0 mtwork=PASS work=4/4 '
	counters || fail "counters inconsistent at power-off"
	linux_steal_check gen2 cloud2 gen4
	check_stacks
}

# SOAK_RESUME=1: a policy that already passed with the same SOAK_MINUTES and
# the same hv.elf (its .pass file) is not run again; its summary line is
# reused. For release soaks that span several machine sessions.
# The .pass files live beside $OUT, which every run starts empty.
hv_id=$(sha1sum "$BUILD/hv.elf" 2>/dev/null | cut -c1-40)
PASSDIR=$BUILD/test/soak-passed
mkdir -p "$PASSDIR"
failed=0
for p in $POLICIES; do
	passf=$PASSDIR/$p-${MIN}min.pass
	if [ "${SOAK_RESUME:-0}" = 1 ] && [ -f "$passf" ] && [ "$(head -n 1 "$passf")" = "$hv_id" ]; then
		echo "soak: $p passed before with SOAK_MINUTES=$MIN and this hv.elf: skipped"
		tail -n +2 "$passf" >> "$SUMMARY"
		continue
	fi
	rm -f "$passf"
	start=$SECONDS
	( one_policy "$p" ) 2>&1 | tee "$OUT/$p.out"
	rc=${PIPESTATUS[0]}
	LOG=$OUT/serial-$p.log
	ups=$(tr -d '\r' < "$LOG" 2>/dev/null | sed -n 's/^\[\([a-z0-9]*\)\] LHV-GUEST: summary .* up_s=\([0-9.]*\) steal_s=\([0-9.]*\)$/\1 up \2 s steal \3 s/p' | paste -sd, -)
	ops=$(tr -d '\r' < "$LOG" 2>/dev/null | awk 'BEGIN { w = "mtwork" } /^\[gen4\] LHV-GUEST: work [a-z]+ start/ { w = $4 } /^\[gen4\] RESULT ops_per_s=/ { split($3, a, "="); printf "%s%s=%s", n++ ? " " : "", w, a[2] }')
	line="$p: $([ "$rc" = 0 ] && echo PASS || echo FAIL) in $((SECONDS - start)) s wall; $ups; gen4 ops/s: ${ops:-none}; $(grep -m1 '^counters' "$OUT/$p.out" || echo 'counters: not reached')"
	echo "$line" >> "$SUMMARY"
	[ "$rc" = 0 ] && printf '%s\n%s\n' "$hv_id" "$line" > "$passf"
	[ "$rc" = 0 ] || failed=1
done
echo "==== soak: SOAK_MINUTES=$MIN, policies: $POLICIES"
cat "$SUMMARY"
exit "$failed"
