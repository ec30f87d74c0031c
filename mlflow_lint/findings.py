"""Findings: the engine's only output."""

from __future__ import annotations

import hashlib
import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.catalog import Catalog


@dataclass(frozen=True)
class FlowStep:
    """A place a finding's value passes through on its way to MLflow (a call of a
    project function, then the MLflow call itself): SARIF ``codeFlows``, JSON ``flow``."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Waiver:
    """Why a finding is not reported: a ``# noqa`` comment or a ``per-file-ignores`` entry.

    Waived findings are kept (``LintResult.waived``) so that the audit can show them as
    deviations: a waiver with a ``reason`` is a justified deviation, one without is a gap.
    """

    kind: str  # "noqa" | "per-file-ignore"
    reason: str | None  # the text after "--" or ":" in the comment; the entry's reason
    source: str  # the comment as written (masked), or the per-file-ignores entry and its file
    line: int | None = None  # the comment's line (it may be a multi-line statement's last)


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
    # The flagged source with its layout removed (see normalise_source): what a
    # line-independent fingerprint is made of. None when there is no flagged expression.
    snippet: str | None = field(default=None, compare=False)
    # "test": in test code (or a CI job's throwaway store) for a rule that does not report
    # there by default: counted, and shown only with --include-tests (mlflow_lint.context).
    context: str | None = field(default=None, compare=False)
    # Notebooks (.ipynb): the line of the file that holds the cell's line, for reports that
    # point into the file itself (a SARIF region). None elsewhere, or when not known.
    file_line: int | None = field(default=None, compare=False)
    # The level it is reported at when not the rule's default: its own file's [severity]
    # override for the rule (each file uses the nearest configuration), else the check's
    # escalation of this one finding (MLF401 on Unity Catalog, where stage APIs raise). An
    # explicit override wins: the user chose the level for every finding of the rule.
    level: str | None = field(default=None, compare=False)
    # From the same configuration: whether the rule is in its shadow list.
    shadow: bool = field(default=False, compare=False)
    # Found through calls of project functions: the places after this one the value
    # passes, the last being the MLflow call it reaches (mlflow_lint.checks.through_calls).
    flow: tuple[FlowStep, ...] = field(default=(), compare=False)
    # "medium" when found on a receiver whose type is not known (a method name only
    # MLflow defines); None: the rule's own precision.
    precision: str | None = field(default=None, compare=False)
    # "safe": the rule's --fix rewrites this finding as it stands (the check saw the shape
    # the fix needs); NO_FIX: the rule's fix must not touch it (its rewrite would break
    # this code: MLF401's aliases on a release without them); None: the rule's own fix
    # safety, which a check cannot promise to be safe here.
    fix: str | None = field(default=None, compare=False)
    # What to change at this place: the remedy part of the message (the rule's ``remedy``
    # template with this finding's fields), for the audit's per-site fix column.
    remedy: str | None = field(default=None, compare=False)
    # Set when a suppression waived the finding: not reported, shown by the audit.
    waiver: Waiver | None = field(default=None, compare=False)


NO_FIX = "none"


def fix_safety(finding: Finding, rule_safety: str) -> str:
    """What the rule's fix is for this finding: "safe", "unsafe" or "none". A safe fix is
    safe only where the check promised it (``finding.fix``); a check may also rule out
    the fix for one finding (:data:`NO_FIX`)."""
    if finding.fix == NO_FIX or (rule_safety == "safe" and finding.fix != "safe"):
        return "none"
    return rule_safety


def in_shadow(finding: Finding, shadow: Sequence[str] = ()) -> bool:
    """Whether the finding's rule is in shadow mode (``shadow = ["MLF501"]``): reported,
    never failing the run; by its own file's configuration, or by ``shadow``."""
    return finding.shadow or any(finding.rule.startswith(selector) for selector in shadow)


def severity_of(finding: Finding, catalog: Catalog) -> str:
    """The level a finding is reported at: its file's configured override, else the check's
    escalation of the finding, else the rule's."""
    if finding.level is not None:
        return finding.level
    rule = catalog.get(finding.rule)
    return rule.severity if rule is not None else "error"


