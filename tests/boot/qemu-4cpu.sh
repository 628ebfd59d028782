#!/usr/bin/env bash
# QEMU (TCG -cpu max, or KVM where usable), GRUB ISO, 4 pCPU(s): same checks
# as the Bochs boots. TCG has no VMX: this covers the boot path, not VT-x.
# timeout: 600
. "$(dirname "$0")/lib.sh"
boot_init
need_iso
run_qemu --iso "$ISO" --cpus 4
check_boot 4
pass
