"""Regenerate the README rule table from the catalog (tests/test_readme.py checks it)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlflow_lint.catalog import load_catalog  # noqa: E402
from mlflow_lint.reporters.rules_report import rules_markdown  # noqa: E402

START, END = "<!-- rules-table:start -->", "<!-- rules-table:end -->"


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rules_markdown(load_catalog())}{END}{tail}"


if __name__ == "__main__":
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
