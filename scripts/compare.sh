#!/usr/bin/env bash
# Compare scheduling policies on stock Linux guests: every combination of
# policy, guest lock flavour and overcommit boots the same guests under the
# hypervisor (Bochs here), runs the same workloads in each boot, and the
# results land in one folder (docs/experiments.md is the guide).
#
#   scripts/compare.sh [--policies free,gang,...] [--locks tas,qspin,pv]
#                      [--overcommit 1,2] [--workloads NAME,...]
#                      [--workload NAME=PATH[:ARGS]]... [--pcpus P] [--vcpus V]
#                      [--mem 256M] [--kernel generic|cloud] [--secs S]
#                      [--threads N] [--slice MS] [--timeout S] [-j N]
#                      [--out DIR] [--retry] [--dry-run]
#                      [--emit parallel|slurm] [--merge DIR]
#
# Outputs in DIR (default build/compare): results.csv and results.json (one
# row per run, VM and workload; the columns are a contract,
# docs/experiments.md), summary.md (tables normalized to free at 1x, the
# papers' figures beside), plots/*.png (gnuplot), runs/<id>/ per run
# (serial.log, trace.json for ui.perfetto.dev, hist.txt, result.json).
# Finished runs are kept: the same command resumes an interrupted matrix.
# --emit writes the pending runs as a job list for GNU parallel
# (--sshloginfile) or a Slurm array instead; --merge DIR merges afterwards.
# EMU_LOCK=FILE makes every emulator run hold flock(FILE) (shared machines).
# scripts/compare.sh -h lists every option with its default.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { echo "compare.sh: python3 missing (scripts/setup.sh)" >&2; exit 2; }
exec python3 "$ROOT/scripts/compare/compare.py" "$@"
