"""The README's rule table is generated from the catalog and must not go stale."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

from .conftest import ROOT


def test_readme_rule_table_is_current() -> None:
    render = runpy.run_path(str(ROOT / "scripts" / "update_readme.py"))["render"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- rules-table:start -->" in readme
    assert render(readme) == readme, "README rule table is stale: run python scripts/update_readme.py"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1]
    assert "pip install ." in first_block and "mlflow-lint check" in first_block
    assert "bash scripts/test.sh" in readme.split("```")[3]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_rule_reference_is_current_and_has_every_sarif_anchor() -> None:
    import re

    from mlflow_lint.catalog import load_catalog

    generated = runpy.run_path(str(ROOT / "scripts" / "update_readme.py"))["reference"]()
    on_disk = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert on_disk == generated, "docs/rules.md is stale: run python scripts/update_readme.py"
    # GitHub's heading anchors: lower case, spaces to hyphens; SARIF helpUri uses them.
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^## (.+)$", on_disk, re.M)}
    for rule in load_catalog():
        assert f"{rule.id.lower()}-{rule.name}" in anchors


def test_compiled_catalog_is_current_and_equals_the_yaml() -> None:
    from mlflow_lint.catalog import COMPILED_CATALOG, _read_yaml, catalog_dir, compile_catalog

    assert COMPILED_CATALOG.read_text(encoding="utf-8") == compile_catalog(), (
        "mlflow_lint/catalog.json is stale: run python scripts/update_readme.py"
    )
    compiled = json.loads(COMPILED_CATALOG.read_text(encoding="utf-8"))
    yaml_files = sorted(catalog_dir().glob("*.yaml"))
    assert compiled["rules"] == [_read_yaml(path) for path in yaml_files]  # JSON lost nothing


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
