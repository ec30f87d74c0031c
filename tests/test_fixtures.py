"""Fixture projects: every ``# error:`` marker is found on its line, and nothing else is.

Each fixture root is a project of its own (a ``.mlflow-lint.yaml`` marks it and holds
its configuration), linted as a whole and file by file: the findings must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config, load_config, resolve_selection
from mlflow_lint.engine import lint_paths

from .conftest import FIXTURES
from .markers import expected_findings

ROOTS = [FIXTURES / "python", *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]
CASES = [(root, path) for root in ROOTS for path in sorted(root.rglob("*.py"))]


def _config(root: Path) -> Config:
    return load_config(root / ".mlflow-lint.yaml", load_catalog())


def _selection(config: Config) -> frozenset[str]:
    return resolve_selection(load_catalog(), config.select, config.extend_select, config.ignore)


def _lint(root: Path, target: Path) -> set[tuple[str, int, str]]:
    config = _config(root)
    result = lint_paths([target], config, _selection(config), cwd=root, jobs=1)
    return {(f.path, f.line, f.rule) for f in result.findings}


@pytest.fixture(scope="module")
def whole_trees() -> dict[Path, set[tuple[str, int, str]]]:
    return {root: _lint(root, root) for root in ROOTS}


def _id(case: tuple[Path, Path]) -> str:
    root, path = case
    return f"{root.name}/{path.relative_to(root).as_posix()}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_fixture_markers_match_findings(case: tuple[Path, Path], whole_trees) -> None:  # type: ignore[no-untyped-def]
    root, path = case
    relative = path.relative_to(root).as_posix()
    expected = expected_findings(path.read_text(encoding="utf-8"))
    actual = {(line, rule) for shown, line, rule in whole_trees[root] if shown == relative}
    assert sorted(actual - expected) == [], "unexpected findings (line, rule)"
    assert sorted(expected - actual) == [], "expected findings not reported (line, rule)"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_findings_do_not_depend_on_which_files_are_named(case: tuple[Path, Path], whole_trees) -> None:  # type: ignore[no-untyped-def]
    root, path = case
    relative = path.relative_to(root).as_posix()
    alone = _lint(root, path)
    assert alone == {finding for finding in whole_trees[root] if finding[0] == relative}


def test_fixtures_cover_every_implemented_rule(whole_trees) -> None:  # type: ignore[no-untyped-def]
    reported = {rule for findings in whole_trees.values() for _, _, rule in findings}
    assert reported >= resolve_selection(load_catalog(), None)
