#!/usr/bin/env bash
# Build a small initramfs for Linux guests: busybox-static, an /init that
# reports on the boot and runs workloads, and the given programs.
#
#   guest/linux/mkinitramfs.sh OUT.cpio.gz [--program PATH]... [--no-mtwork]
#
# --program PATH   copy PATH (a static binary) to /bin/<name> in the image;
#                  lhv.work=<name> runs it as a workload (docs/linux.md)
# --no-mtwork      leave out guest/linux/mtwork (built here by default with
#                  the host gcc: -static -O2 -pthread, like lhvwork)
#
# The /init prints, on the console (console=ttyS0 on the kernel command line):
#   LHV-GUEST: booted
#   LHV-GUEST: cpus online=<list> count=<n>
#   LHV-GUEST: cpus present=<list> possible=<list> count=<n>
#   LHV-GUEST: cpu problem: <n> of <m> present CPUs offline (online=<list>)   (if so)
#   LHV-GUEST: dmesg hypervisor: <the "Hypervisor detected" line, or none>
#   LHV-GUEST: dmesg kvm-clock: <the first kvm-clock line, or none>
#   LHV-GUEST: dmesg pv: <each kvm-guest line on PV spinlocks, sched yield, TLB flush, IPIs>
#   LHV-GUEST: dmesg soft-lockup=<n> rcu-stall=<n> bug=<n> oops=<n> warning=<n> stuck=<n> offline=<n> problems=<n>
#   LHV-GUEST: dmesg problem: <line>                       (up to 5)
#   LHV-GUEST: mtwork rc=<status> (with mtwork's own lines before it)
#   LHV-GUEST: work <name> start / RESULT ... / LHV-GUEST: work <name> rc=<status>
#   LHV-GUEST: summary cpus=<online>/<present> problems=<n> mtwork=<PASS|FAIL|skipped> work=<ok>/<run> up_s=<s> steal_s=<s>
#   LHV-GUEST: done
# then powers off (poweroff -f: ACPI S5 where the platform has it).
# Kernel command line knobs: lhv.mtwork=0 skips mtwork; lhv.iters=N and
# lhv.threads=N are passed to it as -n and -t; lhv.work=a,b,... runs those
# workloads, lhv.secs=S (default 5) long, lhv.threads=N threads each;
# lhv.args.<name>=x,y adds arguments; lhv.timeout=S kills a workload after S s.
# lhv.agent=1 runs /bin/lhvagent (guest/linux/lhvagent.c: lhv's observation
# calls) before the workloads ("register") and around each ("begin"/"end").
set -euo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '5,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }

out='' programs=() mtwork=1
while [ $# -gt 0 ]; do
	case $1 in
	--program) [ $# -ge 2 ] || usage; programs+=("$2"); shift ;;
	--no-mtwork) mtwork= ;;
	-h | --help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; usage ;;
	*) [ -z "$out" ] || usage; out=$1 ;;
	esac
	shift
done
[ -n "$out" ] || usage

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (package busybox-static; scripts/setup.sh installs it)"
command -v cpio >/dev/null || die "cpio missing (package cpio; scripts/setup.sh installs it)"
command -v gzip >/dev/null || die "gzip missing"
# A dynamically linked busybox (package busybox) would need its libraries.
if command -v readelf >/dev/null && readelf -l "$BUSYBOX" 2>/dev/null | grep -q 'interpreter'; then
	die "$BUSYBOX is dynamically linked: install busybox-static"
fi
# Names /init runs as built-in workloads; a program may not take one.
BUILTIN_WORK="sendfile mmap files fork barrier cpu vecstate tas ttas ticket"
applets=" $("$BUSYBOX" --list | tr '\n' ' ') "
for p in "${programs[@]}"; do
	[ -f "$p" ] || die "--program $p: no such file"
	name=${p##*/}
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
		die "--program $p: name '$name' must be letters, digits, '.', '_' or '-'"
	case " $BUILTIN_WORK lhvwork mtwork lhvagent lhvballoon init " in
	*" $name "*) die "--program $p: '$name' is the name of a built-in workload or program" ;;
	esac
	case $applets in
	*" $name "*) die "--program $p: '$name' would replace busybox's $name applet" ;;
	esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc}

cp "$BUSYBOX" "$root/bin/busybox"
# One symlink per applet, so /init can call them by name.
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
ln -s bin "$root/sbin"

