"""A finding's fix on the unsaved buffer: ``fix_file`` (the ``--fix`` code) on its text.

Runs on the worker thread, and only when a code action asks for it: libcst (which the
fixes are written with) is imported here and nowhere else in the server. One finding is
fixed at a time: the fix sees that finding alone among its rule's (later passes see none
of that rule), so "Fix: ..." on one line never rewrites another line's finding, while
its check that the result parses and adds no finding of other rules still holds.
"""

from __future__ import annotations

from mlflow_lint.findings import Finding
from mlflow_lint.lsp.documents import Snapshot, cells_of_notebook_json
from mlflow_lint.lsp.linting import DocumentLinter

FIXABLE_KINDS = ("python", "notebook")


def fixed_texts(linter: DocumentLinter, snapshot: Snapshot, target: Finding | None, *, unsafe: bool) -> dict[str, str]:
    """The new text of every document the fix changes (a notebook's: per cell), for the
    fix of ``target`` (None: every safe fix, "fix all"); empty when nothing changes."""
    from mlflow_lint.fixes.apply import ALL_FIXES, fix_file

    if snapshot.kind not in FIXABLE_KINDS:
        return {}
    found = linter.lint_function(snapshot)
    if found is None:
        return {}
    lint, options = found
    original = snapshot.data()
    if target is None:
        fixes = [fix for fix in ALL_FIXES if fix.safety == "safe"]

        def scoped(content: bytes) -> list[Finding]:
            return lint(content)

    else:
        fixes = [fix for fix in ALL_FIXES if fix.rule == target.rule and (unsafe or fix.safety == "safe")]
        first: list[bytes] = []  # fix_file lints the document as it reads it first

        def scoped(content: bytes) -> list[Finding]:
            # The target alone among its rule's findings: the fixes rewrite what they are given.
            if not first:
                first.append(content)
            keep_target = content == first[0]
            return [f for f in lint(content) if f.rule != target.rule or (keep_target and _same(f, target))]

    if not fixes:
        return {}
    # unsafe=True with the fixes chosen above: fix_file would otherwise also try every
    # unsafe fix, to count what --unsafe-fixes would add (a CLI message).
    result = fix_file(snapshot.uri, original, snapshot.kind, scoped, options, unsafe=True, fixes=fixes)
    if not result.changed:
        return {}
    lint(original)  # the project index holds the buffer again, not the last candidate
    fixed = result.fixed.decode("utf-8", "surrogatepass")
    if not snapshot.is_notebook_document:
        return {snapshot.uri: fixed}
    sources = cells_of_notebook_json(fixed)
    if sources is None or len(sources) != len(snapshot.cells):
        return {}
    return {cell.uri: source for cell, source in zip(snapshot.cells, sources, strict=True) if source != cell.text}


def _same(finding: Finding, target: Finding) -> bool:
    return (finding.line, finding.column, finding.end_line, finding.end_column, finding.cell) == (
        target.line,
        target.column,
        target.end_line,
        target.end_column,
        target.cell,
    )
