"""GitHub Actions workflow commands (``--format github``): annotations without code scanning.

One line per finding, for example::

    ::error file=serve/batch.py,line=14,col=34,endLine=14,endColumn=54,title=MLF601 run-uri-model-load::mlflow.pyfunc...

Severity maps to the command (error, warning, notice). Paths are relative to the
repository root, which is what GitHub resolves ``file=`` against. Values are escaped as
GitHub's own toolkit (``@actions/core``) escapes them: ``%``, CR and LF everywhere, and
also ``:`` and ``,`` inside properties.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mlflow_lint.catalog import Catalog
from mlflow_lint.findings import Finding, in_shadow, severity_of

_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def render_github(
    findings: Sequence[Finding], catalog: Catalog, *, source_root: Path, cwd: Path, shadow: Sequence[str] = ()
) -> str:
    """Workflow commands, one per finding; empty text when there is nothing to report.
    A rule in shadow mode is a notice, whatever its severity: it must not look like a failure."""
    root, here = source_root.resolve(), cwd.resolve()
    lines = [_command(finding, catalog, _repository_path(finding.path, root, here), in_shadow(finding, shadow)) for finding in findings]
    return "".join(line + "\n" for line in lines)


def _command(finding: Finding, catalog: Catalog, path: str, shadow: bool = False) -> str:
    rule = catalog.get(finding.rule)
    severity = "note" if shadow else severity_of(finding, catalog)
    title = f"{finding.rule} {rule.name}" if rule is not None else finding.rule
    message = finding.message
    properties = [("file", path)]
    if finding.cell is not None:
        # Lines inside a notebook cell are not lines of the .ipynb file: annotate the file.
        message = f"cell {finding.cell}, line {finding.line}, column {finding.column}: {message}"
    else:
        one_line = finding.end_line == finding.line  # GitHub takes columns only on one line
        properties.append(("line", str(finding.line)))
        if one_line:
            properties.append(("col", str(finding.column)))
        properties.append(("endLine", str(finding.end_line)))
        if one_line:
            properties.append(("endColumn", str(finding.end_column)))
    properties.append(("title", title))
    rendered = ",".join(f"{name}={escape_property(value)}" for name, value in properties)
    return f"::{_COMMANDS.get(severity, 'error')} {rendered}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message (``@actions/core`` ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property's value (``@actions/core`` ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _repository_path(path: str, root: Path, cwd: Path) -> str:
    """``path`` (relative to ``cwd``, or absolute) relative to the repository root when below it."""
    absolute = Path(os.path.normpath(Path(path) if Path(path).is_absolute() else cwd / path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()
