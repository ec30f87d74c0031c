"""Findings to LSP diagnostics, per document (a notebook's per cell document).

Positions are converted at this edge: findings count 1-based lines and characters (code
points); LSP counts 0-based lines and the negotiated code units (UTF-16 unless the client
offers another), which :class:`Positions` computes on the lines of the snapshot the
findings were made from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from mlflow_lint.catalog import Catalog
from mlflow_lint.findings import Finding, fix_safety, in_shadow, severity_of
from mlflow_lint.lsp.documents import Snapshot, split_lines
from mlflow_lint.lsp.linting import LintOutcome

SOURCE = "mlflow-lint"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "note": types.DiagnosticSeverity.Information,
}
# Rules whose findings are uses of a deprecated API: editors strike them through.
_DEPRECATED = frozenset({"MLF401", "MLF902"})

Place = tuple[int, int]  # 0-based line, 0-based character (code points)


class Positions:
    """Code-point positions of one text, in the client's units. ``units`` counts the
    client's code units of a string (pygls' position codec for the negotiated encoding)."""

    def __init__(self, text: str, units: Callable[[str], int]) -> None:
        self.lines = split_lines(text)
        self._units = units

    def clamp(self, line: int, character: int) -> Place:
        """A place inside the text: past its last line is its end, past a line's end is
        that line's end (before its line break)."""
        if line < 0:
            return 0, 0
        if line >= len(self.lines):
            if not self.lines:
                return 0, 0
            last = self.lines[-1]
            if last.endswith(("\n", "\r")):
                return len(self.lines), 0
            return len(self.lines) - 1, len(last)
        content = self.lines[line].rstrip("\r\n")
        return line, max(0, min(character, len(content)))

    def position(self, place: Place) -> types.Position:
        line, character = place
        if line >= len(self.lines):
            return types.Position(line=line, character=0)
        return types.Position(line=line, character=self._units(self.lines[line][:character]))

    def place(self, position: types.Position) -> Place:
        """A client position back to code points."""
        if position.line >= len(self.lines):
            return self.clamp(position.line, 0)
        text = self.lines[position.line]
        count = 0
        for index, char in enumerate(text):
            if count >= position.character:
                return position.line, index
            count += self._units(char)
        return self.clamp(position.line, len(text))

    def range(self, start: Place, end: Place) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))


@dataclass(frozen=True)
class Located:
    """A finding and where it is shown: the document (or cell) URI and its range."""

    finding: Finding
    uri: str
    start: Place
    end: Place


def locate(outcome: LintOutcome) -> list[Located]:
    """Every finding of ``outcome`` with the document it belongs to and its code-point
    range in that document."""
    snapshot = outcome.snapshot
    placed: list[Located] = []
    texts: dict[str, Positions] = {}
    for finding in outcome.findings:
        uri, text, line = _where(snapshot, finding)
        if uri is None:
            continue
        positions = texts.get(uri)
        if positions is None:
            positions = texts[uri] = Positions(text, len)
        if snapshot.kind == "notebook" and not snapshot.is_notebook_document and finding.cell is not None:
            # An .ipynb opened as text (JSON): the line of the file that holds the cell's
            # line is known, its column in the JSON string is not: the whole line.
            start = positions.clamp(line - 1, 0)
            content = positions.lines[start[0]] if start[0] < len(positions.lines) else ""
            indent = len(content) - len(content.lstrip())
            placed.append(Located(finding, uri, (start[0], indent), positions.clamp(start[0], len(content))))
            continue
        start = positions.clamp(line - 1, finding.column - 1)
        end_line = line + (finding.end_line - finding.line)
        end = positions.clamp(end_line - 1, finding.end_column - 1)
        placed.append(Located(finding, uri, start, max(start, end)))
    return placed


def _where(snapshot: Snapshot, finding: Finding) -> tuple[str | None, str, int]:
    """The URI, text and 1-based line a finding is shown at."""
    if not snapshot.is_notebook_document:
        if snapshot.kind == "notebook" and finding.cell is not None:
            return snapshot.uri, snapshot.text, finding.file_line or 1
        return snapshot.uri, snapshot.text, finding.line
    cells = snapshot.cells
    if finding.cell is not None and 0 <= finding.cell < len(cells):
        cell = cells[finding.cell]
        return cell.uri, cell.text, finding.line
    # A finding about the whole notebook (it could not be read at all): its first code cell.
    first = next((cell for cell in cells if cell.code), cells[0] if cells else None)
    if first is None:
        return None, "", 1
    return first.uri, first.text, 1


@dataclass(frozen=True)
class ClientSupport:
    """What the client says it renders in a diagnostic."""

    code_description: bool = True
    related_information: bool = True
    tags: frozenset[int] = frozenset()


