"""Regenerate the README rule table, docs/rules.md and the compiled catalog
(mlflow_lint/catalog.json) from rules/*.yaml; tests/test_readme.py checks all three."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlflow_lint.catalog import COMPILED_CATALOG, compile_catalog, load_catalog  # noqa: E402
from mlflow_lint.reporters.rules_report import rules_markdown, rules_reference  # noqa: E402

START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rules_markdown(load_catalog())}{END}{tail}"


def reference() -> str:
    return rules_reference(load_catalog())


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "rules.md").write_text(reference(), encoding="utf-8")
    COMPILED_CATALOG.write_text(compile_catalog(), encoding="utf-8")
