#!/usr/bin/env bash
# The main job on a fresh machine: install, then for each config (default: SSPL
# w/ PCM, SSPL w/o PCM and EZ-VSL beside it) train on the built-in synthetic dataset
# (the config builds the dataset and its synthetic backbone on first use),
# evaluate the checkpoint chosen on the val split on the test split with every
# protocol, next to the centre prior and the same checkpoint with swapped
# audio; one table of all of them, a grid of test overlays, and their paths.
#   bash tools/run_demo.sh                                   # the default three
#   CONFIGS=configs/sspl_w_pcm_synthetic.py bash tools/run_demo.sh
# Uses the GPU when there is one (the runner picks it), else the CPU. With a
# CUDA GPU and torchvision's ImageNet VGG16 weights (cached or downloadable),
# and no CONFIGS given, it trains the *_synthetic_imagenet.py configs (the
# published visual backbone at 224 px) instead of the stand-in.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)

bash tools/install.sh
PY=.venv/bin/python
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning,ignore::FutureWarning}"

if [ -z "${CONFIGS:-}" ]; then
  if $PY tools/synthetic/imagenet_vgg16_available.py; then
    CONFIGS="configs/sspl_w_pcm_synthetic_imagenet.py configs/sspl_wo_pcm_synthetic_imagenet.py configs/ezvsl/ezvsl_synthetic.py"
  else
    # SSPL, and EZ-VSL beside it: the toolbox's best method on this set
    # (docs/synthetic.md)
    CONFIGS="configs/sspl_w_pcm_synthetic.py configs/sspl_wo_pcm_synthetic.py configs/ezvsl/ezvsl_synthetic.py"
    # the same models tested on the extended split (the test clips and as many
    # negatives: silent clips, clips whose sounding class no object has)
    EXTENDED_CONFIGS="${EXTENDED_CONFIGS:-configs/sspl/sspl-w-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px-extended.py configs/sspl/sspl-wo-pcm_vgg16-tiny-vggish-tiny_1xb32-10e_synthetic-112px-extended.py}"
  fi
fi
# EXTENDED_CONFIGS (optional): one per config, in the same order, the config's
# extended-split twin; its test adds the extended protocol (AP, max-F1) and the
# precision-recall curves
read -r -a EXTENDED <<< "${EXTENDED_CONFIGS:-}"
INDEX=0
OUT="${OUT:-work_dirs/main_job}"
mkdir -p "$OUT"
echo "== configs: $CONFIGS (results: $OUT)"
LABELS=()
RESULTS=()
for CONFIG in $CONFIGS; do
  NAME="$(basename "$CONFIG" .py)"
  WORK_DIR="$OUT/$NAME"
  STEP_START=$(date +%s)
  echo "== training $CONFIG (log: $WORK_DIR)"
  mkdir -p "$WORK_DIR"
  TRAIN_LOG="$WORK_DIR/train_console.log"
  set +e
  $PY tools/train.py "$CONFIG" --work-dir "$WORK_DIR" 2>&1 | tee "$TRAIN_LOG" | \
    grep --line-buffered -E "Epoch\(val\)|best checkpoint|does not exist: building|synthetic dataset: generating|wrote the synthetic"
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
  echo "-- trained in $(( $(date +%s) - STEP_START )) s; checkpoint chosen on val: $BEST"
  echo "== test split: $BEST (overlays: $WORK_DIR/test/overlays)"
  $PY tools/test.py "$CONFIG" "$BEST" --work-dir "$WORK_DIR/test" --show-dir overlays \
    2>&1 | sed -n '/^Test results/,$p'
  echo "-- does it use the audio? the same checkpoint, each clip given another class's audio"
  $PY tools/test.py "$CONFIG" "$BEST" --work-dir "$WORK_DIR/test_swapped_audio" --swap-audio \
    2>&1 | grep -E "^ *(cIoU|pointing_game|mean_cIoU|AUC):" || true
  LABELS+=("$WORK_DIR/test=$NAME" "$WORK_DIR/test_swapped_audio=$NAME, audio swapped")
  RESULTS+=("$WORK_DIR/test" "$WORK_DIR/test_swapped_audio")
  if [ -n "${EXTENDED[$INDEX]:-}" ]; then
    echo "-- the extended split (test clips + negatives): ${EXTENDED[$INDEX]}"
    $PY tools/test.py "${EXTENDED[$INDEX]}" "$BEST" --work-dir "$WORK_DIR/test_extended" \
      2>&1 | sed -n '/^Test results/,$p'
    LABELS+=("$WORK_DIR/test_extended=$NAME")
    RESULTS+=("$WORK_DIR/test_extended")
  fi
  INDEX=$((INDEX + 1))
done

FIRST="${CONFIGS%% *}"
echo "== the centre prior (the same centred map for every clip) on the same test split"
$PY tools/analysis/center_prior.py "$FIRST" --split test --work-dir "$OUT/center_prior" \
  --out "$OUT/center_prior/metrics.json" | tail -n 3
LABELS+=("$OUT/center_prior=centre prior")
RESULTS+=("$OUT/center_prior")
if [ -n "${EXTENDED[0]:-}" ]; then
  $PY tools/analysis/center_prior.py "${EXTENDED[0]}" --split test \
    --work-dir "$OUT/center_prior_extended" --out "$OUT/center_prior_extended/metrics.json" >/dev/null
  LABELS+=("$OUT/center_prior_extended=centre prior")
  RESULTS+=("$OUT/center_prior_extended")
fi

echo "== one table (test split; every protocol's figures: docs/evaluation.md)"
$PY tools/analysis/leaderboard.py "${RESULTS[@]}" --out-dir "$OUT" --name leaderboard \
  --label "${LABELS[@]}" \
  --columns 'pointing/pointing_game' 'fixed/cIoU' 'fixed/AUC' 'fixed/mean_cIoU' \
  'median/cIoU' 'median/AUC' 'extended/AP' 'extended/max_F1'

GRIDS=()
for CONFIG in $CONFIGS; do
  NAME="$(basename "$CONFIG" .py)"
  echo "== a grid of test overlays of $NAME (16 clips evenly spaced by name, not by score)"
  $PY tools/analysis/overlay_grid.py "$OUT/$NAME/test/overlays" \
    --out "$OUT/grid_${NAME}.png" --title "$NAME, test split"
  GRIDS+=("$OUT/grid_${NAME}.png")
done
FIRST_NAME="$(basename "$FIRST" .py)"
echo "== done in $(( $(date +%s) - START )) s"
echo "table:    $OUT/leaderboard.md (curves: $OUT/leaderboard_success_rate.png, $OUT/leaderboard_precision_recall.png)"
echo "grids:    ${GRIDS[*]}"
echo "the page: python tools/demo/app.py $FIRST $(ls -t "$OUT/$FIRST_NAME"/best_*.pth | head -n 1)"
