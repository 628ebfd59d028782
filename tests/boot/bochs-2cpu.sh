#!/usr/bin/env bash
# Bochs (VT-x CPU model tigerlake), GRUB ISO, 2 pCPU(s): every pCPU comes
# online with its own APIC ID, the memory map and the TSC frequency are
# logged, "HV READY pcpus=2", then a clean "HV POWEROFF".
# timeout: 600
. "$(dirname "$0")/lib.sh"
boot_init
need_iso
run_bochs --iso "$ISO" --cpus 2
check_boot 2
pass
