"""Fixture files: every ``# error:`` marker is found on its line, and nothing else is."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths

from .conftest import FIXTURES, all_rules
from .markers import expected_findings

PYTHON_FIXTURES = FIXTURES / "python"
FIXTURE_FILES = sorted(PYTHON_FIXTURES.rglob("*.py"))


@pytest.fixture(scope="module")
def whole_tree() -> dict[str, set[tuple[int, str]]]:
    result = lint_paths([PYTHON_FIXTURES], Config(root=PYTHON_FIXTURES), all_rules(), cwd=PYTHON_FIXTURES, jobs=1)
    found: dict[str, set[tuple[int, str]]] = {}
    for finding in result.findings:
        found.setdefault(finding.path, set()).add((finding.line, finding.rule))
    return found


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(PYTHON_FIXTURES).as_posix())
def test_fixture_markers_match_findings(path: Path, whole_tree: dict[str, set[tuple[int, str]]]) -> None:
    relative = path.relative_to(PYTHON_FIXTURES).as_posix()
    expected = expected_findings(path.read_text(encoding="utf-8"))
    actual = whole_tree.get(relative, set())
    assert sorted(actual - expected) == [], "unexpected findings (line, rule)"
    assert sorted(expected - actual) == [], "expected findings not reported (line, rule)"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(PYTHON_FIXTURES).as_posix())
def test_findings_do_not_depend_on_which_files_are_named(
    path: Path, whole_tree: dict[str, set[tuple[int, str]]]
) -> None:
    relative = path.relative_to(PYTHON_FIXTURES).as_posix()
    alone = lint_paths([path], Config(root=PYTHON_FIXTURES), all_rules(), cwd=PYTHON_FIXTURES, jobs=1)
    assert {(f.line, f.rule) for f in alone.findings} == whole_tree.get(relative, set())


def test_fixtures_cover_every_implemented_rule(whole_tree: dict[str, set[tuple[int, str]]]) -> None:
    reported = {rule for findings in whole_tree.values() for _, rule in findings}
    assert reported >= all_rules()
