#!/usr/bin/env bash
# Bad Linux guest inputs are refused one by one with "HV ERROR vm=<name>"
# while the other VMs still start: a corrupted (truncated) kernel, a kernel
# without its initrd, an initrd without a kernel, mem= larger than the
# machine, and a kernel command line longer than the protocol allows. The
# healthy VM is a test kernel so the test stays quick.
# timeout: 600
. "$(dirname "$0")/lib.sh"
linux_init
k=$BUILD/cache/linux/vmlinuz-generic
head -c 1048576 "$k" > "$OUT/corrupt.vmlinuz"
cp "$k" "$OUT/noinitrd.vmlinuz"
cp "$k" "$OUT/huge.vmlinuz"
cp "$k" "$OUT/longcmd.vmlinuz"
cp "$OUT/initrd.gz" "$OUT/huge.initrd"
cp "$OUT/initrd.gz" "$OUT/longcmd.initrd"
cp "$OUT/initrd.gz" "$OUT/orphan.initrd"
cp "$OUT/initrd.gz" "$OUT/corrupt.initrd"
cp "$BUILD/guest/testkern.elf" "$OUT/good.elf"
long=$(head -c 2100 /dev/zero | tr '\0' 'x')
need_iso \
	-m "$OUT/corrupt.vmlinuz vm=corrupt vcpus=1 mem=128M -- console=ttyS0" \
	-m "$OUT/corrupt.initrd vm=corrupt initrd" \
	-m "$OUT/noinitrd.vmlinuz vm=noinitrd vcpus=1 mem=128M -- console=ttyS0" \
	-m "$OUT/huge.vmlinuz vm=huge vcpus=1 mem=64G -- console=ttyS0" \
	-m "$OUT/huge.initrd vm=huge initrd" \
	-m "$OUT/longcmd.vmlinuz vm=longcmd vcpus=1 mem=128M -- console=ttyS0 lhv.pad=$long" \
	-m "$OUT/longcmd.initrd vm=longcmd initrd" \
	-m "$OUT/orphan.initrd vm=orphan initrd" \
	-m "$OUT/good.elf vm=good vcpus=2 mem=16M -- test=cpuid,smp cpus=2 hv=1"
run_hv --iso "$ISO" --cpus 2
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' \
	--expect '^HV ERROR vm=corrupt .*(syssize|truncated|shorter|inconsistent|file)' \
	--expect "^HV ERROR vm=noinitrd a Linux guest needs an initrd" \
	--expect '^HV ERROR vm=huge mem=64G exceeds free memory' \
	--expect '^HV ERROR vm=longcmd .*too long' \
	--expect '^HV ERROR vm=orphan initrd for a VM that has no kernel module' \
	--expect-count 5 '^HV ERROR' \
	--expect '^HV VM good started vcpus=2 ' --expect '^\[good\] TEST smp PASS' \
	--expect '^HV VM good stopped reason=exit code=0$' \
	--forbid '^HV VM (corrupt|noinitrd|huge|longcmd|orphan) started'
check_stacks
pass