def client_support(capabilities: types.ClientCapabilities | None) -> ClientSupport:
    publish = capabilities.text_document.publish_diagnostics if capabilities and capabilities.text_document else None
    if publish is None:
        return ClientSupport()
    tags = frozenset(int(tag) for tag in publish.tag_support.value_set) if publish.tag_support else frozenset()
    return ClientSupport(
        code_description=publish.code_description_support is not False,
        related_information=publish.related_information is not False,
        tags=tags,
    )


def diagnostics_by_uri(
    outcome: LintOutcome, catalog: Catalog, units: Callable[[str], int], support: ClientSupport
) -> dict[str, list[types.Diagnostic]]:
    """The diagnostics of every document ``outcome`` covers (an empty list clears a cell
    that has none)."""
    snapshot = outcome.snapshot
    published: dict[str, list[types.Diagnostic]] = {cell.uri: [] for cell in snapshot.cells} or {snapshot.uri: []}
    texts: dict[str, Positions] = {}
    display_root = Path(outcome.display_root) if outcome.display_root else None
    for located in locate(outcome):
        positions = texts.get(located.uri)
        if positions is None:
            positions = texts[located.uri] = Positions(snapshot.text_of(located.uri) or "", units)
        published.setdefault(located.uri, []).append(to_diagnostic(located, positions, catalog, support, snapshot, display_root))
    return published


def to_diagnostic(
    located: Located, positions: Positions, catalog: Catalog, support: ClientSupport, snapshot: Snapshot, display_root: Path | None
) -> types.Diagnostic:
    finding = located.finding
    rule = catalog.get(finding.rule)
    level = "note" if in_shadow(finding) else severity_of(finding, catalog)  # shadow mode is a notice
    tags = [types.DiagnosticTag.Deprecated] if finding.rule in _DEPRECATED and int(types.DiagnosticTag.Deprecated) in support.tags else None
    return types.Diagnostic(
        range=positions.range(located.start, located.end),
        message=finding.message,
        severity=_SEVERITY.get(level, types.DiagnosticSeverity.Error),
        code=finding.rule,
        code_description=types.CodeDescription(href=rule.docs_uri) if rule is not None and support.code_description else None,
        source=SOURCE,
        tags=tags,
        related_information=_flow(finding, snapshot, display_root) if support.related_information else None,
        data=diagnostic_data(located, snapshot, catalog),
    )


def diagnostic_data(located: Located, snapshot: Snapshot, catalog: Catalog) -> dict[str, Any]:
    """What a code action needs to find the finding again and what it can offer: the
    rule, the finding's own 1-based range and cell (the key among the findings of
    ``version``), and which fix the rule has (safe only when the check promised it)."""
    finding = located.finding
    rule = catalog.get(finding.rule)
    safety = fix_safety(finding, rule.fix_safety if rule is not None else "none")
    return {
        "rule": finding.rule,
        "range": [finding.line, finding.column, finding.end_line, finding.end_column],
        "cell": finding.cell,
        "version": snapshot.version,
        "fix": safety,
    }


def finding_key(finding: Finding) -> tuple[str, int, int, int, int, int | None]:
    return (finding.rule, finding.line, finding.column, finding.end_line, finding.end_column, finding.cell)


def key_of_data(data: Any) -> tuple[str, int, int, int, int, int | None] | None:
    """The finding key a diagnostic's ``data`` names (None: not one of ours)."""
    if not isinstance(data, dict):
        return None
    rule, where, cell = data.get("rule"), data.get("range"), data.get("cell")
    if not isinstance(rule, str) or not isinstance(where, list) or len(where) != 4 or not all(isinstance(n, int) for n in where):
        return None
    return (rule, where[0], where[1], where[2], where[3], cell if isinstance(cell, int) else None)


def _flow(finding: Finding, snapshot: Snapshot, display_root: Path | None) -> Sequence[types.DiagnosticRelatedInformation] | None:
    """The places the flagged value passes on its way to MLflow (a finding made through
    calls of project functions), as related locations."""
    if not finding.flow:
        return None
    from pygls.uris import from_fs_path

    related = []
    for step in finding.flow:
        base = display_root or snapshot.path.parent
        path = Path(step.path) if Path(step.path).is_absolute() else base / step.path
        uri = from_fs_path(str(path))
        if uri is None:
            continue
        place = types.Position(line=max(step.line - 1, 0), character=max(step.column - 1, 0))
        related.append(types.DiagnosticRelatedInformation(location=types.Location(uri=uri, range=types.Range(start=place, end=place)), message=step.message))
    return related or None
