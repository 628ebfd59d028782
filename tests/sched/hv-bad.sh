#!/usr/bin/env bash
# An unknown sched= policy on the hypervisor command line is an error that
# names it and lists the compiled-in policies; no guest starts and the
# machine powers off.
# timeout: 300
# Each emulator run below the script limit, so a hang still shows its log.
BOOT_TIMEOUT=${BOOT_TIMEOUT:-240}
. "$(dirname "$0")/../boot/lib.sh"

TESTKERN=$BUILD/guest/testkern.elf
boot_init
[ -f "$TESTKERN" ] || fail "$TESTKERN missing (make build/guest/testkern.elf)"
cp "$TESTKERN" "$OUT/a.elf"
need_iso -c "sched=roundrobin" -m "$OUT/a.elf vm=a vcpus=1 mem=16M -- test=cpuid hv=1"
run_hv --iso "$ISO" --cpus 2
check_sched_refused 2 "^HV ERROR unknown scheduler 'roundrobin' \\(available: [a-z]+(, [a-z]+)*\\)\$"
pass
