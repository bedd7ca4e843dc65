#!/usr/bin/env bash
# The main job on a fresh machine: install, build the synthetic dataset, pretrain
# the small visual backbone on it (the ImageNet stand-in), train SSPL w/ PCM,
# evaluate the best checkpoint on the test split next to the centre-prior
# baseline, and write heatmap overlays.
#   bash tools/run_demo.sh                                   # SSPL w/ PCM
#   CONFIG=configs/sspl_wo_pcm_synthetic.py bash tools/run_demo.sh
# Uses the GPU when there is one (the runner picks it), else the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG="${CONFIG:-configs/sspl_w_pcm_synthetic.py}"
NAME="$(basename "$CONFIG" .py)"
WORK_DIR="${WORK_DIR:-work_dirs/$NAME}"
START=$(date +%s)

bash tools/install.sh
PY=.venv/bin/python
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::FutureWarning}"

echo "== 1/5 synthetic dataset"
$PY tools/data/make_synthetic.py "$CONFIG"
echo "== 2/5 visual backbone pretraining on the synthetic object classes"
$PY tools/synthetic/pretrain_backbone.py "$CONFIG"
echo "== 3/5 training $CONFIG (log: $WORK_DIR)"
mkdir -p "$WORK_DIR"
TRAIN_LOG="$WORK_DIR/train_console.log"
set +e
$PY tools/train.py "$CONFIG" --work-dir "$WORK_DIR" 2>&1 | tee "$TRAIN_LOG" | \
  grep --line-buffered -E "Epoch\((train|val)\)|best checkpoint"
STATUS=${PIPESTATUS[0]}
set -e
if [ "$STATUS" -ne 0 ]; then
  tail -n 30 "$TRAIN_LOG" >&2
  echo "training failed (exit $STATUS); full log: $TRAIN_LOG" >&2
  exit "$STATUS"
fi
BEST=$(ls -t "$WORK_DIR"/best_*.pth 2>/dev/null | head -n 1 || true)
if [ -z "$BEST" ]; then
  echo "training produced no best checkpoint; see the log in $WORK_DIR" >&2
  exit 1
fi
echo "== 4/5 test split: best checkpoint (selected on the val split) and the centre prior"
$PY tools/test.py "$CONFIG" "$BEST" --work-dir "$WORK_DIR/test" --show-dir overlays \
  2>&1 | sed -n '/^Test results/,$p'
$PY tools/analysis/center_prior.py "$CONFIG" --split test --out "$WORK_DIR/test/center_prior.json"
echo "== 5/5 done in $(( $(date +%s) - START )) s"
echo "checkpoint: $BEST"
echo "overlays:   $WORK_DIR/test/overlays"
