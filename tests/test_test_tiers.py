"""The two test tiers stay honest (docs/development.md, "Two test tiers").

``pytest -m "not integration"`` is the inner loop: the analysis in-process, no process
started. What keeps it that way is not a timing (timings vary by machine) but the guard in
tests/conftest.py: a test not marked ``integration`` that starts any program but git fails,
in every run, CI's full run included. These tests check that the guard is live, that git
and marked tests pass it, and that nothing quietly deselects the integration tier.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from .conftest import PROCESS_GUARD, ROOT, run_cli

REFUSED = pytest.fail.Exception  # what the guard raises where the process would start


def test_an_unmarked_test_cannot_start_the_console_script_or_a_tool() -> None:
    with pytest.raises(REFUSED, match=re.escape("only tests marked @pytest.mark.integration may start a process")):
        run_cli("--version")
    with pytest.raises(REFUSED, match="python"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    with pytest.raises(REFUSED, match="flake8"):
        subprocess.Popen(["flake8", "--version"])  # refused before the program is even looked up
    with pytest.raises(REFUSED):
        subprocess.run("echo hi", shell=True, check=False)  # noqa: S602 - the guard must see a shell start too
    with pytest.raises(REFUSED):
        os.system("true")  # noqa: S605 - the guard must see os.system too
    shown = [os.path.basename(program) for program in PROCESS_GUARD.refused]
    assert shown == ["mlflow-lint", os.path.basename(sys.executable), "flake8", "sh", "true"]
    PROCESS_GUARD.refused.clear()  # provoked on purpose (the report is made before any teardown)


def test_a_refusal_caught_by_the_test_still_fails_it() -> None:
    """A broad ``except`` (or a thread) cannot hide a started process: the refusal is recorded,
    and pytest_runtest_makereport turns the passed test into a failure."""
    PROCESS_GUARD.refused.clear()
    try:  # noqa: SIM105 - spelt out: the swallowing this test is about
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    except BaseException:  # noqa: BLE001 - on purpose: a broad except that hides the refusal
        pass
    assert PROCESS_GUARD.refused == [sys.executable]
    PROCESS_GUARD.refused.clear()  # this test provoked it on purpose


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_is_allowed_in_the_fast_tier() -> None:
    """The linter asks git which files are tracked; the diff and baseline tests make repositories."""
    assert subprocess.run(["git", "--version"], capture_output=True, check=False).returncode == 0
    assert PROCESS_GUARD.refused == []


@pytest.mark.integration
def test_an_integration_test_may_start_processes() -> None:
    assert PROCESS_GUARD.test is None
    assert subprocess.run([sys.executable, "-c", "pass"], check=False).returncode == 0


def test_the_marker_is_registered_and_markers_are_strict(pytestconfig: pytest.Config) -> None:
    addopts = pytestconfig.getini("addopts")
    assert "--strict-markers" in addopts  # a misspelt @pytest.mark.integratoin fails collection
    assert "-m" not in addopts  # a plain pytest run is everything
    assert any(marker.startswith("integration:") for marker in pytestconfig.getini("markers"))


def test_ci_runs_everything() -> None:
    """CI runs ``bash scripts/test.sh``, which hands its arguments to pytest and selects nothing."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci and "integration" not in ci
    assert "integration" not in script
    runs = [line.strip() for line in script.splitlines() if "-m pytest" in line]
    assert runs == ['exec "$VENV/bin/python" -m pytest "$@"']


def test_the_development_page_documents_both_tiers() -> None:
    page = (ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    assert 'pytest -m "not integration"' in page
    assert "bash scripts/test.sh" in page
