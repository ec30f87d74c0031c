"""What a fix is: a libcst transformer that rewrites the nodes findings point at.

A fix receives the findings of its rule, finds each flagged node by its exact position
(the finding's line and columns) and rewrites it only when the node has the shape the fix
knows; anything else is left alone. Formatting and comments outside the rewritten node
are kept, because libcst round-trips the source.
"""

from __future__ import annotations

from typing import ClassVar, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from mlflow_lint.config import RuleOptions
from mlflow_lint.findings import Finding

Span = tuple[int, int, int, int]  # line, column (0-based chars), end line, end column (exclusive)


def span_of(finding: Finding) -> Span:
    """A finding's range in libcst's coordinates (its columns are 0-based)."""
    return (finding.line, finding.column - 1, finding.end_line, finding.end_column - 1)


class Fix(cst.CSTTransformer):
    """One rewrite for one rule. Subclasses implement ``rewrite`` (or a ``leave_*`` hook)."""

    rule: ClassVar[str]
    safety: ClassVar[str]  # "safe" (--fix) or "unsafe" (--unsafe-fixes)
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(self, findings: Sequence[Finding], options: RuleOptions) -> None:
        super().__init__()
        self.targets = {span_of(finding): finding for finding in findings if finding.rule == self.rule}
        self.options = options
        self.applied: list[Finding] = []

    def target(self, node: cst.CSTNode) -> Finding | None:
        """The finding flagged at exactly this node's range, if any."""
        try:
            where = self.get_metadata(PositionProvider, node)
        except KeyError:
            return None
        return self.targets.get((where.start.line, where.start.column, where.end.line, where.end.column))

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        try:
            return self.get_metadata(ParentNodeProvider, node)
        except KeyError:
            return None

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[no-untyped-def, override]
        finding = self.target(original_node)
        if finding is not None:
            result = self.rewrite(original_node, updated_node, finding)
            if result is not None:
                self.applied.append(finding)
                return result
        return super().on_leave(original_node, updated_node)

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        """The replacement for a flagged node, or None when its shape is not one this fix knows."""
        return None

    def finish(self, module: cst.Module) -> cst.Module:
        """After the traversal (e.g. add an import the rewrites need)."""
        return module


def run_fix(fix_class: type[Fix], source: str, findings: Sequence[Finding], options: RuleOptions) -> tuple[str, list[Finding]]:
    """Apply one fix to a module's source: the new source and the findings it fixed."""
    fix = fix_class(findings, options)
    if not fix.targets:
        return source, []
    module = MetadataWrapper(cst.parse_module(source)).visit(fix)
    if not fix.applied:
        return source, []
    return fix.finish(module).code, fix.applied


def code_of(node: cst.CSTNode) -> str:
    """A node's source without its surrounding whitespace."""
    return cst.Module(body=[]).code_for_node(node).strip()


def string_literal(text: str, like: cst.CSTNode | None = None) -> cst.SimpleString:
    """A plain string literal of ``text`` (no quotes or backslashes in it), quoted like ``like``."""
    quote = like.quote if isinstance(like, cst.SimpleString) and len(like.quote) == 1 else '"'
    return cst.SimpleString(f"{quote}{text}{quote}")


def plain_string_value(node: cst.CSTNode) -> str | None:
    """The value of a plain (not bytes, not f-) string literal, else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = plain_string_value(node.left), plain_string_value(node.right)
        return left + right if left is not None and right is not None else None
    return None
