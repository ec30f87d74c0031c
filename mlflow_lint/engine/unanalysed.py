"""What a file the checks did not analyse yields: MLF000 ("could not be analysed"), how the
selection shows it, and the note of a file skipped on purpose. Apart from the checks'
pass so that a run that reads only the result cache (and the read errors of a task) never
loads the checks."""

from __future__ import annotations

from collections.abc import Iterable

from mlflow_lint.catalog import load_catalog
from mlflow_lint.findings import Finding

INTERNAL_ERROR = "internal error"


class SkippedFile(Exception):
    """A file deliberately not analysed (templated YAML): a note for --verbose, not a finding."""


def honour_selection(findings: list[Finding], selected: Iterable[str]) -> list[Finding]:
    """MLF000 ("could not be analysed") is a rule like any other: --ignore MLF000, or a
    --select without it, hides it. A failure of mlflow-lint itself ("internal error ...
    please report it") is shown whatever the selection: it is a bug, not a finding."""
    if "MLF000" in selected:
        return findings
    return [f for f in findings if f.rule != "MLF000" or INTERNAL_ERROR in f.message]


def unanalysable(shown: str, reason: str, line: int, column: int, subject: str = "File") -> Finding:
    """MLF000 at a place of the file: ``subject`` (a file, a cell) could not be analysed."""
    catalog = load_catalog()
    message = catalog["MLF000"].format_message({"subject": subject, "reason": reason})
    return Finding(path=shown, line=line, column=column, rule="MLF000", end_line=line, end_column=column, message=message)


def internal_error(shown: str, where: str, failure: Exception | str) -> Finding:
    """MLF000 for a failure of mlflow-lint itself (``where``: "in the MLF402 check";
    ``failure``: the exception, or its text when it was caught elsewhere): shown whatever
    the selection (``honour_selection``), with what to report."""
    detail = f"{failure.__class__.__name__}: {failure}" if isinstance(failure, Exception) else failure
    return unanalysable(shown, f"{INTERNAL_ERROR} {where} ({detail}); please report it", 1, 1)
