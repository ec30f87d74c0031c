"""The README's rule table is generated from the catalog and must not go stale."""

from __future__ import annotations

import runpy

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
