"""Shared helpers: the installed console script, and linting in-memory sources; the guard
that keeps the fast test tier free of processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# Two tiers (docs/development.md): ``pytest -m "not integration"`` is the inner loop, the
# analysis run in-process; ``bash scripts/test.sh`` runs everything, and is what CI runs.
# A test that starts a process -- the console script (run_cli), flake8, pre-commit, the
# language server, Chromium, Neovim, mkdocs, a build, even ``python -c`` -- must be marked
# ``@pytest.mark.integration``: an unmarked test that starts any program but git fails on
# the spot, in every run (CI included), so the fast tier cannot quietly grow slow again.
# git is allowed because the linter itself asks it which files are tracked and which
# commit HEAD is, and the diff and baseline tests make small repositories with it.
# The guard is an audit hook (PEP 578): it sees every subprocess.Popen -- subprocess.run,
# asyncio's subprocesses, ``from subprocess import Popen`` -- plus os.system, os.posix_spawn
# and the os.exec* calls. It does not see a multiprocessing pool start its workers: the
# linter's own pool (a fork of this process) may run; the one test with a "spawn" pool (a
# fresh interpreter, tests/test_properties.py) is marked by hand.
FAST_TIER_PROGRAMS = frozenset({"git"})
_SPAWN_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.exec"})


class ProcessGuard:
    """Which test is running unmarked (None: an integration test, or between tests), and the
    programs it tried to start."""

    def __init__(self) -> None:
        self.test: str | None = None
        self.refused: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in _SPAWN_EVENTS or self.test is None:
            return
        program = _program(event, args)
        if os.path.basename(program) in FAST_TIER_PROGRAMS:
            return
        self.refused.append(program)
        pytest.fail(
            f"{self.test} started {program!r}, but only tests marked @pytest.mark.integration may "
            f"start a process (git aside): mark it, or test the code in-process",
            pytrace=False,
        )


def _program(event: str, args: tuple[Any, ...]) -> str:
    """The program a spawn audit event starts (``os.system``: its command line)."""
    if event == "os.system":
        return os.fsdecode(args[0])
    executable, argv = args[0], args[1]
    if event == "subprocess.Popen" and executable is None:
        if isinstance(argv, (str, bytes, os.PathLike)):
            executable = os.fsdecode(argv).split()[0] if os.fsdecode(argv).strip() else ""
        else:
            executable = argv[0] if argv else ""
    return os.fsdecode(executable)


PROCESS_GUARD = ProcessGuard()
sys.addaudithook(PROCESS_GUARD)  # once: conftest.py is imported once per run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Guard setup, call and teardown of every test not marked integration (its fixtures too,
    even module- and session-scoped ones it is the first to need)."""
    PROCESS_GUARD.test = None if item.get_closest_marker("integration") else item.nodeid
    PROCESS_GUARD.refused.clear()
    try:
        yield
    finally:
        PROCESS_GUARD.test = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A refused start whose failure was swallowed (a broad ``except``, another thread) still
    fails the test (its setup, call or teardown: whichever phase it happened in)."""
    outcome = yield
    report = outcome.get_result()
    refused = list(PROCESS_GUARD.refused)
    PROCESS_GUARD.refused.clear()  # reported once
    if refused and report.passed:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} started {', '.join(map(repr, refused))}, but only tests marked "
            "@pytest.mark.integration may start a process (git aside)"
        )


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
