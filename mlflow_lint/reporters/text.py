"""Text report: ``path:line:col: MLF601 message`` lines, then a summary line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from mlflow_lint.catalog import Catalog
from mlflow_lint.findings import Finding, in_shadow, severity_of

Style = Callable[..., str]
_SEVERITY_COLOURS = {"error": "red", "warning": "yellow", "note": "cyan"}


# Control characters (C0, DEL, C1), Unicode line and paragraph separators and lone
# surrogates. A file name is whatever the linted repository says it is: printed raw, a
# name holding "\n::error file=...::" would forge a workflow command in a CI log, and
# "\x1b]..." would drive the terminal. Values in messages are quoted already.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` on one line with its control characters as escapes (``\\n``, ``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def _plain(text: str, **_: object) -> str:
    return text


def render_text(
    findings: list[Finding],
    catalog: Catalog,
    files_checked: int,
    *,
    statistics: bool = False,
    style: Style = _plain,
    hidden_in_tests: int = 0,
    shadow: Sequence[str] = (),
) -> str:
    lines = []
    for finding in findings:
        colour = _SEVERITY_COLOURS.get(severity_of(finding, catalog))
        path = printable(finding.path)
        location = f"{path}:{finding.line}:{finding.column}:"
        if finding.cell is not None:
            location = f"{path}:cell {finding.cell}:{finding.line}:{finding.column}:"
        marks = "".join(f" [{mark}]" for mark in _marks(finding, shadow))
        lines.append(f"{style(location, bold=True)} {style(finding.rule, fg=colour, bold=True)} {printable(finding.message)}{marks}")
    if statistics and findings:
        if lines:
            lines.append("")
        lines.extend(render_statistics(findings, catalog))
    if lines:
        lines.append("")
    lines.append(summary_line(findings, catalog, files_checked, hidden_in_tests=hidden_in_tests, shadow=shadow))
    return "\n".join(lines) + "\n"


def _marks(finding: Finding, shadow: Sequence[str]) -> list[str]:
    marks = ["test code"] if finding.context == "test" else []
    if finding.fix == "safe":
        marks.append("*")  # ruff's mark: --fix rewrites it
    if in_shadow(finding, shadow):
        marks.append("shadow")
    return marks


def render_statistics(findings: list[Finding], catalog: Catalog) -> list[str]:
    counts = Counter(f.rule for f in findings)
    width = len(str(max(counts.values())))
    out = []
    for rule_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = catalog.get(rule_id)
        name = rule.name if rule else ""
        severity = rule.severity if rule else ""
        out.append(f"{count:>{width}}  {rule_id}  {severity:<7}  {name}")
    return out


def summary_line(
    findings: list[Finding], catalog: Catalog, files_checked: int, *, hidden_in_tests: int = 0, shadow: Sequence[str] = ()
) -> str:
    files_word = "file" if files_checked == 1 else "files"
    if not findings:
        line = f"All checks passed ({files_checked} {files_word} checked)."
    else:
        severities = Counter(severity_of(f, catalog) for f in findings)
        parts = [f"{severities[s]} {s}{'s' if severities[s] != 1 else ''}" for s in ("error", "warning", "note") if severities[s]]
        affected = len({f.path for f in findings})
        noun = "finding" if len(findings) == 1 else "findings"
        line = (
            f"Found {len(findings)} {noun} ({', '.join(parts)}) in {affected} "
            f"{'file' if affected == 1 else 'files'}; {files_checked} {files_word} checked."
        )
        fixable = sum(f.fix == "safe" for f in findings)
        if fixable:
            line += f" {fixable} fixable with --fix."
        shadowed = sum(in_shadow(f, shadow) for f in findings)
        if shadowed:
            line += f" {shadowed} in shadow mode (reported, never failing the run)."
    if hidden_in_tests:
        noun = "finding" if hidden_in_tests == 1 else "findings"
        line += f" {hidden_in_tests} {noun} in test code not shown (--include-tests)."
    return line
