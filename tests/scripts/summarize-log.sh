#!/usr/bin/env bash
# timeout: 60
# scripts/summarize-log.sh, the per-guest table `make run` prints at the end,
# fed canned serial logs (tests/scripts/logs/, no emulator): every guest's
# row, and a PROBLEM line for a guest that lost a CPU (issue 15: the guest
# booted with 1 of 2 CPUs and nobody noticed), a failed workload, failed or
# aborted test kernels, abnormal stops, refused VMs and a run that never
# powered off; exit status 0 only when there is no problem.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S=$ROOT/scripts/summarize-log.sh
L=$ROOT/tests/scripts/logs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect NAME LOG STATUS: the summary of LOG must be stdin, exit status STATUS.
expect() {
	local name=$1 log=$2 want_rc=$3 rc=0
	cat > "$tmp/want"
	"$S" "$log" > "$tmp/got" 2>&1 || rc=$?
	if [ "$rc" -ne "$want_rc" ] || ! diff -u "$tmp/want" "$tmp/got" > "$tmp/diff"; then
		echo "FAIL $name (exit status $rc, want $want_rc)"
		cat "$tmp/diff"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

expect good "$L/good-linux.log" 0 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  mtwork PASS threads=2              50100.4      2000.8  poweroff
linux2      2       2  mtwork PASS threads=2              50000.0      1900.0  poweroff
no problems found
EOF

expect lost-cpu "$L/lost-cpu.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  mtwork PASS threads=2              50100.4      2000.8  poweroff
linux2      2       1  mtwork PASS threads=1              50000.0      1900.0  poweroff
PROBLEM linux2: 1 of 2 vCPUs online in the guest (cpus online=0)
EOF

expect failed-workload "$L/failed-workload.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  mtwork FAIL threads=2              50100.4      2000.8  poweroff
linux2      2       2  mtwork PASS threads=2              50000.0      1900.0  poweroff
PROBLEM linux1: mtwork FAIL
EOF

# A fault right after "TEST oob RUNNING" is that test's expected end.
expect testkern "$L/testkern.log" 1 <<'EOF'
VM     vCPUs  online  workload                            run ms    steal ms  stop
smp        3       -  testkern pass=2 fail=0 skip=0        186.1      1843.9  exit code=0
cpu        1       -  testkern pass=1 fail=1 skip=0        104.4       154.3  exit code=1
oob        1       -  testkern oob RUNNING                  95.1        26.5  fault (expected)
crash      1       -  testkern ABORT                       105.2        91.7  fault
stuck      1       -  -                                        -           -  -
PROBLEM VM bad3 refused: unknown option 'colour=blue'
PROBLEM cpu: 1 test kernel test(s) failed
PROBLEM cpu: stopped with exit code 1
PROBLEM crash: the test kernel aborted (unexpected exception)
PROBLEM crash: abnormal stop reason=fault
PROBLEM stuck: never stopped
PROBLEM the log does not end with HV POWEROFF (timeout or crash?)
EOF

# The serial log as Bochs/QEMU write it may have CRLF line ends.
sed 's/$/\r/' "$L/lost-cpu.log" > "$tmp/crlf.log"
expect crlf "$tmp/crlf.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  mtwork PASS threads=2              50100.4      2000.8  poweroff
linux2      2       1  mtwork PASS threads=1              50000.0      1900.0  poweroff
PROBLEM linux2: 1 of 2 vCPUs online in the guest (cpus online=0)
EOF

# The guest's own summary line (when its /init prints one) wins over the
# cpus/dmesg lines, and its problem count is reported.
sed -e 's|^\(\[linux1\] LHV-GUEST: done\)$|[linux1] LHV-GUEST: summary cpus=1/2 problems=1 mtwork=PASS\n\1|' \
	"$L/good-linux.log" > "$tmp/summary-line.log"
expect summary-line "$tmp/summary-line.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       1  mtwork PASS threads=2              50100.4      2000.8  poweroff
linux2      2       2  mtwork PASS threads=2              50000.0      1900.0  poweroff
PROBLEM linux1: 1 of 2 vCPUs online in the guest (cpus online=0-1)
PROBLEM linux1: the guest self-check counts 1 problem(s) (see its LHV-GUEST lines)
EOF

# The guest's dmesg check found something; a guest that stops in an error.
sed -e 's/^\(\[linux2\] LHV-GUEST: dmesg .*\)problems=0$/\1problems=2/' \
	-e 's/^HV VM linux1 stopped reason=poweroff$/HV VM linux1 stopped reason=error/' \
	-e '/^\[linux1\] LHV-GUEST: done$/d' \
	"$L/good-linux.log" > "$tmp/dmesg.log"
expect dmesg-error "$tmp/dmesg.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  mtwork PASS threads=2              50100.4      2000.8  error
linux2      2       2  mtwork PASS threads=2              50000.0      1900.0  poweroff
PROBLEM linux1: its /init did not finish (no LHV-GUEST: done)
PROBLEM linux1: abnormal stop reason=error
PROBLEM linux2: the guest self-check counts 2 problem(s) (see its LHV-GUEST lines)
EOF

# A run cut short (timeout): no stop lines, no accounting, no power-off.
sed -n '1,/^\[linux2\] LHV-GUEST: booted$/p' "$L/lost-cpu.log" > "$tmp/cut.log"
expect cut "$tmp/cut.log" 1 <<'EOF'
VM      vCPUs  online  workload                            run ms    steal ms  stop
linux1      2       2  -                                        -           -  -
linux2      2       -  -                                        -           -  -
PROBLEM linux1: its /init did not finish (no LHV-GUEST: done)
PROBLEM linux1: never stopped
PROBLEM linux2: the guest did not report its CPUs (no LHV-GUEST cpus line)
PROBLEM linux2: its /init did not finish (no LHV-GUEST: done)
PROBLEM linux2: never stopped
PROBLEM the log does not end with HV POWEROFF (timeout or crash?)
EOF

# Bad input: a clear message and status 2.
rc=0; out=$("$S" "$tmp/no-such.log" 2>&1) || rc=$?
if [ "$rc" -eq 2 ] && [[ $out == *"cannot read"* ]]; then echo "ok   missing-log"
else echo "FAIL missing-log (status $rc: $out)"; fails=$((fails + 1)); fi

[ "$fails" -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all cases passed"
