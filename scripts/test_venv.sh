# Sourced by scripts/test.sh and scripts/fuzz.sh: checks the Python version, then makes the
# test virtual environment ($MLFLOW_LINT_TEST_VENV, default .venv-test) and installs the
# package with its test extras into it (skipped with MLFLOW_LINT_SKIP_INSTALL=1).
# Leaves PYTHON and VENV set.
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
if [ "${MLFLOW_LINT_SKIP_INSTALL:-0}" != "1" ]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
fi
