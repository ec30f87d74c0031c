"""Fixture projects: every ``# error:`` marker is found on its line, and nothing else is.

Each fixture root is a project of its own (a ``.mlflow-lint.yaml`` marks it and holds
its configuration), linted as a whole and file by file: the findings must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config, ConfigResolver, load_config, resolve_selection
from mlflow_lint.engine import lint_paths
from mlflow_lint.sources import script_kind, source_kind

from .conftest import FIXTURES
from .markers import expected_findings, expected_from_sidecar

ROOTS = [FIXTURES / "python", *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]


def _is_case(path: Path) -> bool:
    if path.name.endswith(".expected") or path.name == ".mlflow-lint.yaml":
        return False
    return source_kind(path) is not None or script_kind(path) is not None or path.with_name(path.name + ".expected").exists()


CASES = [(root, path) for root in ROOTS for path in sorted(root.rglob("*")) if path.is_file() and _is_case(path)]


def _expected(path: Path) -> set[tuple[int | None, int, str]]:
    sidecar = path.with_name(path.name + ".expected")
    if sidecar.exists():
        return expected_from_sidecar(sidecar)
    if "mlruns" in path.parts:
        return set()  # MLflow's own files are never linted
    return {(None, line, rule) for line, rule in expected_findings(path.read_text(encoding="utf-8"))}


def _config(root: Path) -> Config:
    return load_config(root / ".mlflow-lint.yaml", load_catalog())


def _selection(config: Config) -> frozenset[str]:
    return resolve_selection(load_catalog(), config.select, config.extend_select, config.ignore)


def _lint(root: Path, target: Path) -> set[tuple[str, int | None, int, str]]:
    # Each file gets its nearest configuration, as on the command line: a sub-project of a
    # fixture root (mlflow3/migration_on_mlflow2 targets MLflow 2) has its own options.
    result = lint_paths([target], ConfigResolver(load_catalog()), _selection, cwd=root, jobs=1)
    return {(f.path, f.cell, f.line, f.rule) for f in result.findings}


@pytest.fixture(scope="module")
def whole_trees() -> dict[Path, set[tuple[str, int | None, int, str]]]:
    return {root: _lint(root, root) for root in ROOTS}


def _id(case: tuple[Path, Path]) -> str:
    root, path = case
    return f"{root.name}/{path.relative_to(root).as_posix()}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_fixture_markers_match_findings(case: tuple[Path, Path], whole_trees) -> None:  # type: ignore[no-untyped-def]
    root, path = case
    relative = path.relative_to(root).as_posix()
    expected = _expected(path)
    actual = {(cell, line, rule) for shown, cell, line, rule in whole_trees[root] if shown == relative}
    assert sorted(actual - expected, key=str) == [], "unexpected findings (cell, line, rule)"
    assert sorted(expected - actual, key=str) == [], "expected findings not reported (cell, line, rule)"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_findings_do_not_depend_on_which_files_are_named(case: tuple[Path, Path], whole_trees) -> None:  # type: ignore[no-untyped-def]
    root, path = case
    if any(part.startswith("mlruns") for part in path.parts[:-1]) or path.suffix in (".db", ".sqlite"):
        pytest.skip("repository stores are found by walking directories, not by naming files")
    relative = path.relative_to(root).as_posix()
    alone = _lint(root, path)
    assert alone == {finding for finding in whole_trees[root] if finding[0] == relative}


def test_fixtures_cover_every_implemented_rule(whole_trees) -> None:  # type: ignore[no-untyped-def]
    reported = {rule for findings in whole_trees.values() for *_, rule in findings}
    assert reported >= resolve_selection(load_catalog(), None)
