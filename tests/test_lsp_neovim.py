"""The language server under a real editor: headless Neovim's built-in LSP client (0.7+).

Neovim starts ``mlflow-lint server`` with ``vim.lsp.start_client`` (what an editor
configuration does, without nvim-lspconfig), opens a file, waits for the diagnostics,
asks for the code actions of one and applies its "Fix:" edit with Neovim's own
``apply_workspace_edit``, waits for the diagnostics of the edited buffer, asks for a hover,
and writes everything it saw as JSON. Without ``nvim`` the test is skipped (it fails
under CI=true, where ``scripts/test.sh`` installs Debian's ``neovim``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.catalog import load_catalog

from .conftest import FIXTURES

# Every test here drives the language server from Neovim: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

pytest.importorskip("pygls")

MINIMUM = (0, 7)
CATALOG = load_catalog()

# Runs after startup (-c "luafile ..."): every step waits with vim.wait, which keeps
# Neovim's event loop (and so the LSP client) running.
SCRIPT = r"""
local out = vim.env.MLFLOW_LINT_OUT
local function finish(result, code)
  vim.fn.writefile({ vim.fn.json_encode(result) }, out)
  vim.cmd(code == 0 and "qall!" or "cquit! " .. code)
end

local function collect(bufnr)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(found, {
      code = d.code, lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, message = d.message,
      href = (lsp.codeDescription or {}).href, data = lsp.data,
    })
  end
  return found
end

local function count(bufnr, code)
  local n = 0
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == code then n = n + 1 end
  end
  return n
end

local ok, problem = pcall(function()
  local result = {}
  local root = vim.env.MLFLOW_LINT_ROOT
  local client_id = vim.lsp.start_client({
    name = "mlflow-lint",
    cmd = vim.fn.json_decode(vim.env.MLFLOW_LINT_SERVER),
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = "project" } },
  })
  assert(client_id, "vim.lsp.start_client failed")
  vim.cmd("edit " .. vim.fn.fnameescape(vim.env.MLFLOW_LINT_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  assert(vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50), "no diagnostics within 60 s")
  result.diagnostics = collect(bufnr)

  -- The code actions of the first MLF902 finding; apply the safe fix.
  local target
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code == "MLF902" and (target == nil or d.lnum < target.lnum) then target = d end
  end
  assert(target, "no MLF902 diagnostic")
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = target.lnum, character = target.col }, ["end"] = { line = target.end_lnum, character = target.end_col } },
    -- As vim.lsp.buf.code_action() does: the line's diagnostics in LSP form.
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, target.lnum) },
  }
  local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction", params, 30000) or {}
  local client = vim.lsp.get_client_by_id(client_id)
  result.titles = {}
  local before = count(bufnr, "MLF902")
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(result.titles, action.title)
      if action.title:sub(1, 4) == "Fix:" then
        vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      end
    end
  end
  result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, target.lnum, target.lnum + 1, false)[1]
  -- The edit is a change of the buffer: the server lints it again.
  result.refreshed = vim.wait(60000, function() return count(bufnr, "MLF902") < before end, 50)
  result.after = collect(bufnr)

  local hover = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = result.after[1].lnum, character = result.after[1].col },
  }, 30000) or {}
  for _, response in pairs(hover) do
    if response.result then result.hover = response.result.contents.value end
  end
  client.stop()
  vim.wait(10000, function() return client.is_stopped() end, 50)
  finish(result, 0)
end)
if not ok then finish({ error = tostring(problem) }, 3) end
"""


def nvim_or_skip() -> str:
    """The ``nvim`` binary (0.7 or later); without one the test is skipped, and fails in
    CI (CI=true), where scripts/test.sh installs it (MLFLOW_LINT_TEST_SYSTEM_DEPS=1)."""
    binary = shutil.which("nvim")
    problem = None
    if binary is None:
        problem = "Neovim (nvim) is needed to drive the language server (MLFLOW_LINT_TEST_SYSTEM_DEPS=1 bash scripts/test.sh installs it)"
    else:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
        found = re.search(r"NVIM v(\d+)\.(\d+)", version)
        if found is None or (int(found.group(1)), int(found.group(2))) < MINIMUM:
            problem = f"Neovim {'.'.join(map(str, MINIMUM))} or later is needed for its built-in LSP client (found: {version.splitlines()[0] if version else 'unknown'})"
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    assert binary is not None
    return binary


def run_neovim(binary: str, root: Path, file: Path, tmp_path: Path) -> dict[str, Any]:
    script = tmp_path / "drive.lua"
    script.write_text(SCRIPT)
    out = tmp_path / "result.json"
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "MLFLOW_LINT_ROOT": str(root),
        "MLFLOW_LINT_FILE": str(file),
        "MLFLOW_LINT_OUT": str(out),
        "MLFLOW_LINT_SERVER": json.dumps([sys.executable, "-m", "mlflow_lint", "server"]),
        # Nothing of the user's Neovim: no config, plugins, shada, swap, or logs in ~.
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    command = [binary, "--headless", "--clean", "-n", "-i", "NONE", "-c", f"luafile {script}"]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=240)
    assert out.is_file(), f"Neovim wrote no result (exit {result.returncode}): {result.stderr[-2000:]}"
    data = json.loads(out.read_text())
    assert "error" not in data, data["error"]
    assert result.returncode == 0, result.stderr[-2000:]
    return data


def test_neovim_shows_diagnostics_applies_a_fix_and_hovers(tmp_path: Path) -> None:
    binary = nvim_or_skip()
    root = tmp_path / "project"
    root.mkdir()
    (root / ".git").mkdir()
    before = FIXTURES / "fixes" / "mlflow3_artifact_path.before.py"
    after = (FIXTURES / "fixes" / "mlflow3_artifact_path.after.py").read_text().splitlines()
    target = root / "train.py"
    target.write_text(before.read_text())

    seen = run_neovim(binary, root, target, tmp_path)

    diagnostics = seen["diagnostics"]
    deprecated = sorted((d["lnum"], d["col"], d["end_col"]) for d in diagnostics if d["code"] == "MLF902")
    # Neovim counts lines and columns from 0: the CLI's 11:41-62 is 10:40-61.
    assert deprecated[0] == (10, 40, 61)
    assert len(deprecated) == 5
    for diagnostic in diagnostics:
        assert diagnostic["source"] == "mlflow-lint"
        assert diagnostic["href"] == CATALOG[diagnostic["code"]].docs_uri
        if diagnostic["code"] == "MLF902":
            assert diagnostic["severity"] == 2  # vim.diagnostic.severity.WARN
    assert "Fix: replace `artifact_path` with `name`" in seen["titles"]
    assert "Suppress MLF902 on this line" in seen["titles"]
    assert seen["fixed_line"] == after[10]
    assert seen["refreshed"], "the diagnostics of the fixed buffer did not arrive"
    assert sum(1 for d in seen["after"] if d["code"] == "MLF902") == len(deprecated) - 1
    assert seen["hover"] and "deprecated-in-mlflow-3" in seen["hover"]
    assert target.read_text() == before.read_text()  # the fix went to the buffer, never written
