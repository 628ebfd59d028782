#!/bin/sh
# SCHED_REGISTER refuses, at compile time, a policy whose private per-vCPU,
# per-VM or per-pCPU type does not fit the framework's priv areas, and
# accepts one that fits.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
FAILS=0
try() { # NAME VCPU_BYTES VM_BYTES PCPU_BYTES WANT(ok|error)
	cat >"$T/p.c" <<EOT
#include "sched/sched_ops.h"
struct v { char b[$2]; };
struct m { char b[$3]; };
struct c { char b[$4]; };
static const struct sched_ops ops = { .name = "x" };
SCHED_REGISTER(ops, struct v, struct m, struct c);
EOT
	out=$(${CC:-gcc} -std=c11 -I. -DHV_HOST -fsyntax-only "$T/p.c" 2>&1); rc=$?
	case "$5:$rc:$out" in
	ok:0:*) echo "ok: $1 accepted" ;;
	error:[1-9]*:*"does not fit"*) echo "ok: $1 refused: $(printf '%s\n' "$out" | grep -m1 'does not fit')" ;;
	*) echo "FAIL: $1 (rc=$rc, wanted $5): $out"; FAILS=$((FAILS + 1)) ;;
	esac
}
size() { sed -n "s/^#define SCHED_PRIV_$1_SIZE \([0-9]*\).*/\1/p" sched/sched.h; }
V=$(size VCPU) M=$(size VM) C=$(size PCPU)
[ -n "$V" ] && [ -n "$M" ] && [ -n "$C" ] || { echo "FAIL: SCHED_PRIV_*_SIZE not found in sched/sched.h"; exit 1; }
try "sizes that fit ($V, $M, $C)" "$V" "$M" "$C" ok
try "per-vCPU type one byte too big" $((V + 1)) 8 8 error
try "per-VM type one byte too big" 8 $((M + 1)) 8 error
try "per-pCPU type one byte too big" 8 8 $((C + 1)) error
[ "$FAILS" -eq 0 ] && { echo PASS; exit 0; }
exit 1
