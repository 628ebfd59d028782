#!/usr/bin/env bash
# Every Bochs CPU model with VT-x (issue 14): one short boot each with 1
# pCPU and a 2-vCPU test kernel (CPUID, MSRs, LAPIC, ports, VMCALL, HLT,
# INIT/SIPI, a few hostile checks). The models with EPT and unrestricted
# guest must run it; corei5_lynnfield_750 (EPT, no unrestricted guest)
# must be refused with an HV ERROR naming what it lacks, and power off.
# The vmx: line of each boot (features on and off) is kept in the log.
# Set MODELS="a b" to run some only.
# timeout: 900
. "$(dirname "$0")/lib.sh"
boot_init
MODELS=${MODELS:-"tigerlake corei7_icelake_u corei3_cnl corei7_skylake_x broadwell_ult corei7_haswell_4770 corei5_lynnfield_750"}
guest tk "vm=tk vcpus=2 mem=8M -- test=cpuid,msr,apic,pio,vmcall,hlt,smp,cr4,pku,insn,xsetbv,msr_canon,initsipi cpus=2 hv=1"
need_iso "${GUEST_MODS[@]}"
base=$LOG
for model in $MODELS; do
	LOG=$OUT/$model.serial.log
	run_bochs --iso "$ISO" --cpus 1 --model "$model" --megs 256
	say "$model: $(grep -a 'vmx: on:' "$LOG" | sed 's/.*vmx: //' | tr -d '\r')"
	case $model in
	corei5_lynnfield_750)
		check_log --expect '^HV ERROR .*VMX: missing required features: .*unrestricted guest' \
			--expect '^HV POWEROFF$' --forbid '^HV VM ' ;;
	*)
		expect_vm_pass tk
		check_log --expect '^HV READY pcpus=1$' --then '^HV POWEROFF$' --forbid '^HV ERROR' \
			"${CHECKS[@]}"
		CHECKS=() ;;
	esac
done
LOG=$base
pass
