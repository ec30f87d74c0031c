#!/usr/bin/env bash
# Maintainer benchmark (not part of the test suite): installs ruff, semgrep and this checkout
# of mlflow-lint into benchmarks/.venv, then runs bench.py with the given arguments, e.g.
#   bash benchmarks/run.sh --mlflow-tree ../mlflow --small-project ../mlops-zoomcamp --runs 5
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV=benchmarks/.venv

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# Pinned, so numbers from different days compare the same tools.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "ruff==0.17.6" "semgrep==1.182.0"
# Not editable: measure mlflow-lint as users install it (a wheel), rebuilt from this checkout
# on every run so the numbers belong to the current code.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps .
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check .

# Semgrep reads only the local rules file; keep it from contacting semgrep.dev.
export SEMGREP_ENABLE_VERSION_CHECK=0 SEMGREP_SEND_METRICS=off
exec "$VENV/bin/python" benchmarks/bench.py "$@"
