#!/usr/bin/env bash
# Per-guest summary of an lhv serial log: what `make run` prints at the end,
# so nobody has to grep the console to see whether every guest came up.
#
#   scripts/summarize-log.sh LOG
#
# One row per VM started (`HV VM <name> started vcpus=N`):
#   VM, vCPUs    from the hypervisor's start line
#   online       CPUs online inside a Linux guest (its /init's
#                `LHV-GUEST: cpus online=<list> count=<n>`, or the
#                `LHV-GUEST: summary cpus=<online>/<present> ...` line when the
#                guest prints one); `-` for other guests
#   workload     mtwork's verdict (`mtwork: ... PASS|FAIL`), a test kernel's
#                `TESTKERN DONE pass= fail= skip=` (or ABORT), else `-`
#   run, steal   ms summed over the VM's vCPUs (`summary: vm <name> vcpu<i>
#                run <ms> steal <ms> ...`, printed at power-off)
#   stop         `HV VM <name> stopped reason=...`, `-` if it never stopped
# then one `PROBLEM <what>` line per problem: a guest with fewer CPUs online
# than vCPUs, a failed workload or test, a guest self-check counting problems,
# an abnormal stop (error, fault, exit code != 0, never stopped; a fault right
# after a test kernel's `TEST oob|triple RUNNING` is the expected end), a VM
# refused (`HV ERROR vm=...`), other `HV ERROR`/`HV PANIC` lines, and a log
# that does not end with `HV POWEROFF`; or `no problems found`.
# Exit status: 0 no problem, 1 problems, 2 usage error or unreadable log.
set -euo pipefail

prog=${0##*/}
case ${1-} in
-h | --help) sed -n '2,24s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac
[ $# -eq 1 ] || { echo "usage: $prog LOG" >&2; exit 2; }
[ -r "$1" ] && [ -f "$1" ] || { echo "$prog: cannot read '$1'" >&2; exit 2; }

# The serial log may hold CRs and NULs (check-log.sh strips them too).
tr -d '\r\000' < "$1" | awk '
function vm_index(name) {
	if (!(name in idx)) { idx[name] = ++nvm; names[nvm] = name }
	return idx[name]
}
function problem(text) { problems[++nprob] = text }
# Value of "key=" in a line, or "" (keys are single words followed by "=").
function field(line, key,    s) {
	if (!match(line, "(^|[ ])" key "=[^ ]*")) return ""
	s = substr(line, RSTART, RLENGTH)
	sub(/^ /, "", s)
	return substr(s, length(key) + 2)
}
# Number of CPUs in a list such as "0-3" or "0,2-5".
function count_list(list,    n, parts, i, r) {
	n = 0
	for (i = split(list, parts, ","); i > 0; i--) {
		if (split(parts[i], r, "-") == 2) n += r[2] - r[1] + 1
		else if (parts[i] != "") n++
	}
	return n
}
{ line = $0 }

# Contract lines (docs/console.md): at the start of the line.
/^HV VM [A-Za-z0-9_-]+ started / {
	i = vm_index($3); vcpus[i] = field(line, "vcpus"); next
}
/^HV VM [A-Za-z0-9_-]+ stopped / {
	i = vm_index($3); stop[i] = field(line, "reason")
	code[i] = field(line, "code"); next
}
/^HV ERROR vm=/ {
	name = substr($3, 4); text = line; sub(/^HV ERROR vm=[^ ]* */, "", text)
	problem("VM " name " refused: " text); next
}
/^HV ERROR/ { problem("hypervisor: " line); next }
/^HV PANIC/ { problem("hypervisor panic: " line); panic = 1; next }
/^HV POWEROFF$/ { poweroff = 1; last_nonempty = line; next }
/[^ \t]/ { last_nonempty = line }

# Guest console lines: "[<vm>] <text>".
/^\[[A-Za-z0-9_-]+\] / {
	name = substr($1, 2, length($1) - 2); i = vm_index(name)
	text = line; sub(/^\[[^]]*\] /, "", text)
	if (text ~ /^LHV-GUEST: /) {
		linux[i] = 1
		if (text ~ /^LHV-GUEST: cpus online=/) {
			online_list[i] = field(text, "online")
			online[i] = field(text, "count")
			if (online[i] == "") online[i] = count_list(online_list[i])
		} else if (text ~ /^LHV-GUEST: summary /) {
			# Later guests print "summary cpus=<online>/<present> problems=<n> ...".
			c = field(text, "cpus")
			if (split(c, parts, "/") == 2) { s_online[i] = parts[1]; s_present[i] = parts[2] }
			s_problems[i] = field(text, "problems")
		} else if (text ~ /^LHV-GUEST: dmesg .*problems=/) {
			d_problems[i] = field(text, "problems")
		} else if (text ~ /^LHV-GUEST: mtwork rc=/) {
			mt_rc[i] = field(text, "rc")
		} else if (text ~ /^LHV-GUEST: done/) {
			done[i] = 1
		}
	} else if (text ~ /^mtwork: threads=.* (PASS|FAIL)$/) {
		mt_verdict[i] = $NF; mt_threads[i] = field(text, "threads")
	} else if (text ~ /^TESTKERN START/) {
		testkern[i] = 1
	} else if (text ~ /^TESTKERN DONE /) {
		tk_done[i] = "pass=" field(text, "pass") " fail=" field(text, "fail") " skip=" field(text, "skip")
		tk_fail[i] = field(text, "fail") + 0
	} else if (text ~ /^TESTKERN ABORT/) {
		tk_abort[i] = 1
	} else if (text ~ /^TEST [A-Za-z0-9_]+ (PASS|FAIL|SKIP|RUNNING)/) {
		split(text, w, " "); last_test[i] = w[2] " " w[3]
	}
	next
}

