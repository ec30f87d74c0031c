"""Renderings of the catalog itself: ``rules`` (text, json, markdown) and ``explain``."""

from __future__ import annotations

import json
import textwrap

from mlflow_lint.catalog import PILLARS, Catalog, Rule


def rules_text(catalog: Catalog) -> str:
    width = max(len(rule.name) for rule in catalog)
    lines = [f"{'id':<7} {'name':<{width}}  {'pillar':<6} {'severity':<8} summary"]
    for rule in catalog:
        lines.append(f"{rule.id:<7} {rule.name:<{width}}  {rule.pillar:<6} {rule.severity:<8} {rule.summary}")
    return "\n".join(lines) + "\n"


def rules_json(catalog: Catalog) -> str:
    rows = [
        {
            "id": rule.id,
            "name": rule.name,
            "pillar": rule.pillar,
            "pillar_name": rule.pillar_name,
            "severity": rule.severity,
            "summary": rule.summary,
            "enabled_by_default": rule.enabled_by_default,
            "fix": rule.fix_safety,
        }
        for rule in catalog
    ]
    return json.dumps(rows, indent=2) + "\n"


def rules_markdown(catalog: Catalog) -> str:
    """The README rule table (the README test compares against this)."""
    lines = ["| id | name | pillar | severity | what it flags |", "|---|---|---|---|---|"]
    for rule in catalog:
        pillar = f"{rule.pillar} {PILLARS[rule.pillar]}" if rule.pillar else "-"
        lines.append(f"| {rule.id} | `{rule.name}` | {pillar} | {rule.severity} | {rule.summary} |")
    return "\n".join(lines) + "\n"


def explain(rule: Rule, heading: str = "") -> str:
    """A rule's documentation; ``heading`` nests it under a Markdown heading level."""
    docs = rule.docs
    if rule.pillar:
        pillar = f"pillar {rule.pillar} ({rule.pillar_name})"
    else:
        pillar = "MLflow-version migration (outside the pillars)" if rule.id.startswith("MLF9") else "engine"
    sub = heading + "#" if heading else "##"
    out = [
        f"{heading} {rule.id} {rule.name}".strip(),
        f"{pillar}, default severity {rule.severity}{'' if rule.enabled_by_default else ', off by default'}",
        "",
        rule.summary + ".",
        "",
        f"{sub} What it does",
        _wrap(docs.what),
        "",
        f"{sub} Why is this bad?",
        _wrap(docs.why),
        "",
        f"{sub} Example",
        f"```{rule.example_language}",
        docs.example,
        "```",
        "",
        f"{sub} Use instead",
        f"```{rule.example_language}",
        docs.use_instead,
        "```",
        "",
        f"{sub} Fix safety",
        _wrap(f"{_FIX_SAFETY[rule.fix_safety]} {rule.fix_description}"),
        "",
        f"{sub} Test code",
        _wrap(_context_policy(rule)),
    ]
    if docs.references:
        out += ["", f"{sub} References"]
        out += [f"- {ref.title}: {ref.url}" for ref in docs.references]
    return "\n".join(out) + "\n"


def _context_policy(rule: Rule) -> str:
    """Where the rule reports (test code, CI jobs), in a sentence for its documentation."""
    where = (
        "Test code (files under a test directory such as `tests/`, `integration_tests/` or `smoke/`, `test_*.py`, "
        "`*_test.py`, `conftest.py`, YAML files with one of those words in their name, and the `test-paths` "
        "globs) is not a governance target: findings there are counted "
        "in the summary but not shown unless `--include-tests` (or `include-tests = true`) is given."
    )
    if rule.in_tests == "hidden" and rule.id == "MLF701":
        text = where.replace("findings there", "literal passwords there") + (
            " Token-shaped secrets (provider formats such as `dapi…`, `ghp_…`, `sk-…`, `AKIA…`) are real"
            " credentials wherever they are, and are reported in test code too."
        )
    elif rule.in_tests == "hidden":
        text = where
    else:
        text = "Reported in test code too."
    if rule.in_ci == "hidden":
        text += (
            " In CI workflow files (`.github/workflows/*`, `.gitlab-ci.yml`) a local or SQLite store is a"
            " throwaway store of the job and is treated as test code; a workflow that commits or uploads"
            " the store is reported by MLF103."
        )
    return text


_FIX_SAFETY = {
    "none": "No fix.",
    "safe": "Safe fix (`mlflow-lint check --fix`).",
    "unsafe": "Unsafe fix (`mlflow-lint check --unsafe-fixes`; review the diff first, `--diff-fixes` shows it).",
}


def _wrap(text: str) -> str:
    """Paragraphs filled to 88 columns; a Markdown list keeps one item a line (hanging indent)."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n")]
    return "\n\n".join(_fill(p) for p in paragraphs)


def _fill(paragraph: str) -> str:
    lines = paragraph.splitlines()
    if not lines or not all(line.startswith(("- ", "  ")) for line in lines) or not lines[0].startswith("- "):
        return textwrap.fill(" ".join(paragraph.split()), width=88, break_on_hyphens=False, break_long_words=False)
    items: list[str] = []
    for line in lines:
        if line.startswith("- "):
            items.append(line[2:].strip())
        else:
            items[-1] += " " + line.strip()
    return "\n".join(
        textwrap.fill(" ".join(item.split()), width=88, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
        for item in items
    )