def configured(findings: list[Finding], severity: Sequence[tuple[str, str]], shadow: Sequence[str]) -> list[Finding]:
    """``findings`` marked with their file's configuration: severity overrides (which win
    over a check's escalation of a finding) and shadow mode."""
    if not severity and not shadow:
        return findings
    overrides = dict(severity)
    return [
        replace(finding, level=overrides.get(finding.rule, finding.level), shadow=in_shadow(finding, shadow)) for finding in findings
    ]


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Deterministic order: path, cell (notebooks: lines count inside cells), line, column,
    rule, then message as a tie-break."""
    return sorted(findings, key=lambda f: (f.path, -1 if f.cell is None else f.cell, f.line, f.column, f.rule, f.message))


_WHITESPACE = re.compile(r"\s+")
_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


def normalise_source(segment: str) -> str:
    """Source text with its layout removed: comments, all whitespace, trailing commas.

    Reformatting (line breaks, indentation, a formatter's magic trailing comma, a comment
    inside the call) leaves the result unchanged, so fingerprints made from it survive.
    Whitespace inside string literals goes too: a fingerprint only needs to tell findings
    apart, and the occurrence index separates the rare collision. Comments are cut out of
    the text by position rather than rebuilding it from tokens, whose spelling differs
    between Python versions (3.12 splits f-strings into parts).
    """
    lines = io.StringIO(segment).readlines()  # the same line split tokenize sees
    try:
        comments = [
            (token.start, token.end)
            for token in tokenize.generate_tokens(io.StringIO(segment).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):  # not a complete token stream: keep comments
        comments = []
    for (row, start), (_, end) in reversed(comments):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + line[end:]
    return _TRAILING_COMMA.sub("", _WHITESPACE.sub("", "".join(lines)))


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A line-independent fingerprint per finding, in the order given.

    Made of the rule, the path, the normalised flagged source (the message when there is
    none) and the occurrence index of that triple in its file, counted in position order.
    Inserting or deleting lines elsewhere in the file keeps every fingerprint; editing the
    flagged expression, moving the file or reordering identical findings changes it.
    """
    order = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    seen: dict[tuple[str, str, str], int] = {}
    result = [""] * len(findings)
    for index in order:
        finding = findings[index]
        key = (finding.rule, finding.path, finding.snippet if finding.snippet is not None else finding.message)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        material = "\0".join((*key, str(occurrence))).encode("utf-8", errors="surrogatepass")
        result[index] = hashlib.sha256(material).hexdigest()[:32]
    return result


REGISTER_PREFIX = "MLF-"
_REGISTER_DIGITS = 6


def register_ids(prints: Sequence[str]) -> list[str]:
    """A short, stable id per fingerprint for tickets and the audit's risk register:
    ``MLF-`` and the fingerprint's first six hex digits (``MLF-4a2c9e``). It survives
    re-runs and inserted lines as the fingerprint does. Fingerprints that share their first
    six digits (among 1,000 gaps, a 3% chance that any pair does) both get two more digits
    until they differ, so an id never names two gaps."""
    ids: list[str] = []
    distinct = sorted(set(prints))
    for fingerprint in prints:
        digits = _REGISTER_DIGITS
        while digits < len(fingerprint) and _shares_prefix(distinct, fingerprint, digits):
            digits += 2
        ids.append(REGISTER_PREFIX + fingerprint[:digits])
    return ids


def _shares_prefix(distinct: list[str], fingerprint: str, digits: int) -> bool:
    """Whether another fingerprint in the sorted ``distinct`` starts with the same digits."""
    import bisect

    prefix = fingerprint[:digits]
    index = bisect.bisect_left(distinct, prefix)
    return sum(1 for other in distinct[index : index + 2] if other.startswith(prefix)) > 1


def _position(finding: Finding) -> tuple[str, int, int, int, str]:
    cell = -1 if finding.cell is None else finding.cell
    return (finding.path, cell, finding.line, finding.column, finding.rule)