# The workloads: static, so the image needs no C library.
CFLAGS_WORK=(-std=gnu11 -static -O2 -pthread -Wall -Wextra -Werror -s)
w=$ROOT/guest/linux/work
${CC:-gcc} "${CFLAGS_WORK[@]}" -o "$root/bin/lhvwork" "$w"/*.c || die "cannot build lhvwork"
${CC:-gcc} "${CFLAGS_WORK[@]}" -o "$root/bin/lhvagent" "$ROOT/guest/linux/lhvagent.c" ||
	die "cannot build lhvagent"
${CC:-gcc} "${CFLAGS_WORK[@]}" -o "$root/bin/lhvballoon" "$ROOT/guest/linux/lhvballoon.c" ||
	die "cannot build lhvballoon"
if [ -n "$mtwork" ]; then
	${CC:-gcc} "${CFLAGS_WORK[@]}" -o "$root/bin/mtwork" "$ROOT/guest/linux/mtwork.c" "$w"/wl.c ||
		die "cannot build mtwork"
fi
# /etc/lhv-programs lists the --program names /init may run as workloads.
: > "$root/etc/lhv-programs"
for p in "${programs[@]}"; do
	cp "$p" "$root/bin/${p##*/}"
	chmod 0755 "$root/bin/${p##*/}"
	echo "${p##*/}" >> "$root/etc/lhv-programs"
done

# The kernel opens /dev/console before running /init; without the node the
# first messages of /init would go nowhere (it reopens it after mounting
# devtmpfs anyway). mknod needs root; cpio stores the node as made.
if [ "$(id -u)" -eq 0 ]; then
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
fi

cat > "$root/init" <<'INIT'
#!/bin/sh
# lhv Linux-guest init (guest/linux/mkinitramfs.sh). Runs as PID 1.
# Its console lines are an interface: docs/linux.md ("The guest's report").
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp

say() { echo "LHV-GUEST: $*"; }
say booted

# CPUs in a sysfs list such as "0-3" or "0,2-5".
cpu_count() {
	n=0
	for part in $(echo "$1" | tr ',' ' '); do
		lo=${part%-*} hi=${part#*-}
		n=$((n + hi - lo + 1))
	done
	echo "$n"
}
cpus=/sys/devices/system/cpu
online=$(cat $cpus/online)
present=$(cat $cpus/present)
count=$(cpu_count "$online")
npresent=$(cpu_count "$present")
say "cpus online=$online count=$count"
say "cpus present=$present possible=$(cat $cpus/possible) count=$npresent"
# A CPU the platform gave the kernel that did not come up (a lost SIPI, a
# stuck AP) is a problem even if dmesg has no line for it.
offline=$((npresent > count ? npresent - count : 0))
[ "$offline" = 0 ] ||
	say "cpu problem: $offline of $npresent present CPUs offline (online=$online present=$present)"

# Case matters: "Oops" must not match "loops_per_jiffy".
stuck_re='CPU ?[0-9]+ (is )?stuck|failed to (boot|come online)|not responding|do_boot_cpu failed'
problem_re="soft lockup|INFO: rcu.*stall|BUG:|Oops|WARNING:|blocked for more than|$stuck_re"
dmesg > /tmp/dmesg
line=$(grep -m1 'Hypervisor detected' /tmp/dmesg)
say "dmesg hypervisor: ${line:-none}"
line=$(grep -m1 'kvm-clock' /tmp/dmesg)
say "dmesg kvm-clock: ${line:-none}"
# Which paravirtual features the kernel took up (which spinlock it uses).
grep -E 'kvm-guest: (PV spinlocks|setup PV|KVM setup pv)' /tmp/dmesg | while IFS= read -r l; do say "dmesg pv: $l"; done
soft=$(grep -c 'soft lockup' /tmp/dmesg)
rcu=$(grep -cE 'INFO: rcu.*stall' /tmp/dmesg)
bug=$(grep -c 'BUG:' /tmp/dmesg)
oops=$(grep -c 'Oops' /tmp/dmesg)
warn=$(grep -c 'WARNING:' /tmp/dmesg)
stuck=$(grep -cE "$stuck_re" /tmp/dmesg)
seen=$(grep -cE "$problem_re" /tmp/dmesg)
say "dmesg soft-lockup=$soft rcu-stall=$rcu bug=$bug oops=$oops warning=$warn stuck=$stuck offline=$offline problems=$((seen + offline))"
grep -E "$problem_re" /tmp/dmesg | head -5 | while IFS= read -r l; do say "dmesg problem: $l"; done

run_mtwork=1 margs='' threads='' secs=5 work='' tmo='' agent='' balloon=''
# shellcheck disable=SC2013
for w in $(cat /proc/cmdline); do
	case $w in
	lhv.mtwork=0) run_mtwork= ;;
	lhv.iters=*) margs="$margs -n ${w#lhv.iters=}" ;;
	lhv.threads=*) threads=${w#lhv.threads=}; margs="$margs -t $threads" ;;
	lhv.work=*) work=$(echo "${w#lhv.work=}" | tr ',' ' ') ;;
	lhv.secs=*) secs=${w#lhv.secs=} ;;
	lhv.timeout=*) tmo=${w#lhv.timeout=} ;;
	lhv.agent=1) agent=1 ;;
	lhv.balloon=1) balloon=1 ;;
	esac
