#!/usr/bin/env bash
# VT-x under Bochs with 2 pCPUs (svm-multi-vm-2cpu.sh: AMD-V under QEMU,
# bochs-svm-multi-vm-2cpu.sh: under Bochs' ryzen), several VMs at once:
# - smp: 3 vCPUs on 2 pCPUs, APs started by the guest with INIT/SIPI;
# - mem1/mem2: EPT isolation, each writes and re-verifies its whole RAM with
#   its own pattern while the other does the same;
# - cpu: CPUID, port I/O, MSRs (#GP on unknown), VMCALL, LAPIC, HLT wake-ups;
# - oob: a read outside RAM and devices stops that VM (reason=fault);
# - triple: a triple fault stops that VM (reason=fault);
# - four bad module lines get HV ERROR vm=<name> and do not stop the others.
# The machine powers off by itself when every VM has stopped.
# timeout: 600
. "$(dirname "$0")/lib.sh"
boot_init
guest smp "vm=smp vcpus=3 mem=16M -- test=smp,hlt cpus=3 hv=1"
guest mem1 "vm=mem1 vcpus=1 mem=24M -- test=mem pattern=0x5a5a1234 hv=1"
guest mem2 "vm=mem2 vcpus=1 mem=24M -- test=mem pattern=0xa5a5fedc hv=1"
guest cpu "vm=cpu vcpus=1 mem=8M -- test=selftest,cpuid,pio,msr,vmcall,apic,hlt hv=1"
guest oob "vm=oob vcpus=1 mem=8M -- test=oob hv=1"
# Not under Bochs' AMD model: Bochs panics on a triple fault in an SVM
# guest (tests/boot/lib.sh); QEMU's AMD-V run has it.
[ "$HV_TEST_EMU" = bochs-svm ] || guest triple "vm=triple vcpus=1 mem=8M -- test=cpuid,triple hv=1"
guest bad1 "vm=bad1 vcpus=0 mem=8M"
guest bad2 "vm=bad2 vcpus=1 mem=64G"
guest bad3 "vm=bad3 vcpus=1 mem=8M colour=blue"
head -c 4096 /dev/zero | tr '\0' 'x' > "$OUT/junk.bin"
GUEST_MODS+=(-m "$OUT/junk.bin vm=junk vcpus=1 mem=8M")
need_iso "${GUEST_MODS[@]}"
run_hv --iso "$ISO" --cpus 2
expect_vm_pass smp mem1 mem2 cpu
# The triple fault stops its VM, after the backend's state dump.
TRIPLE=(--expect '^\[triple\] TEST triple RUNNING' --expect '^HV VM triple stopped reason=fault$')
if [ "$HV_TEST_EMU" = bochs-svm ]; then
	TRIPLE=()
elif [ "$BACKEND" = vmx ]; then
	TRIPLE+=(--expect 'vm triple vcpu0: exit reason 2 \(triple-fault\)')
else
	TRIPLE+=(--expect 'vm triple vcpu0: exit code 0x7f \(shutdown\)')
fi
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' \
	--expect '^HV ERROR vm=bad1 vcpus' --expect '^HV ERROR vm=bad2 mem=' \
	--expect "^HV ERROR vm=bad3 unknown option 'colour=blue'" \
	--expect '^HV ERROR vm=junk not a kernel' --expect-count 4 '^HV ERROR' \
	"${CHECKS[@]}" \
	--expect '^\[smp\] INFO smp cpus=3 .*started=2' \
	--expect '^\[oob\] TEST oob RUNNING' --forbid '^\[oob\] TEST oob FAIL' \
	--expect '^HV VM oob stopped reason=fault$' \
	--expect 'vm oob: access outside RAM and devices at gpa 0xc0000000' "${TRIPLE[@]}" \
	--expect 'summary: vm mem1 vcpu0 run' --expect "^\\[[ .0-9]+\\] cpu0: $BACKEND: on: "
pass
