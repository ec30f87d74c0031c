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
SEVERITY_MARKS = {severity: STATUS_MARKS[severity] for severity in scoring.SEVERITIES}
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


# -- the risk register, the backlog and the waivers (format 2) --------------------------------
# Fixed wording only: callers escape the document's values themselves, so these helpers
# never mix linted-code text into a sentence that a renderer would treat as its own.

CONTEXT_WORDS = {"production": "production code", "script": "script", "notebook": "notebook"}
AUTOFIX_WORDS = {"safe": "autofix (safe)", "unsafe": "autofix (unsafe: review)"}
AUTOFIX_COMMANDS = {"safe": "mlflow-lint check --fix", "unsafe": "mlflow-lint check --unsafe-fixes"}
WAIVER_KINDS = {"noqa": "noqa comment", "per-file-ignore": "per-file-ignores entry"}
MATCHED_BY_WORDS = {
    "id": "gaps matched by their register id",
    "fingerprint": "gaps matched by fingerprint (the previous report has no register ids)",
    "message": "gaps matched by rule, path and message (the previous report has no ids or fingerprints)",
}
NO_REASON = "no reason given: counts as a gap"
SHADOW_WORDS = "shadow rule: reported, never failing CI"
BASELINE_WORDS = "accepted in the baseline (still open: a baseline records debt, it does not justify it)"
VERDICT_RULES = (
    "Verdict per pillar, worst first: an open error is a critical gap, an open warning a gap; "
    "when every error and warning is waived with a reason the pillar is deviation-justified; "
    "notes alone stay compliant. A waiver without a reason waives nothing: it counts as a gap."
)


def autofix_words(safety: str | None) -> str:
    """``autofix (unsafe: review)``; an unknown safety level is named as it is."""
    if safety is None:
        return "no autofix"
    return AUTOFIX_WORDS.get(safety, f"autofix ({safety})")


def context_words(context: str | None) -> str:
    return CONTEXT_WORDS.get(context or "", context or "unknown context")


def waiver_kind_words(kind: str) -> str:
    return WAIVER_KINDS.get(kind, kind)


def first_items(items: list[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` items and how many more there are (for "… N more")."""
    return items[:limit], max(0, len(items) - limit)


def open_gaps_line(summary: dict[str, Any]) -> str:
    """``3 open gaps (2 errors, 0 warnings, 1 note), 2 of them waived without a reason``."""
    count = summary.get("open_gaps", summary.get("findings", 0))
    line = f"{plural(count, 'open gap')} ({severity_counts(summary.get('by_severity', {}))})"
    unexplained = summary.get("unexplained_waivers", 0)
    if unexplained:
        line += f", {unexplained} of them waived without a reason"
    return line


def group_status(item: dict[str, Any], shadow: bool = False) -> str:
    """What a backlog group's gaps are: ``open``, ``1 open, 1 unexplained waiver``..."""
    unexplained = item.get("unexplained_waivers", 0)
    accepted = item.get("baseline_accepted", 0)
    still_open = max(0, item.get("count", 0) - unexplained - accepted)
    single = item.get("count", 0) == 1  # one gap: its status, no counts
    parts = []
    if still_open:
        parts.append(f"{still_open} open" if unexplained or accepted else "open")
    if unexplained:
        parts.append("unexplained waiver" if single else plural(unexplained, "unexplained waiver"))
    if accepted:
        parts.append("accepted in the baseline" if single else f"{accepted} accepted in the baseline")
    if shadow:
        parts.append("shadow rule (never fails CI)")
    return ", ".join(parts) or "open"


def quick_win_reason(item: dict[str, Any], autofixed: int = 0) -> str:
    """Why a backlog group is a quick win, with `backticks` around commands.
    ``autofixed``: how many of its gaps have an autofix diff in the register."""
    safety = item.get("autofix")
    if safety in AUTOFIX_COMMANDS:
        scope = "" if autofixed in (0, item.get("count", 0)) else f" for {autofixed} of {item.get('count', 0)}"
        return f"{autofix_words(safety)}{scope}: `{AUTOFIX_COMMANDS[safety]}` makes the change"
    where = "the flagged place" if item.get("count", 1) == 1 else "each flagged place"
    return f"a one-line edit at {where}, no decision outside the code"


def tests_policy_line(test_code: dict[str, Any]) -> str:
    """``2 findings in 1 file are not governance targets, by policy; ...`` (backticks mark code)."""
    findings, files = test_code.get("findings", 0), test_code.get("files", 0)
    if not findings:
        return "No finding in test code was set aside."
    return (
        f"{plural(findings, 'finding')} in {plural(files, 'test file')} "
        f"{'is not a governance target' if findings == 1 else 'are not governance targets'}, by policy; "
        "`mlflow-lint check --include-tests` shows them."
    )
