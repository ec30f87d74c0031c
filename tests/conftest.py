"""Shared helpers: the installed console script, and linting in-memory sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import resolve_selection
from mlflow_lint.engine import lint_bytes
from mlflow_lint.project import ProjectIndex

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def _result_cache_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every mlflow-lint the tests start keeps its result cache in a temporary directory,
    not in the fixture trees (tests of the default location unset the variable)."""
    os.environ["MLFLOW_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("mlflow-lint-cache"))


def console_script() -> str:
    """The ``mlflow-lint`` entry point installed next to this interpreter."""
    candidate = Path(sys.executable).parent / "mlflow-lint"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("mlflow-lint")
    if found is None:
        pytest.fail("the mlflow-lint console script is not installed (run scripts/test.sh)")
    return found


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [console_script(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def all_rules() -> frozenset[str]:
    return resolve_selection(load_catalog(), None)


def lint_source(source: str, filename: str = "example.py", tmp_path: Path | None = None) -> list:
    """Lint an in-memory module with every default rule (no other project files)."""
    path = (tmp_path or Path("/nonexistent")) / filename
    return lint_bytes(source.encode("utf-8"), filename, all_rules(), path=path, project=ProjectIndex(None))


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative name -> text or bytes) under ``root``; returns ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


TRACKING_URI_MODULE = 'import mlflow\n\nmlflow.set_tracking_uri("{}")\n'


def inconsistent_uri_project(root: Path) -> Path:
    """A git project whose a.py and b.py share one tracking URI and c.py sets another:
    MLF102 on c.py, until b.py switches to c's URI."""
    (root / ".git").mkdir(parents=True)
    hosts = {"a.py": "a", "b.py": "a", "c.py": "c"}
    return write_files(root, {name: TRACKING_URI_MODULE.format(f"https://{host}.example.com") for name, host in hosts.items()})


def ipynb(*cells: str) -> str:
    """A Python Jupyter notebook of code cells, pretty-printed as Jupyter saves it: each
    line of a cell's source on a line of the file of its own."""
    import json

    code = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell.splitlines(keepends=True)}
        for cell in cells
    ]
    document = {"cells": code, "metadata": {"kernelspec": {"language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


def file_line(path: Path, text: str) -> int:
    """The 1-based line of the file at ``path`` holding ``text`` (once)."""
    (line,) = [number for number, content in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in content]
    return line
