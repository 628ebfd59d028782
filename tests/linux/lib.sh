# shellcheck shell=bash
# Helpers for Linux-guest tests: stock Debian kernels (fetched and cached by
# guest/linux/fetch-kernels.sh) with the project's busybox initramfs.
#   [VM_OPTS="pv=none ..."] linux_guest NAME KERNEL VCPUS MEM [extra kernel args]
# KERNEL: generic or cloud (the bzImage), pvh-generic or pvh-cloud (the
# uncompressed vmlinux through its PVH entry: no decompressor, faster);
# VM_OPTS: more module-line options for this VM (docs/console.md).
. "$(dirname "${BASH_SOURCE[0]}")/../boot/lib.sh"

GUEST_MODS=()
CHECKS=()

# boot_init, then the Debian kernels, or skip (77) when they cannot be
# fetched (offline).
linux_kernels() {
	boot_init
	"$ROOT/guest/linux/fetch-kernels.sh" > "$OUT/fetch.log" 2>&1 || {
		cat "$OUT/fetch.log"
		say "SKIP: the Debian kernels cannot be fetched"
		exit 77
	}
}

linux_init() {
	linux_kernels
	"$ROOT/guest/linux/mkinitramfs.sh" "$OUT/initrd.gz" > "$OUT/initramfs.log" 2>&1 ||
		fail "could not build the initramfs: $(tail -3 "$OUT/initramfs.log")"
}

linux_guest() {
	local name=$1 kind=$2 vcpus=$3 mem=$4; shift 4
	local kernel=$BUILD/cache/linux/vmlinuz-$kind
	case $kind in pvh-*) kernel=$BUILD/cache/linux/vmlinux-${kind#pvh-} ;; esac
	[ -f "$kernel" ] || fail "$kernel missing"
	cp "$kernel" "$OUT/$name.vmlinuz"
	cp "$OUT/initrd.gz" "$OUT/$name.initrd"
	# Under QEMU's TCG a guest's time is the host's: on a loaded host its
	# vCPU threads starve and the guest's own watchdogs fire (soft lockups
	# of 25-57 s, RCU stalls, seen at load average 10) whatever lhv does.
	# There the watchdogs get their longest thresholds; under Bochs
	# (virtual time) they keep the kernel's defaults. iommu=noaperture: on
	# an AMD CPU the generic kernel searches PCI slots for a GART aperture
	# through ports 0xcf8/0xcfc, port I/O exits that cost milliseconds each
	# on a loaded host; lhv offers no PCI bus, so the search finds nothing
	# anyway. It halves a generic guest's I/O exits (docs/benchmarks.md).
	local wd=''
	[ "${HV_TEST_EMU:-bochs}" != qemu-svm ] ||
		wd='watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300 iommu=noaperture'
	GUEST_MODS+=(-m "$OUT/$name.vmlinuz vm=$name vcpus=$vcpus mem=$mem ${VM_OPTS:-} -- console=ttyS0 quiet $wd $*"
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

# linux_steal_check NAME...: each guest's /proc/stat steal (its summary
# line's steal_s) agrees with the steal time lhv reported to its vCPUs
# (the steal_ns of its "summary: pv" lines): never more (plus one 10 ms
# tick), and at least 80% of it minus 50 ms (the guest accounts steal at
# its ticks, per CPU, and reads /proc/stat a little before it powers off,
# while lhv counts to the end: 30 ms apart for a 2-vCPU guest was seen).
linux_steal_check() {
	local name guest hv
	for name in "$@"; do
		guest=$(tr -d '\r' < "$LOG" | sed -n "s/^\\[$name\\] LHV-GUEST: summary .* steal_s=\\([0-9.]*\\)\$/\\1/p" | tail -1)
		hv=$(tr -d '\r' < "$LOG" | sed -n "s/.*summary: pv vm $name vcpu[0-9]* .* steal_ns=\\([0-9]*\\) .*/\\1/p" |
			awk '{ s += $1 } END { printf "%.3f", s / 1e9 }')
		[ -n "$guest" ] || fail "no steal_s for $name"
		awk -v g="$guest" -v h="$hv" 'BEGIN { exit !(g <= h + 0.01 && g >= 0.8 * h - 0.05) }' ||
			fail "$name: /proc/stat shows steal_s=$guest, lhv reported ${hv} s"
		say "$name: steal /proc/stat ${guest} s, lhv ${hv} s"
	done
}
