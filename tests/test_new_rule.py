"""scripts/new_rule.py: a new rule is two files, and the catalog refuses it until written."""

from __future__ import annotations

import ast
import re
import runpy
import shutil
from pathlib import Path

import pytest
import yaml

from mlflow_lint.catalog import PLACEHOLDER, CatalogError, _rule_from_data, catalog_dir
from mlflow_lint.checks import INFRASTRUCTURE, Check

from .conftest import ROOT

NEW_RULE = runpy.run_path(str(ROOT / "scripts" / "new_rule.py"))
scaffold, ScaffoldError = NEW_RULE["scaffold"], NEW_RULE["ScaffoldError"]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    shutil.copytree(catalog_dir(), tmp_path / "rules")
    (tmp_path / "mlflow_lint" / "checks").mkdir(parents=True)
    return tmp_path


def _filled(text: str) -> str:
    """The scaffold with every placeholder written, as its author would."""
    text = re.sub(r"^severity: TODO.*", "severity: warning", text, flags=re.MULTILINE)
    text = re.sub(r"^security-severity: TODO.*", "security-severity: 5.0", text, flags=re.MULTILINE)
    return text.replace(PLACEHOLDER, "written")


@pytest.mark.parametrize(("rule_id", "pillar"), [("MLF606", 6), ("MLF706", 7), ("MLF903", 0)])
def test_the_scaffold_is_refused_until_written_and_then_complete(checkout: Path, rule_id: str, pillar: int) -> None:
    entry, module = scaffold(checkout, rule_id, "model-loaded-from-cache")
    assert entry == checkout / "rules" / f"{rule_id}.yaml"
    assert module == checkout / "mlflow_lint" / "checks" / "model_loaded_from_cache.py"
    text = entry.read_text(encoding="utf-8")
    with pytest.raises(CatalogError, match=r"TODO left in severity, summary, message, remedy, .*docs\.what"):
        _rule_from_data(yaml.safe_load(text), entry)
    rule = _rule_from_data(yaml.safe_load(_filled(text)), entry)  # every required field is there
    assert (rule.id, rule.name, rule.pillar) == (rule_id, "model-loaded-from-cache", pillar)
    assert len(rule.valid_examples) == len(rule.invalid_examples) == 2
    assert all(f"# error: {rule_id}" in example.code for example in rule.invalid_examples)


def test_the_scaffolded_check_is_a_check_of_its_rule(checkout: Path) -> None:
    _, module = scaffold(checkout, "MLF606", "model-loaded-from-cache")
    namespace: dict[str, object] = {"__name__": "mlflow_lint.checks.model_loaded_from_cache"}
    exec(compile(module.read_text(encoding="utf-8"), str(module), "exec"), namespace)  # noqa: S102 - our own template
    check = namespace["ModelLoadedFromCache"]
    assert isinstance(check, type) and issubclass(check, Check)
    assert check.rule_names == ("model-loaded-from-cache",)
    assert check.node_types == (ast.Call,) and check.call_names == frozenset({"TODO"})


@pytest.mark.parametrize(
    ("rule_id", "name", "problem"),
    [
        ("MLF601", "new-name", "exists: rule ids are never reused"),
        ("MLF606", "run-uri-model-load", "taken by MLF601.yaml"),
        ("MLF6", "new-name", "is not a rule id"),
        ("MLF012", "new-name", "the engine's own rules"),
        ("MLF606", "New_Name", "is not a rule name"),
    ],
)
def test_a_taken_or_malformed_rule_is_refused(checkout: Path, rule_id: str, name: str, problem: str) -> None:
    before = sorted(path.name for path in checkout.rglob("*"))
    with pytest.raises(ScaffoldError, match=re.escape(problem)):
        scaffold(checkout, rule_id, name)
    assert sorted(path.name for path in checkout.rglob("*")) == before


def test_no_check_module_still_says_todo() -> None:
    """The catalog refuses a rule file that says TODO; this is the same for the check."""
    checks = ROOT / "mlflow_lint" / "checks"
    unfinished = [
        path.name
        for path in sorted(checks.glob("*.py"))
        if path.stem not in INFRASTRUCTURE and re.search(rf"\b{PLACEHOLDER}\b", path.read_text(encoding="utf-8"))
    ]
    assert unfinished == []
