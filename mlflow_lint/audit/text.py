"""Wording and small formatting helpers shared by the Markdown and HTML renderers."""

from __future__ import annotations

import re
from typing import Any

from mlflow_lint.audit import scoring
from mlflow_lint.audit.pillars import KINDS_BY_KEY, EvidenceKind

MAX_ROWS = 200  # rows per table in Markdown and HTML; the JSON report has them all

VERDICT_MARKS = {
    scoring.COMPLIANT: "✅",
    scoring.GAPS: "⚠️",
    scoring.DEVIATION: "☑️",
    scoring.CRITICAL: "❌",
    scoring.NOT_ASSESSED: "➖",
}
STATUS_MARKS = {"ok": "✅", "error": "❌", "warning": "⚠️", "note": "ℹ️", "unassessed": "➖", "waived": "☑️"}
STATUS_WORDS = {
    "ok": "clean", "error": "error", "warning": "warning", "note": "note", "unassessed": "not assessed",
    "waived": "waived with a reason",
}  # fmt: skip

# Every line break a renderer might meet, and characters no report should carry
# (controls, and lone surrogates from undecodable file names).
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85|\x0b|\x0c")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


def one_line(value: object) -> str:
    """A value on one line: line breaks shown as ↵, controls and lone surrogates as �."""
    return _CONTROL.sub("\ufffd", _LINE_BREAK.sub("↵", str(value)))


def without_controls(value: str) -> str:
    """Multi-line text with controls and lone surrogates replaced, line breaks kept."""
    return _CONTROL.sub("\ufffd", value)


# A Python repr of a string inside a catalog message: 'runs:/{run_id}/model' or "it's".
QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def title_case(name: str) -> str:
    """``consume via alias/version`` -> ``Consume via alias/version`` (SQL stays SQL)."""
    return name[:1].upper() + name[1:]


def pillar_heading(pillar: dict[str, Any]) -> str:
    return f"{pillar['pillar']}. {title_case(pillar['name'])}"


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def location(item: dict[str, Any]) -> str:
    cell = item.get("cell")
    if cell is not None:
        return f"{item['path']} (cell {cell}):{item['line']}"
    return f"{item['path']}:{item['line']}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def severity_counts(counts: dict[str, int]) -> str:
    return ", ".join(plural(counts.get(s, 0), s) for s in scoring.SEVERITIES)


def score_text(score: int | None) -> str:
    return "n/a" if score is None else f"{score}/100"


def kind_of(key: str) -> EvidenceKind:
    found = KINDS_BY_KEY.get(key)
    if found is not None:
        return found
    return EvidenceKind(key, 0, key.replace("_", " ").capitalize(), (("value", "Value"),), "Nothing found.")


def rules_line(header: dict[str, Any]) -> str:
    enabled = header.get("rules_enabled", [])
    return f"{len(enabled)} of {header.get('rules_available', len(enabled))}: {', '.join(enabled) or 'none'}"


def files_line(header: dict[str, Any]) -> str:
    return (
        f"{plural(header.get('files_checked', 0), 'file')} checked, {header.get('files_analysed', 0)} analysed "
        f"(mention MLflow), evidence from {plural(header.get('evidence_files', 0), 'file')}"
    )


def options_lines(header: dict[str, Any]) -> list[tuple[str, str]]:
    options = header.get("options", {})
    labels = (
        ("required_tags", "required-tags"),
        ("protected_aliases", "protected-aliases"),
        ("gate_functions", "gate-functions"),
        ("allowed_tracking_uris", "allowed-tracking-uris"),
        ("registry_admin_modules", "registry-admin-modules"),
    )
    return [(label, ", ".join(options[key])) for key, label in labels if options.get(key)]


def commit_text(header: dict[str, Any]) -> str:
    commit = header.get("commit")
    if not commit:
        return "no commit yet" if header.get("git") else "not a git repository"
    branch = header.get("branch")
    return f"{commit[:12]}" + (f" ({branch})" if branch else "")


def verdict_summary(summary: dict[str, Any]) -> str:
    """``pillars: 5 critical gaps, 3 gaps, 0 compliant`` (not assessed only when some are)."""
    counts = summary.get("pillars_by_verdict", {})
    parts = [f"{counts.get(v, 0)} {v}" for v in scoring.VERDICTS if v != scoring.NOT_ASSESSED or counts.get(v)]
    return "pillars: " + ", ".join(parts)


def bar(score: int | None, width: int = 10) -> str:
    if score is None:
        return "░" * width
    filled = round(score * width / 100)
    return "█" * filled + "░" * (width - filled)
