#!/usr/bin/env bash
# Bochs (VT-x CPU model tigerlake), GRUB ISO, 4 pCPU(s): every pCPU comes
# online with its own APIC ID, the memory map and the TSC frequency are
# logged, "HV READY pcpus=4", then a clean "HV POWEROFF".
# timeout: 600
. "$(dirname "$0")/lib.sh"
boot_init
need_iso
run_bochs --iso "$ISO" --cpus 4
check_boot 4
pass