done
# The time-balloon agent (sched=balloon; the module line needs user_hc=lhp):
# one thread per vCPU inflates balloons on slow vCPUs until /init stops it.
bpid=''
if [ -n "$balloon" ]; then
	/bin/lhvballoon &
	bpid=$!
fi
# lhv's observation agent: per-CPU symbols and kernel text symbols first,
# then marks around each workload (its own "LHV-AGENT:" lines).
[ -z "$agent" ] || /bin/lhvagent register
mtwork=skipped
if [ -n "$run_mtwork" ] && [ -x /bin/mtwork ]; then
	# shellcheck disable=SC2086
	/bin/mtwork $margs
	rc=$?
	say "mtwork rc=$rc"
	mtwork=FAIL
	[ "$rc" = 0 ] && mtwork=PASS
fi

# lhv.args.<name>=a,b,c: extra arguments for workload <name>.
args_for() {
	# shellcheck disable=SC2013
	for w in $(cat /proc/cmdline); do
		case $w in
		"lhv.args.$1="*) echo "${w#lhv.args."$1"=}" | tr ',' ' ' ;;
		esac
	done
}

# Run one workload between its two framing lines. It succeeded when it
# exited 0 and printed exactly one "RESULT ops_per_s=<n> ..." line without
# ok=0.
run_ok=0 run_n=0
run_work() {
	name=$1
	tflag=
	[ -n "$threads" ] && tflag="-t $threads"
	case $name in
	sendfile | mmap | files | fork | cpu | vecstate) cmd="/bin/lhvwork $name $tflag -s $secs" ;;
	barrier) cmd="/bin/lhvwork barrier $tflag" ;;
	tas | ttas | ticket) cmd="/bin/mtwork -l $name $tflag -s $secs" ;;
	*) cmd=
	   grep -qxF -- "$name" /etc/lhv-programs && cmd="/bin/$name" ;;
	esac
	say "work $name start"
	run_n=$((run_n + 1))
	if [ -z "$cmd" ] || [ ! -x "${cmd%% *}" ]; then
		echo "lhv: no workload '$name' (built in: sendfile mmap files fork barrier cpu vecstate tas ttas ticket; added: $(tr '\n' ' ' < /etc/lhv-programs))"
		say "work $name rc=127"
		return
	fi
	[ -n "$tmo" ] && cmd="timeout -s KILL $tmo $cmd"
	[ -z "$agent" ] || /bin/lhvagent begin "$name"
	# shellcheck disable=SC2046,SC2086
	( LHV_THREADS=${threads:-$count} LHV_SECS=$secs $cmd $(args_for "$name"); echo $? > /tmp/work.rc ) 2>&1 |
		tee /tmp/work.out
	[ -z "$agent" ] || /bin/lhvagent end "$name"
	rc=$(cat /tmp/work.rc)
	say "work $name rc=$rc"
	if [ "$rc" = 0 ] && [ "$(grep -c '^RESULT ' /tmp/work.out)" = 1 ] &&
	   grep -Eq '^RESULT ops_per_s=[0-9.]+( |$)' /tmp/work.out &&
	   ! grep -Eq '^RESULT .* ok=0( |$)' /tmp/work.out; then
		run_ok=$((run_ok + 1))
	fi
}
for w in $work; do
	run_work "$w"
done

# Problems that appeared while the workloads ran.
dmesg > /tmp/dmesg
now=$(grep -cE "$problem_re" /tmp/dmesg)
if [ "$now" -gt "$seen" ]; then
	grep -E "$problem_re" /tmp/dmesg | tail -n +$((seen + 1)) | head -5 |
		while IFS= read -r l; do say "dmesg problem: $l"; done
fi
if [ -n "$bpid" ]; then
	kill "$bpid" 2>/dev/null
	wait "$bpid" 2>/dev/null
fi
online=$(cat $cpus/online)
count=$(cpu_count "$online")
offline=$((npresent > count ? npresent - count : 0))
up=$(cut -d' ' -f1 /proc/uptime)
# /proc/stat's first line: cpu user nice system idle iowait irq softirq steal
# (USER_HZ = 100 ticks a second).
steal=$(awk '$1 == "cpu" { printf "%.2f", $9 / 100; exit }' /proc/stat)
say "summary cpus=$count/$npresent problems=$((now + offline)) mtwork=$mtwork work=$run_ok/$run_n up_s=$up steal_s=$steal"

say "done"
poweroff -f
# Only reached if the platform cannot power off: PID 1 must not exit.
while :; do sleep 3600; done
INIT
chmod 0755 "$root/init"

mkdir -p "$(dirname "$out")"
# newc is the format the kernel's initramfs unpacker reads.
# Reproducible: the same sources give the same bytes (file times 0, inode
# numbers from cpio --reproducible, no gzip time stamp), so a rebuilt image
# is the same input to the deterministic Bochs runs (docs/experiments.md).
find "$root" -mindepth 1 -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
echo "$prog: $out ($(stat -c %s "$out") bytes)"
