#!/usr/bin/env bash
# Hostile guests beside a witness, under Bochs (VT-x) with 2 pCPUs
# (docs/testkern.md "Hostile tests"; issue 14):
# - hostile: 2 vCPUs running every hostile test that comes back (CR/DR/
#   XSETBV/PKU, instructions not offered, CPUID and MSR sweeps, canonical
#   checks, paravirtual MSRs at bad addresses, port sweeps, MMIO in every
#   decoded form, ESR, x2APIC, LAPIC timer and PIT at their extremes, I/O
#   APIC entries with reserved modes or missing targets, INIT/SIPI back to
#   back and in storms, a real-mode #GP, IPIs in every mode and shorthand,
#   TSC writes, PAE paging, task switches): each behaves as on hardware;
# - triple3: all 3 vCPUs triple-fault at once -> reason=fault;
# - storm: power-off (ACPI S5) in the middle of an IPI/NMI storm -> poweroff;
# - mmiolock, mmioinc, mmiomovs: MMIO forms lhv does not decode -> error;
# - witness: writes and verifies its RAM, CPUID/MSR/VMCALL/HLT checks,
#   and must finish unharmed.
# Always: no HV PANIC, HV POWEROFF reached.
# timeout: 900
. "$(dirname "$0")/lib.sh"
boot_init
guest witness "vm=witness vcpus=1 mem=16M -- test=mem,cpuid,msr,vmcall,hlt pattern=0x3c3c7e7e hv=1"
guest hostile "vm=hostile vcpus=2 mem=16M -- test=hostile cpus=2 hv=1"
guest triple3 "vm=triple3 vcpus=3 mem=8M -- test=triple_all cpus=3 hv=1"
guest storm "vm=storm vcpus=3 mem=8M -- test=poweroff_storm cpus=3 hv=1"
guest mmiolock "vm=mmiolock vcpus=1 mem=8M -- test=mmio_bad mmio_bad=lock hv=1"
guest mmioinc "vm=mmioinc vcpus=1 mem=8M -- test=mmio_bad mmio_bad=inc hv=1"
guest mmiomovs "vm=mmiomovs vcpus=1 mem=8M -- test=mmio_bad mmio_bad=movs hv=1"
need_iso "${GUEST_MODS[@]}"
run_bochs --iso "$ISO" --cpus 2
expect_vm_pass witness hostile
check_log --expect '^HV READY pcpus=2$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
	"${CHECKS[@]}" \
	--expect '^\[hostile\] TEST sipi_storm PASS' \
	--expect '^\[triple3\] TEST triple_all RUNNING' --expect '^HV VM triple3 stopped reason=fault$' \
	--expect '^\[storm\] TEST poweroff_storm RUNNING' --expect '^HV VM storm stopped reason=poweroff$' \
	--expect '^\[mmiolock\] TEST mmio_bad RUNNING' --expect '^HV VM mmiolock stopped reason=error$' \
	--expect '^\[mmioinc\] TEST mmio_bad RUNNING' --expect '^HV VM mmioinc stopped reason=error$' \
	--expect '^\[mmiomovs\] TEST mmio_bad RUNNING' --expect '^HV VM mmiomovs stopped reason=error$' \
	--forbid '^\[(triple3|storm|mmio[a-z]+)\] TEST [a-z_]+ FAIL'
check_stacks
pass
