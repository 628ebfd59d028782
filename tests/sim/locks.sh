#!/bin/sh
# The guest mechanisms the policies react to, seen in the counters:
# pv locks halt after their spin threshold and are kicked awake by the
# unlocker; a spin longer than the PLE window exits (SCHED_HINT_SPIN) and
# free yields to a preempted sibling (directed yield), which free.dyield=off
# turns off; --hints spin sends LHV_SPIN reports; --hints cs lets pdelay tell
# the guest (yields on time); per-VM workloads report their own throughput.
. "$(dirname "$0")/lib.sh"
sim --pcpus 4 --vms 4,4 --sched free --lock pv --seconds 5
expect "pv: $(get pv_halts) PV halts, $(get kicks) kicks" "$(get pv_halts) > 0 && $(get kicks) == $(get pv_halts)"
expect "pv: halting waiters burn less: spin_frac $(get spin_frac) < 0.5" "$(get spin_frac) < 0.5"
sim --pcpus 4 --vms 4,4 --sched free --ple 2us --seconds 5
expect "ple: $(get spin_exits) PAUSE-loop exits, $(get directed_yields) directed yields" \
	"$(get spin_exits) > 1000 && $(get directed_yields) > 1000"
sim --pcpus 4 --vms 4,4 --sched free --ple 2us --seconds 5 --knob free.dyield=off
expect "ple, free.dyield=off: $(get spin_exits) exits, $(get directed_yields) directed yields" \
	"$(get spin_exits) > 1000 && $(get directed_yields) == 0"
sim --pcpus 4 --vms 4,4 --sched free --hints spin --seconds 5
expect "hints spin: $(get spin_reports) LHV_SPIN reports" "$(get spin_reports) > 0"
sim --pcpus 4 --vms 4,4 --sched gang --hints spin --seconds 5
expect "hints spin under gang: no long spins, $(get spin_reports) reports" "$(get spin_reports) == 0"
sim --pcpus 4 --vms 4:spin,2:cpu,2:barrier --sched free --seconds 5
expect "workloads: spin $(vm_get 0 workload) $(vm_get 0 throughput) cs" "$(vm_get 0 throughput) == $(vm_get 0 cs) && $(vm_get 0 cs) > 0"
expect "workloads: cpu $(vm_get 1 workload) $(vm_get 1 throughput) chunks, no cs" "$(vm_get 1 throughput) > 1000 && $(vm_get 1 cs) == 0"
expect "workloads: barrier $(vm_get 2 workload) $(vm_get 2 throughput) phases of $(vm_get 2 phase_ms) ms" \
	"$(vm_get 2 throughput) > 10 && $(vm_get 2 phase_ms) >= 100"
finish
