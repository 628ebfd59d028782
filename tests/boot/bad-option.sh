#!/usr/bin/env bash
# Unknown options and bad values on the hypervisor command line are warned
# about, naming the offending token, and ignored: the boot still completes.
# timeout: 300
. "$(dirname "$0")/lib.sh"
boot_init
run_qemu --kernel "$HV_ELF" --cpus 1 --append "bogus=1 loglevel=banana"
check_boot 1 \
	--expect "(unknown|bad|invalid|ignor|warn).*'bogus(=1)?'" \
	--expect "(unknown|bad|invalid|ignor|warn).*'loglevel(=banana)?'"
pass
