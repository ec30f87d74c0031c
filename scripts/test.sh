#!/usr/bin/env bash
# Runs the whole test suite in a virtual environment of its own (default .venv-test),
# after installing the package with its test extras. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/test_venv.sh

# Microsoft's SARIF Multitool checks every SARIF file the tests write (tests/test_sarif.py).
# The npm package carries a self-contained .NET binary; it is installed once into .tools/.
# A failed install is not fatal here: the SARIF tests then skip locally and fail under CI=true.
MULTITOOL_VERSION="5.7.0"
MULTITOOL_PACKAGE=".tools/node_modules/@microsoft/sarif-multitool/package.json"
if ! grep -q "\"version\": *\"$MULTITOOL_VERSION\"" "$MULTITOOL_PACKAGE" 2>/dev/null; then
  if command -v npm >/dev/null 2>&1; then
    npm install --prefix .tools --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >&2 \
      || echo "warning: could not install @microsoft/sarif-multitool $MULTITOOL_VERSION" >&2
  else
    echo "warning: npm not found; the SARIF Multitool tests cannot run" >&2
  fi
fi
# The package's postinstall does only this; npm may skip install scripts.
chmod u+x .tools/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true

# Headless Chromium renders the HTML audit report (tests/test_audit.py). Installed from
# Debian's archive only when missing; without it that test skips locally and fails under CI=true.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo -n"; fi
  if command -v apt-get >/dev/null 2>&1; then
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium; } >&2 \
      || echo "warning: could not install chromium; the audit rendering test cannot run" >&2
  else
    echo "warning: apt-get not found; install chromium for the audit rendering test" >&2
  fi
fi

exec "$VENV/bin/python" -m pytest "$@"
