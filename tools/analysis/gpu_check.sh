#!/usr/bin/env bash
# One GPU check for the whole toolbox, in 8 minutes on one GPU: for each method
# (EZ-VSL, SLAVC, FNAC, SSPL w/ PCM) at its published batch size, fp32 vs bf16
# AMP train and eval throughput with the published computation in the same
# run, peak memory, and a short NaN-free AMP training run. Writes
# OUT/gpu_check.json and OUT/gpu_check.md (the table of docs/benchmark.md).
#
#   bash tools/analysis/gpu_check.sh [--out work_dirs/gpu_check] [--methods ezvsl,fnac]
#   bash tools/analysis/gpu_check.sh --dry-run   # the same steps on a CPU, tiny
#
# The logic is sspl/apis/gpu_check.py; PYTHON selects the interpreter.
# Exit status: 0 when every step ran and every training run was NaN-free.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PYTHON="${PYTHON:-python}"
# The check keeps to its --budget (450 s by default); this is the backstop.
exec timeout --signal=TERM --kill-after=10 "${GPU_CHECK_TIMEOUT:-480}" \
    "$PYTHON" -m sspl.apis.gpu_check "$@"
