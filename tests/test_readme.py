"""The README pitches and links; its facts (commands, output, links) must stay true.

The manual is the documentation site (docs/, tests/test_docs.py); what is generated from
the catalog (rule pages, the compiled catalog) is checked here and there."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli

README = ROOT / "README.md"
FIRST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/mlflow-lint check examples/"


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _blocks(text: str, language: str) -> list[str]:
    """The bodies of the fenced code blocks of ``language``, in order."""
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S) if lang == language]


def test_readme_is_a_pitch_not_a_manual() -> None:
    assert len(_readme().splitlines()) <= 150


def test_readme_gives_the_two_commands_first() -> None:
    commands = _blocks(_readme(), "sh")
    assert commands[0].strip() == FIRST_COMMAND  # installs, then lints examples/ (exit 1: findings)
    assert commands[1].strip() == "bash scripts/test.sh"
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert "not yet on PyPI" in _readme()
    assert "MLFLOW_LINT_TEST_SYSTEM_DEPS=1" in _readme()


def _sample(text: str) -> list[str]:
    """The lines a document shows `mlflow-lint check examples/` print (without "...")."""
    sample = next(block for block in _blocks(text, "text") if "mlflow-lint check examples/" in block)
    command, *lines = sample.rstrip("\n").splitlines()
    assert command == "$ .venv/bin/mlflow-lint check examples/"
    return [line for line in lines if line != "..."]


@pytest.mark.integration
def test_the_sample_output_is_what_the_first_command_prints() -> None:
    """The README's excerpt and getting-started's full listing are real output."""
    result = run_cli("check", "--no-cache", "examples/", cwd=ROOT)
    assert result.returncode == 1, result.stderr  # findings: the README says it exits 1
    printed = result.stdout.rstrip("\n").splitlines()
    assert _sample((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")) == printed
    shown = _sample(_readme())
    assert all(line in printed for line in shown), "the README's sample output is stale"
    assert shown[-1] == printed[-1] and printed[-1].startswith("Found ")  # the summary line


def test_readme_links_resolve_and_reach_the_docs() -> None:
    readme = _readme()
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    local = [target for target in targets if not target.startswith(("http://", "https://"))]
    for target in local:
        assert (ROOT / target.split("#")[0]).exists(), target
    for page in ("docs/github-action.md", "docs/editors.md", "docs/audit.md", "docs/rules/index.md", "docs/audit-example.png"):
        assert page in local, page
    assert "mlflow-lint server" in readme


def test_a_checkout_compiles_its_catalog_on_first_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mlflow_lint/catalog.json is built, never committed (the wheel's comes from
    hatch_build.py): a checkout writes its own the first time it reads the rule files, and
    reads it instead of the YAML while every rule file is unchanged."""
    import shutil

    from mlflow_lint import catalog

    rules = tmp_path / "rules"
    shutil.copytree(catalog.catalog_dir(), rules)
    compiled = tmp_path / "package" / "catalog.json"
    compiled.parent.mkdir()
    monkeypatch.setattr(catalog, "COMPILED_CATALOG", compiled)
    monkeypatch.setattr(catalog, "_CHECKOUT_RULES", rules.resolve())
    from_yaml = catalog._rule_files(rules)
    assert compiled.read_text(encoding="utf-8") == catalog.compile_catalog(rules)
    assert json.loads(compiled.read_text(encoding="utf-8"))["rules"] == [data for data, _ in from_yaml]  # JSON lost nothing
    assert [path.name for path in compiled.parent.iterdir()] == ["catalog.json"]  # no temporary file left

    def no_yaml(path: Path) -> None:
        raise AssertionError(f"{path.name} parsed although the compiled catalog is current")

    monkeypatch.setattr(catalog, "_read_yaml", no_yaml)
    assert catalog._rule_files(rules) == from_yaml


def test_only_the_checkouts_catalog_is_compiled_and_only_where_it_can_be(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another directory's rule files (a test's copy) never overwrite the checkout's compiled
    catalog; a compiled catalog that cannot be written is no error: the YAML is read."""
    import shutil

    from mlflow_lint import catalog

    rules = tmp_path / "rules"
    shutil.copytree(catalog.catalog_dir(), rules)
    elsewhere = tmp_path / "catalog.json"
    monkeypatch.setattr(catalog, "COMPILED_CATALOG", elsewhere)
    assert len(catalog._rule_files(rules)) == len(list(rules.glob("*.yaml")))
    assert not elsewhere.exists()
    unwritable = tmp_path / "missing-directory" / "catalog.json"
    monkeypatch.setattr(catalog, "COMPILED_CATALOG", unwritable)
    monkeypatch.setattr(catalog, "_CHECKOUT_RULES", rules.resolve())
    assert len(catalog._rule_files(rules)) == len(list(rules.glob("*.yaml")))
    assert not unwritable.parent.exists()


def test_generated_files_are_current() -> None:
    stale = runpy.run_path(str(ROOT / "scripts" / "update_readme.py"))["stale"]()
    assert stale == [], f"stale: {stale}; run python scripts/update_readme.py"


def test_a_stale_compiled_catalog_is_not_used(tmp_path: Path) -> None:
    import shutil

    from mlflow_lint.catalog import catalog_dir, load_catalog

    for path in catalog_dir().glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    edited = tmp_path / "MLF101.yaml"
    lines = edited.read_text(encoding="utf-8").splitlines()
    lines = ["summary: EDITED summary" if line.startswith("summary:") else line for line in lines]
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_catalog(tmp_path)["MLF101"].summary.startswith("EDITED")
