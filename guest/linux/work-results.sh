#!/usr/bin/env bash
# Per-workload results from a guest's console log (the lhv /init's framing,
# docs/linux.md "Guest workloads"): for every "LHV-GUEST: work NAME start"
# ... "LHV-GUEST: work NAME rc=N" block, one line
#   work=NAME rc=N status=pass|fail [reason=...] [the RESULT line's key=value pairs]
# A workload passes when it exited 0 and printed exactly one RESULT line
# whose ops_per_s is a positive number and which does not say ok=0.
#
#   guest/linux/work-results.sh [--vm NAME] LOG
#
# --vm NAME: only lines prefixed "[NAME] " (lhv's console tags each VM's
# output so); without it an optional "[...] " prefix is ignored. CR bytes
# (the guest tty's CR LF) are dropped. Exit status: 0 when every workload
# passed, 1 when one failed or a block has no end (the guest stopped
# inside it), 2 on bad usage or no workload at all.
set -euo pipefail
prog=${0##*/}
usage() { sed -n '9,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
vm=
while [ $# -gt 0 ]; do
	case $1 in
	--vm) [ $# -ge 2 ] || usage; vm=$2; shift ;;
	-h | --help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
[ -r "$1" ] || { echo "$prog: cannot read $1" >&2; exit 2; }

tr -d '\r' < "$1" | awk -v vm="$vm" '
function finish(rc,   status, why) {
	status = "pass"; why = ""
	if (rc != "0") why = "exit status " rc
	else if (nres != 1) why = nres " RESULT lines"
	else if (res !~ /^ops_per_s=[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?( |$)/) why = "no numeric ops_per_s first"
	else if (res ~ /^ops_per_s=0*\.?0*( |$)/) why = "ops_per_s is 0"
	else if (res ~ /(^| )ok=0( |$)/) why = "ok=0"
	if (why != "") { status = "fail"; failed++ }
	printf "work=%s rc=%s status=%s", name, rc, status
	if (why != "") { gsub(/ /, "_", why); printf " reason=%s", why }
	if (nres == 1) printf " %s", res
	printf "\n"
	name = ""; total++
}
{
	line = $0
	if (vm != "") {
		p = "[" vm "] "
		if (substr(line, 1, length(p)) != p) next
		line = substr(line, length(p) + 1)
	} else if (line ~ /^\[[^]]*\] /) {
		sub(/^\[[^]]*\] /, "", line)
	}
	if (line ~ /^LHV-GUEST: work [^ ]+ start$/) {
		if (name != "") finish("unfinished")
		split(line, f, " "); name = f[3]; nres = 0; res = ""
	} else if (name != "" && line ~ /^LHV-GUEST: work [^ ]+ rc=[0-9]+$/) {
		split(line, f, " ")
		if (f[3] == name) finish(substr(f[4], 4))
	} else if (name != "" && line ~ /^RESULT /) {
		nres++; res = substr(line, 8)
	}
}
END {
	if (name != "") finish("unfinished")
	if (total == 0) { print "no workload in the log" > "/dev/stderr"; exit 2 }
	exit failed ? 1 : 0
}'
