"""Code actions: fix a finding, or suppress it with a reasoned ``# noqa``.

For each finding under the cursor (the client's diagnostics name them through their
``data``): "Fix: ..." when the rule's fix is safe and the check promised it for this
finding; "Unsafe fix (review): ..." for a rule whose fix changes behaviour (the title says
so; never preferred); "Suppress MLFnnn on this line". A "fix all" source action
(``source.fixAll.mlflow-lint``) applies every safe fix when the client asks for it (VS
Code's ``editor.codeActionsOnSave``). Every edit is computed on the worker thread from the
version the editor shows, checked before it is offered (a fix must parse and add no other
finding; a suppression must make the finding go away), and remembered for that version.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from mlflow_lint.findings import Finding, fix_safety
from mlflow_lint.lsp.diagnostics import SOURCE, Located, Positions, finding_key, key_of_data, locate, to_diagnostic
from mlflow_lint.lsp.documents import Snapshot
from mlflow_lint.lsp.edits import TextChange, apply_changes, changes_between, describe
from mlflow_lint.lsp.noqa import Suppression, suppression

if TYPE_CHECKING:
    from mlflow_lint.lsp.linting import DocumentLinter, LintOutcome
    from mlflow_lint.lsp.server import Session

FIX_ALL = "source.fixAll.mlflow-lint"


@dataclass(frozen=True)
class _Edit:
    """A computed edit: the changes per document URI."""

    changes: dict[str, list[TextChange]]
    title: str
    snippet: bool = False  # the last change ends where the suppression's reason goes


async def code_actions(session: Session, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    snapshot = session.snapshot_of(session.key_of(uri))
    if snapshot is None or snapshot.text_of(uri) is None:
        return None
    outcome = await session.current_outcome(snapshot)
    if outcome is None:
        return None  # edited again meanwhile: the client asks again for the new version
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(only, types.CodeActionKind.QuickFix):
        positions = Positions(snapshot.text_of(uri) or "", session.units)
        for located, diagnostic in _requested(session, outcome, uri, params, positions):
            actions.extend(await _finding_actions(session, snapshot, located, diagnostic, outcome.findings))
    if only is not None and _wanted(only, FIX_ALL) and any(f.fix == "safe" for f in outcome.findings):
        edit = await session.remembered(snapshot, ("fix-all",), _fix_all, session.linter, snapshot)
        if edit is not None:
            actions.append(types.CodeAction(title=edit.title, kind=FIX_ALL, edit=_workspace_edit(session, snapshot, edit)))
    return actions


def _wanted(only: Any, kind: str) -> bool:
    """Whether the client's ``only`` filter admits ``kind`` (a kind admits its sub-kinds)."""
    if not only:
        return True
    kind = _kind_value(kind)
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in map(_kind_value, only))


def _kind_value(kind: Any) -> str:
    """A code action kind as its text (lsprotocol's enum members print as their names)."""
    return str(kind.value) if isinstance(kind, enum.Enum) else str(kind)


def _requested(
    session: Session, outcome: LintOutcome, uri: str, params: types.CodeActionParams, positions: Positions
) -> list[tuple[Located, types.Diagnostic]]:
    """The findings the request is about: those its diagnostics name, else those whose
    range meets the requested range."""
    here = [item for item in locate(outcome) if item.uri == uri]
    by_key = {finding_key(item.finding): item for item in here}
    named: list[tuple[Located, types.Diagnostic]] = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE:
            continue
        key = key_of_data(diagnostic.data)
        item = by_key.get(key) if key is not None else None
        if item is not None and all(item is not other for other, _ in named):
            named.append((item, diagnostic))
    if named:
        return named
    start, end = positions.place(params.range.start), positions.place(params.range.end)
    return [
        (item, to_diagnostic(item, positions, session.linter.catalog, session.diagnostic_support, outcome.snapshot, None))
        for item in here
        if item.start <= end and start <= item.end
    ]


async def _finding_actions(
    session: Session, snapshot: Snapshot, located: Located, diagnostic: types.Diagnostic, findings: tuple[Finding, ...]
) -> list[types.CodeAction]:
    finding = located.finding
    rule = session.linter.catalog.get(finding.rule)
    actions: list[types.CodeAction] = []
    key = finding_key(finding)
    safety = fix_safety(finding, rule.fix_safety if rule is not None else "none")
    if safety != "none":
        unsafe = safety == "unsafe"
        edit = await session.remembered(snapshot, ("fix", key), _fix_one, session.linter, snapshot, finding, unsafe)
        if edit is not None:
            title = f"Unsafe fix (review): {edit.title}" if unsafe else f"Fix: {edit.title}"
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=not unsafe,
                    edit=_workspace_edit(session, snapshot, edit),
                )
            )
    if finding.rule != "MLF000":  # "could not be analysed" is not a finding a comment can waive
        edit = await session.remembered(snapshot, ("noqa", key), _suppress, session.linter, snapshot, located, findings)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    title=edit.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=_workspace_edit(session, snapshot, edit),
                )
            )
    return actions