# Hypervisor summary at power-off (free-form, after the log prefix).
/summary: vm [A-Za-z0-9_-]+ vcpu[0-9]+ run [0-9.]+ steal [0-9.]+/ {
	s = substr(line, index(line, "summary: vm "))
	split(s, w, " ")
	i = vm_index(w[3]); run_ms[i] += w[6]; steal_ms[i] += w[8]; have_acct[i] = 1
	next
}
/summary: vm [A-Za-z0-9_-]+ stopped reason=/ {
	s = substr(line, index(line, "summary: vm "))
	split(s, w, " "); i = vm_index(w[3])
	if (stop[i] == "") { r = field(s, "reason"); sub(/,$/, "", r); stop_summary[i] = r }
	next
}

END {
	if (nvm == 0) problem("no VM started")
	wn = 2
	for (i = 1; i <= nvm; i++) if (length(names[i]) > wn) wn = length(names[i])
	fmt = "%-" wn "s  %5s  %6s  %-30s  %10s  %10s  %s\n"
	printf fmt, "VM", "vCPUs", "online", "workload", "run ms", "steal ms", "stop"
	for (i = 1; i <= nvm; i++) {
		n = names[i]; v = vcpus[i]
		# CPUs online in the guest.
		on = "-"
		if (s_online[i] != "") on = s_online[i]
		else if (online[i] != "") on = online[i]
		if (on != "-" && v != "" && on + 0 < v + 0)
			problem(n ": " on " of " v " vCPUs online in the guest" \
				(online_list[i] != "" ? " (cpus online=" online_list[i] ")" : ""))
		if (s_present[i] != "" && s_online[i] + 0 < s_present[i] + 0 && !(v != "" && s_online[i] + 0 < v + 0))
			problem(n ": " s_online[i] " of " s_present[i] " present CPUs online in the guest")
		if (linux[i] && on == "-")
			problem(n ": the guest did not report its CPUs (no LHV-GUEST cpus line)")
		# Guest self-check.
		gp = s_problems[i] != "" ? s_problems[i] : d_problems[i]
		if (gp != "" && gp + 0 > 0)
			problem(n ": the guest self-check counts " gp " problem(s) (see its LHV-GUEST lines)")
		# Workload.
		wl = "-"
		if (mt_verdict[i] != "") {
			wl = "mtwork " mt_verdict[i] (mt_threads[i] != "" ? " threads=" mt_threads[i] : "")
			if (mt_verdict[i] != "PASS") problem(n ": mtwork FAIL")
			else if (mt_rc[i] != "" && mt_rc[i] != "0") problem(n ": mtwork exited with status " mt_rc[i])
		} else if (mt_rc[i] != "") {
			wl = "mtwork rc=" mt_rc[i]
			if (mt_rc[i] != "0") problem(n ": mtwork exited with status " mt_rc[i] " without a verdict")
		} else if (tk_abort[i]) {
			wl = "testkern ABORT"
			problem(n ": the test kernel aborted (unexpected exception)")
		} else if (tk_done[i] != "") {
			wl = "testkern " tk_done[i]
			if (tk_fail[i] > 0) problem(n ": " tk_fail[i] " test kernel test(s) failed")
		} else if (testkern[i] && last_test[i] ~ / RUNNING$/) {
			wl = "testkern " last_test[i]
		} else if (linux[i] && done[i]) {
			wl = "/init done, no mtwork"
		}
		if (linux[i] && !done[i])
			problem(n ": its /init did not finish (no LHV-GUEST: done)")
		# Stop reason.
		st = stop[i] != "" ? stop[i] : stop_summary[i]
		expected_fault = testkern[i] && last_test[i] ~ /^(oob|triple) RUNNING$/
		if (st == "") {
			sd = "-"; problem(n ": never stopped")
		} else if (st == "exit") {
			sd = "exit code=" code[i]
			if (code[i] != "0") problem(n ": stopped with exit code " code[i])
		} else {
			sd = st
			if (st == "fault" && expected_fault) sd = "fault (expected)"
			else if (st != "poweroff") problem(n ": abnormal stop reason=" st)
		}
		printf fmt, n, v == "" ? "?" : v, on, wl,
			have_acct[i] ? sprintf("%.1f", run_ms[i]) : "-",
			have_acct[i] ? sprintf("%.1f", steal_ms[i]) : "-", sd
	}
	if (!poweroff && !panic) problem("the log does not end with HV POWEROFF (timeout or crash?)")
	else if (poweroff && last_nonempty != "HV POWEROFF") problem("output after HV POWEROFF")
	for (k = 1; k <= nprob; k++) print "PROBLEM " problems[k]
	if (nprob == 0) print "no problems found"
	exit nprob ? 1 : 0
}'
