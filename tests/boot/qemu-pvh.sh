#!/usr/bin/env bash
# QEMU -kernel build/hv.elf: the PVH entry (no GRUB), 2 pCPUs. The fast path.
# timeout: 300
. "$(dirname "$0")/lib.sh"
boot_init
run_qemu --kernel "$HV_ELF" --cpus 2
check_boot 2 --expect '^\[[ 0-9.]+\] cpu0: loader: PVH'
pass