# -- on the worker thread ----------------------------------------------------------------
def _fix_one(linter: DocumentLinter, snapshot: Snapshot, finding: Finding, unsafe: bool) -> _Edit | None:
    from mlflow_lint.lsp.fixes import fixed_texts

    texts = fixed_texts(linter, snapshot, finding, unsafe=unsafe)
    return _edit_from_texts(snapshot, texts, _fallback_title(linter, finding))


def _fix_all(linter: DocumentLinter, snapshot: Snapshot) -> _Edit | None:
    from mlflow_lint.lsp.fixes import fixed_texts

    texts = fixed_texts(linter, snapshot, None, unsafe=False)
    edit = _edit_from_texts(snapshot, texts, "")
    return replace(edit, title="Fix all safely fixable mlflow-lint findings") if edit is not None else None


def _edit_from_texts(snapshot: Snapshot, texts: dict[str, str], fallback: str) -> _Edit | None:
    changes = {uri: changes_between(snapshot.text_of(uri) or "", text) for uri, text in texts.items()}
    changes = {uri: found for uri, found in changes.items() if found}
    if not changes:
        return None
    title = None
    if len(texts) == 1:
        uri, text = next(iter(texts.items()))
        title = describe(snapshot.text_of(uri) or "", text)
    return _Edit(changes, title or fallback)


def _fallback_title(linter: DocumentLinter, finding: Finding) -> str:
    rule = linter.catalog.get(finding.rule)
    return f"{finding.rule} {rule.name}" if rule is not None else finding.rule


def _suppress(linter: DocumentLinter, snapshot: Snapshot, located: Located, before: tuple[Finding, ...]) -> _Edit | None:
    """The suppression edit, offered only if linting its result shows one finding of the
    rule fewer and nothing that could not be analysed."""
    finding = located.finding
    text = snapshot.text_of(located.uri)
    if text is None:
        return None
    found: Suppression | None = suppression(text, _comment_kind(snapshot), finding.rule, located.start[0] + 1)
    if found is None:
        return None
    edited = _with_text(snapshot, located.uri, apply_changes(text, [found.change]))
    after = linter.lint(edited).findings
    if _count(after, finding.rule) >= _count(before, finding.rule) or _count(after, "MLF000") > _count(before, "MLF000"):
        return None
    return _Edit({located.uri: [found.change]}, f"Suppress {finding.rule} on this line", snippet=found.asks_reason)


def _comment_kind(snapshot: Snapshot) -> str:
    """How comments are found: Python's tokens for Python and notebook cells, else ``#``
    comments (an ``.ipynb`` opened as JSON text has none that would count)."""
    if snapshot.kind == "notebook" and not snapshot.is_notebook_document:
        return "json"
    return snapshot.kind


def _with_text(snapshot: Snapshot, uri: str, text: str) -> Snapshot:
    if not snapshot.is_notebook_document:
        return replace(snapshot, text=text)
    cells = tuple(replace(cell, text=text) if cell.uri == uri else cell for cell in snapshot.cells)
    return replace(snapshot, cells=cells)


def _count(findings: tuple[Finding, ...], rule: str) -> int:
    return sum(1 for finding in findings if finding.rule == rule)


# -- back on the event loop ----------------------------------------------------------------
def _workspace_edit(session: Session, snapshot: Snapshot, edit: _Edit) -> types.WorkspaceEdit:
    """Versioned document changes when the client takes them (an edit made for an older
    version is then refused instead of applied in the wrong place), else plain changes."""
    per_document: dict[str, list[Any]] = {}
    for uri, changes in edit.changes.items():
        positions = Positions(snapshot.text_of(uri) or "", session.units)
        edits: list[Any] = []
        for index, change in enumerate(changes):
            where = positions.range(change.start, change.end)
            if edit.snippet and index == len(changes) - 1 and session.snippet_edits:
                snippet = _escape_snippet(change.new_text) + "${1:reason}"
                edits.append(types.SnippetTextEdit(range=where, snippet=types.StringValue(value=snippet)))
            else:
                edits.append(types.TextEdit(range=where, new_text=change.new_text))
        per_document[uri] = edits
    if not session.document_changes:
        return types.WorkspaceEdit(changes={uri: [e for e in edits if isinstance(e, types.TextEdit)] for uri, edits in per_document.items()})
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=_version_of(snapshot, uri)),
                edits=edits,
            )
            for uri, edits in per_document.items()
        ]
    )


def _version_of(snapshot: Snapshot, uri: str) -> int | None:
    if not snapshot.is_notebook_document:
        return snapshot.version
    return next((cell.version for cell in snapshot.cells if cell.uri == uri), None)


def _escape_snippet(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")
