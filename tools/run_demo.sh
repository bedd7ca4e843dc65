#!/usr/bin/env bash
# The main job on a fresh machine: install, build the synthetic dataset, pretrain
# the small visual backbone on it (the ImageNet stand-in), train SSPL w/ PCM,
# evaluate the best checkpoint on the test split next to the centre-prior
# baseline, and write heatmap overlays.
#   bash tools/run_demo.sh                                   # SSPL w/ PCM
#   CONFIG=configs/sspl_wo_pcm_synthetic.py bash tools/run_demo.sh
# Uses the GPU when there is one (the runner picks it), else the CPU. With a
# CUDA GPU and torchvision's ImageNet VGG16 weights (cached or downloadable),
# and no CONFIG given, it trains configs/sspl_w_pcm_synthetic_imagenet.py
# (the published visual backbone at 224 px) instead of the stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)

bash tools/install.sh
PY=.venv/bin/python
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::FutureWarning}"

if [ -z "${CONFIG:-}" ]; then
  if $PY tools/synthetic/imagenet_vgg16_available.py; then
    CONFIG=configs/sspl_w_pcm_synthetic_imagenet.py
  else
    CONFIG=configs/sspl_w_pcm_synthetic.py
  fi
fi
NAME="$(basename "$CONFIG" .py)"
WORK_DIR="${WORK_DIR:-work_dirs/$NAME}"
echo "== config: $CONFIG"

echo "== 1/5 synthetic dataset"
$PY tools/data/make_synthetic.py "$CONFIG"
echo "== 2/5 visual backbone pretraining on the synthetic object classes (unless ImageNet)"
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
echo "== 4/5 test split: best checkpoint (selected on the val split), the centre prior, swapped audio"
$PY tools/test.py "$CONFIG" "$BEST" --work-dir "$WORK_DIR/test" --show-dir overlays \
  2>&1 | sed -n '/^Test results/,$p'
$PY tools/analysis/center_prior.py "$CONFIG" --split test --out "$WORK_DIR/test/center_prior.json"
echo "-- does it use the audio? the same checkpoint with each clip's audio swapped for another class's"
$PY tools/analysis/audio_swap.py "$CONFIG" "$BEST" --split test --out "$WORK_DIR/test/audio_swap.json" \
  2>&1 | grep -E "own audio|swapped audio"
echo "== 5/5 done in $(( $(date +%s) - START )) s"
echo "checkpoint: $BEST"
echo "overlays:   $WORK_DIR/test/overlays"
