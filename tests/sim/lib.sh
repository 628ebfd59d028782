# Helpers for the simulator tests (sourced, not executable itself).
# HVSIM: the simulator binary (default build/hvsim, built by make).
cd "$(dirname "$0")/../.." || exit 1
HVSIM=${HVSIM:-build/hvsim}
[ -x "$HVSIM" ] || { echo "FAIL: $HVSIM missing (make build/hvsim)"; exit 1; }
FAILS=0

# sim ARGS...: run the simulator (with a hard timeout), keep its JSON line.
sim() {
	OUT=$(timeout 60 "$HVSIM" "$@") || { echo "FAIL: hvsim $* exited $?"; FAILS=$((FAILS + 1)); OUT=; }
	JSON=$(printf '%s\n' "$OUT" | tail -n 1)
}
# get KEY: a top-level number/string from the last JSON line (per_vm, whose
# entries repeat some keys, is cut off first).
get() { printf '%s\n' "$JSON" | sed 's/,"per_vm":.*//' | sed -n "s/^{.*\"$1\":\"\{0,1\}\([^,}\"]*\).*/\1/p" | head -n 1; }
# vm_cpu I: CPU (pCPUs' worth) of VM I.
vm_cpu() { printf '%s\n' "$JSON" | sed 's/.*"per_vm":\[//' | tr '}' '\n' | sed -n "$(($1 + 1))p" | sed 's/.*"cpu":\([^,]*\).*/\1/'; }
# expect "DESCRIPTION" AWK-CONDITION: pass/fail on a numeric condition.
expect() {
	if awk "BEGIN { exit !($2) }"; then
		echo "ok: $1"
	else
		echo "FAIL: $1 ($2)"
		FAILS=$((FAILS + 1))
	fi
}
finish() {
	[ "$FAILS" -eq 0 ] && { echo "PASS"; exit 0; }
	echo "$FAILS failure(s)"
	exit 1
}
# vm_get I KEY: a number from VM I's entry of per_vm.
vm_get() { printf '%s\n' "$JSON" | sed 's/.*"per_vm":\[//' | tr '}' '\n' | sed -n "$(($1 + 1))p" | sed -n "s/.*\"$2\":\"\{0,1\}\([^,}\"]*\).*/\1/p"; }
