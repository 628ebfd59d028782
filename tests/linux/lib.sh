# shellcheck shell=bash
# Helpers for Linux-guest tests: stock Debian kernels (fetched and cached by
# guest/linux/fetch-kernels.sh) with the project's busybox initramfs.
#   linux_guest NAME KERNEL(generic|cloud) VCPUS MEM [extra kernel args]
. "$(dirname "${BASH_SOURCE[0]}")/../boot/lib.sh"

GUEST_MODS=()
CHECKS=()

linux_init() {
	boot_init
	"$ROOT/guest/linux/fetch-kernels.sh" > "$OUT/fetch.log" 2>&1 || {
		cat "$OUT/fetch.log"
		say "SKIP: the Debian kernels cannot be fetched"
		exit 77
	}
	"$ROOT/guest/linux/mkinitramfs.sh" "$OUT/initrd.gz" > "$OUT/initramfs.log" 2>&1 ||
		fail "could not build the initramfs: $(tail -3 "$OUT/initramfs.log")"
}

linux_guest() {
	local name=$1 kind=$2 vcpus=$3 mem=$4; shift 4
	local kernel=$BUILD/cache/linux/vmlinuz-$kind
	[ -f "$kernel" ] || fail "$kernel missing"
	cp "$kernel" "$OUT/$name.vmlinuz"
	cp "$OUT/initrd.gz" "$OUT/$name.initrd"
	GUEST_MODS+=(-m "$OUT/$name.vmlinuz vm=$name vcpus=$vcpus mem=$mem -- console=ttyS0 quiet $*"
		-m "$OUT/$name.initrd vm=$name initrd")
	# What every Linux guest must show: user space, all its CPUs, the KVM
	# platform recognised, kvm-clock, a clean dmesg, the threaded workload,
	# a summary that says so, and a power-off that stops its VM.
	CHECKS+=(--expect "^HV VM $name started vcpus=$vcpus "
		--expect "^\\[$name\\] LHV-GUEST: booted"
		--expect "^\\[$name\\] LHV-GUEST: cpus online=.* count=$vcpus\$"
		--expect "^\\[$name\\] LHV-GUEST: dmesg hypervisor: .*Hypervisor detected: KVM"
		--expect "^\\[$name\\] LHV-GUEST: dmesg kvm-clock: .*kvm-clock"
		--expect "^\\[$name\\] LHV-GUEST: dmesg .* problems=0\$"
		--expect "^\\[$name\\] mtwork: threads=$vcpus .*PASS"
		--expect "^\\[$name\\] LHV-GUEST: summary cpus=$vcpus/$vcpus problems=0 mtwork=PASS "
		--expect "^\\[$name\\] LHV-GUEST: done"
		--expect "^HV VM $name stopped reason=poweroff\$")
}
