#!/usr/bin/env bash
# Two GRUB module2 lines reach the hypervisor: it lists both modules with
# their command lines ("module: <start>-<end> '<cmdline>'") and still powers
# off cleanly. The modules are small data files made here, not guests.
# timeout: 300
. "$(dirname "$0")/lib.sh"
boot_init
printf 'lhv module test alpha\n' > "$OUT/modtest-a.bin"
head -c 5000 /dev/zero | tr '\0' 'b' > "$OUT/modtest-b.txt"
need_iso -m "$OUT/modtest-a.bin modtest=alpha answer=42" \
	-m "$OUT/modtest-b.txt modtest=beta -- hello world"
run_qemu --iso "$ISO" --cpus 1
range='(0x)?[0-9a-fA-F]+-(0x)?[0-9a-fA-F]+'
check_log --forbid 'GRUB ERROR' \
	--expect "module: $range 'modtest=alpha answer=42'" \
	--then "module: $range 'modtest=beta -- hello world'" \
	--expect '^HV POWEROFF$'
# The sizes the hypervisor saw are the files' sizes (end is exclusive).
size_of() {
	tr -d '\r' < "$LOG" | grep -oE "module: $range '$1" | head -n 1 |
		sed -E 's/module: (0x)?([0-9a-fA-F]+)-(0x)?([0-9a-fA-F]+).*/\2 \4/' |
		{ read -r s e; echo $((16#$e - 16#$s)); }
}
a=$(size_of 'modtest=alpha') b=$(size_of 'modtest=beta')
[ "$a" -eq "$(stat -c %s "$OUT/modtest-a.bin")" ] || fail "module A is $a bytes, the file $(stat -c %s "$OUT/modtest-a.bin")"
[ "$b" -eq 5000 ] || fail "module B is $b bytes, the file 5000"
pass
