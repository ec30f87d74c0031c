"""Hover: the documentation of the rule behind a diagnostic, as ``mlflow-lint explain``
renders it (``reporters.rules_report.explain``, written once), with a link to the rule's
page. Also over a rule code written in a ``# noqa: MLF601`` comment."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mlflow_lint.catalog import Catalog, Rule
from mlflow_lint.lsp.diagnostics import Located, Place

_CODE = re.compile(r"MLF\d{3}", re.IGNORECASE)


def rules_at(located: Sequence[Located], place: Place, catalog: Catalog) -> list[tuple[Rule, Located]]:
    """The rules of the findings whose range holds ``place`` (a zero-width range holds
    its own place), each once, in the order found."""
    found: dict[str, tuple[Rule, Located]] = {}
    for item in located:
        if item.start <= place <= item.end and item.finding.rule not in found:
            rule = catalog.get(item.finding.rule)
            if rule is not None:
                found[rule.id] = (rule, item)
    return list(found.values())


def code_in_comment(line: str, character: int, catalog: Catalog) -> tuple[Rule, int, int] | None:
    """The rule whose code the cursor is on in a ``noqa`` comment, and the code's columns."""
    if "noqa" not in line.lower():
        return None
    for match in _CODE.finditer(line):
        if match.start() <= character <= match.end():
            rule = catalog.get(match.group())
            if rule is not None:
                return rule, match.start(), match.end()
    return None


def render(rules: Sequence[Rule], markdown: bool) -> str:
    """The hover's text: each rule's documentation and its page."""
    from mlflow_lint.reporters.rules_report import explain

    parts = []
    for rule in rules:
        if markdown:
            parts.append(f"{explain(rule, heading='###').rstrip()}\n\n[{rule.id} documentation]({rule.docs_uri})")
        else:
            parts.append(f"{explain(rule).rstrip()}\n\nDocumentation: {rule.docs_uri}")
    return ("\n\n---\n\n" if markdown else "\n\n").join(parts)
