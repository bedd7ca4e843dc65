#!/usr/bin/env bash
# Install sspl and the tested stack into a virtual environment (default: .venv in
# the repository). Idempotent: a second run only checks that everything is there.
#   bash tools/install.sh            # runtime + optional extras (h5py, PyAV)
#   bash tools/install.sh demo       # ... plus the web page's Gradio (tools/demo/app.py)
#   bash tools/install.sh tests      # ... plus what the tests need (the web page's too)
# VENV=/path/to/venv overrides the location; PYTHON picks the interpreter.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
EXTRAS="optional"
[ "${1:-}" = "demo" ] && EXTRAS="optional,demo"
# The tests cover the web page too (its browser test skips where no chromium is installed).
[ "${1:-}" = "tests" ] && EXTRAS="optional,tests,demo"

if [ ! -x "$VENV/bin/python" ]; then
  echo "[install] creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.sspl-installed-$EXTRAS"
if [ -f "$STAMP" ] && [ "$STAMP" -nt "$ROOT/setup.py" ] && \
   [ -z "$(find "$ROOT/requirements" -newer "$STAMP" -print -quit)" ]; then
  echo "[install] $VENV is up to date"
  exit 0
fi
pip_install() {
  # (pip's warnings about this machine's local package mirrors are noise)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}
echo "[install] installing the tested stack (torch, torchvision, torchaudio, mmengine) into $VENV"
pip_install -r "$ROOT/requirements/tested.txt"
pip_install -e "$ROOT[$EXTRAS]"
# Fail now, not in the middle of a run, if torchvision does not match torch.
"$VENV/bin/python" -c "import torch, torchvision, torchaudio, mmengine, sspl; \
print('[install] torch', torch.__version__, 'torchvision', torchvision.__version__, \
'torchaudio', torchaudio.__version__, 'mmengine', mmengine.__version__, 'sspl', sspl.__version__)"
touch "$STAMP"
