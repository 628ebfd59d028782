#!/usr/bin/env bash
# timeout: 60
# Which guests `make run` (scripts/run.sh) boots, checked with --dry-run (no
# ISO, no emulator): the default guests (build/default-modules) only when no
# guest is given; HV_MODULES replaces them (issue 15: the README's quick
# test-kernel example also booted the two default Linux guests, 4 min 40 s
# instead of seconds); an explicit HV_MODULES_FILE is read after HV_MODULES;
# a missing one is an error.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BUILD=$tmp/build
mkdir -p "$BUILD"
: > "$BUILD/hv.elf"    # run.sh only checks that it exists before --dry-run stops
printf '%s\n' '# default guests' 'def1.elf vm=d1 vcpus=2 mem=16M' 'def2.elf vm=d2 vcpus=1 mem=16M' \
	> "$BUILD/default-modules"
printf '%s\n' 'extra.elf vm=e vcpus=1 mem=8M -- test=hlt' > "$tmp/more-modules"
unset HV_MODULES HV_MODULES_FILE HV_CMDLINE
fails=0

# expect NAME STATUS [VAR=VALUE...]: the module lines of a dry run under
# those variables must be stdin (in order), and its exit status STATUS.
expect() {
	local name=$1 want_rc=$2 rc=0
	shift 2
	sed 's/^/run.sh: module: /' > "$tmp/want"
	env "$@" "$ROOT/scripts/run.sh" --dry-run > "$tmp/out" 2>&1 || rc=$?
	grep '^run.sh: module: ' "$tmp/out" > "$tmp/got"
	if [ "$rc" -ne "$want_rc" ] || ! diff -u "$tmp/want" "$tmp/got" > "$tmp/diff"; then
		echo "FAIL $name (status $rc, want $want_rc)"
		cat "$tmp/diff" "$tmp/out"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}

expect defaults 0 <<'EOF'
def1.elf vm=d1 vcpus=2 mem=16M
def2.elf vm=d2 vcpus=1 mem=16M
EOF

expect modules-replace-defaults 0 'HV_MODULES=tk.elf vm=a vcpus=2 mem=32M -- test=smp cpus=2 hv=1' <<'EOF'
tk.elf vm=a vcpus=2 mem=32M -- test=smp cpus=2 hv=1
EOF

# ';' and newlines separate entries; blanks and '#' comments are dropped.
expect separators 0 "HV_MODULES=k vm=a vcpus=2 mem=64M -- quiet;  i vm=a initrd
# a comment
t vm=b vcpus=1 mem=8M" <<'EOF'
k vm=a vcpus=2 mem=64M -- quiet
i vm=a initrd
t vm=b vcpus=1 mem=8M
EOF

expect modules-and-file 0 'HV_MODULES=tk.elf vm=a vcpus=1 mem=8M' "HV_MODULES_FILE=$tmp/more-modules" <<'EOF'
tk.elf vm=a vcpus=1 mem=8M
extra.elf vm=e vcpus=1 mem=8M -- test=hlt
EOF

expect file-only 0 "HV_MODULES_FILE=$tmp/more-modules" <<'EOF'
extra.elf vm=e vcpus=1 mem=8M -- test=hlt
EOF

expect empty-file-variable 0 'HV_MODULES_FILE=' < /dev/null

expect missing-file 2 "HV_MODULES_FILE=$tmp/no-such-file" < /dev/null
if ! grep -q 'HV_MODULES_FILE=.*no-such-file: no such file' "$tmp/out"; then
	echo "FAIL missing-file: no message naming the file"; cat "$tmp/out"; fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all cases passed"
