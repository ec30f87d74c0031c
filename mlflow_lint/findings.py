"""Findings: the engine's only output."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    """One reported problem. Lines and columns are 1-based; columns count characters.

    The field order is the sort order of every report: path, line, column, rule.
    """

    path: str  # POSIX, relative to the working directory when possible
    line: int
    column: int
    rule: str
    end_line: int
    end_column: int
    message: str = field(compare=False)
    cell: int | None = field(default=None, compare=False)  # notebooks: 0-based cell index


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order (path, line, column, rule, then message as a tie-break)."""
    return sorted(findings, key=lambda f: (f.path, f.line, f.column, f.rule, f.message))
