#!/usr/bin/env bash
# Runs the whole test suite in a virtual environment of its own (default .venv-test),
# after installing the package with its test extras. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${MLFLOW_LINT_TEST_VENV:-.venv-test}"

"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 10):
    sys.exit(f"mlflow-lint needs Python >= 3.10 (found {sys.version.split()[0]}); set PYTHON=python3.11")
PY

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
exec "$VENV/bin/python" -m pytest "$@"
