#!/usr/bin/env bash
# Install sspl with what the tests need (.venv) and run the whole test suite.
# Extra arguments go to pytest, e.g. bash tools/run_tests.sh tests/test_models -x
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh tests
exec .venv/bin/python -m pytest "$@"
