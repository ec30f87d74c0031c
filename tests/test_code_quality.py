"""The project's own code passes its gates: ruff and mypy --strict, as configured in
pyproject.toml ([tool.ruff], [tool.mypy]), with the versions the test extra pins. The same
gates run before a commit (.pre-commit-config.yaml; docs/development.md)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT

pytestmark = pytest.mark.integration  # each test starts a tool


def _tool(name: str) -> str:
    """A console script of the test extra, installed next to this interpreter."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}: the test extra pins it (run scripts/test.sh)")
    return str(path)


def _pinned(package: str) -> str:
    """The version the test extra pins for ``package`` (``package==X`` in pyproject.toml)."""
    found = re.search(rf'"{re.escape(package)}==([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert found is not None, f"pyproject.toml's test extra does not pin {package}"
    return found.group(1)


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing() -> None:
    version = _run(_tool("ruff"), "--version")
    assert version.stdout.split() == ["ruff", _pinned("ruff")], f"not the pinned ruff: {version.stdout}{version.stderr}"
    result = _run(_tool("ruff"), "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, f"ruff check:\n{result.stdout}{result.stderr}"


def test_mypy_strict_finds_nothing(tmp_path: Path) -> None:
    version = _run(_tool("mypy"), "--version")
    assert version.stdout.split()[:2] == ["mypy", _pinned("mypy")], f"not the pinned mypy: {version.stdout}{version.stderr}"
    # The files and the strictness come from [tool.mypy]; a cache of its own, outside the checkout.
    result = _run(_tool("mypy"), "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, f"mypy:\n{result.stdout}{result.stderr}"


def test_the_pre_commit_configuration_runs_the_same_gates() -> None:
    result = _run(_tool("pre-commit"), "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["ruff"]["entry"].split()[:2] == [".venv-test/bin/ruff", "check"]
    assert hooks["mypy"]["entry"] == ".venv-test/bin/mypy" and hooks["mypy"]["pass_filenames"] is False
