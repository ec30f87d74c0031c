"""What a fix is: a libcst transformer that rewrites the nodes findings point at.

A fix receives the findings of its rule, finds each flagged node by its exact position
(the finding's line and columns) and rewrites it only when the node has the shape the fix
knows; anything else is left alone. Formatting and comments outside the rewritten node
are kept, because libcst round-trips the source.

A fix rewrites one unit at a time (a module, or one code cell of a notebook), but a name it
writes is looked up in the whole program the unit runs in: :class:`Program` is that context,
and :meth:`Fix.names_module` / :meth:`Fix.with_import` decide with it whether a name such as
``os`` means the module at the fix site and whether an import must be added.
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from mlflow_lint.config import RuleOptions
from mlflow_lint.findings import NO_FIX, Finding

Span = tuple[int, int, int, int]  # line, column (0-based chars), end line, end column (exclusive)


def span_of(finding: Finding) -> Span:
    """A finding's range in libcst's coordinates (its columns are 0-based)."""
    return (finding.line, finding.column - 1, finding.end_line, finding.end_column - 1)


def _shifted(span: Span, lines: int, columns: int) -> Span:
    line, column, end_line, end_column = span
    return (line - lines, column - columns, end_line - lines, end_column - columns)


@dataclass(frozen=True)
class Piece:
    """Lines ``first`` to ``last`` (1-based, inclusive) of a unit, fixed apart from the rest.
    ``indent``: what every line of it starts with (a statement inside a class or a
    function), taken off while it is parsed and fixed and put back after."""

    first: int
    last: int
    indent: str = ""


@dataclass(frozen=True)
class Program:
    """The code a unit runs in: every unit in run order and the unit's place among them.

    A module is a program of one unit. A notebook is one module whose cells run in order
    (the code cells, with magics neutralised as the analysis sees them): a name bound in
    one cell is bound in every later one, and an import in an earlier cell serves them all.
    """

    units: tuple[str, ...]
    position: int = 0

    def binds_otherwise(self, name: str) -> bool:
        """Whether any unit binds ``name`` to anything but the top-level module ``name``."""
        return any(_binds_otherwise(unit, name) for unit in self.units)

    def imported_before(self, name: str) -> bool:
        """Whether an earlier unit runs ``import name`` at its top level, unconditionally."""
        return any(_imports_at_top(unit, name) for unit in self.units[: self.position])


class Fix(cst.CSTTransformer):
    """One rewrite for one rule. Subclasses implement ``rewrite`` (or a ``leave_*`` hook)."""

    rule: ClassVar[str]
    safety: ClassVar[str]  # "safe" (--fix) or "unsafe" (--unsafe-fixes)
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(
        self,
        findings: Sequence[Finding],
        options: RuleOptions,
        program: Program | None = None,
        first_line: int = 1,
        indent: int = 0,
    ) -> None:
        """``first_line``: the line of the unit the visited code starts on, ``indent``: the
        columns taken off each of its lines (a fix visits the statements that hold its
        targets, not the whole unit: :class:`Piece`)."""
        super().__init__()
        self.targets = {
            _shifted(span_of(finding), first_line - 1, indent): finding
            for finding in findings
            if finding.rule == self.rule and finding.fix != NO_FIX
        }
        self.options = options
        self.program = program
        self.applied: list[Finding] = []

    def names_module(self, module: cst.Module, name: str) -> bool:
        """Whether ``name`` written anywhere in ``module`` means the top-level module ``name``
        (once imported): nothing in the whole program binds the name to anything else.

        Every kind of binding counts, in any scope and any cell, before or after the fix
        site: a narrower answer would have to follow scopes and run order, and a wrong one
        turns a rewrite into a call on something else."""
        return not (self.program or Program((module.code,))).binds_otherwise(name)

    def with_import(self, module: cst.Module, name: str) -> cst.Module:
        """``module`` with ``import name`` added at its top, unless the unit already imports
        it or an earlier unit of the program does (then the name is bound when this runs).
        ``import os.path`` and ``import os as os`` import ``os`` too."""
        if _imports_at_top(module.code, name) or (self.program is not None and self.program.imported_before(name)):
            return module
        # Here, not at the top: libcst.codemod loads libcst.matchers (0.15 s), which only
        # a fix that adds an import needs.
        from libcst.codemod import CodemodContext
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        AddImportsVisitor.add_needed_import(context, name)
        return AddImportsVisitor(context).transform_module(module)

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

    # libcst types on_leave as returning the type it was given; a rewrite may return another
    # (a subscript becomes a call), which is what the transformer accepts at run time.
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
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


class Parses:
    """libcst parses of the code a file's fixes read, with their resolved metadata, reused
    while the text is the same: every fix tried on a unit reads it, and most try and change
    nothing (resolving positions and parents costs several times the parse). A fix
    that changed nothing for the same text and the same targets is not run again in a
    later pass. Holds the parses of the document's current units only (``retain``): a
    module's tree with its metadata can take tens of MiB.

    What is parsed is a :class:`Piece` of a unit: the lines of the statements that hold a
    fix's targets (adjacent ones together), not the whole unit. libcst resolves positions
    by generating the code of every node it visits, so a fix on one call of a long module
    pays for that call's statement, not for the module. A long compound statement (a
    class, a function, a ``with`` block) is looked into: its inner statements are the
    pieces, when their lines can be dedented and indented back exactly."""

    def __init__(self) -> None:
        self._wrappers: dict[tuple[str, Piece | None], MetadataWrapper] = {}
        self._statements: dict[str, tuple[list[str], list[ast.stmt]] | None] = {}
        self._unchanged: set[tuple[type[Fix], str, int, frozenset[Span], Program | None]] = set()

    def wrapper(self, source: str, piece: Piece | None = None) -> MetadataWrapper:
        """The parse of ``source`` (a unit), or of its ``piece`` (dedented)."""
        key = (source, piece)
        found = self._wrappers.get(key)
        if found is None:
            text = source if piece is None else self.text(source, piece)
            # The module is parsed here and shared by nobody else: no defensive copy.
            found = self._wrappers[key] = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        return found

    def lines(self, source: str) -> list[str]:
        """The lines (ends kept) of a unit that ``pieces`` split."""
        split = self._split(source)
        assert split is not None, "pieces are only made of units that parse"
        return split[0]

    def text(self, source: str, piece: Piece) -> str:
        """The piece's lines, its indentation taken off (``_dedentable`` made sure it can be)."""
        return _dedented(self.lines(source), piece)

    def pieces(self, source: str, spans: Iterable[Span]) -> list[Piece] | None:
        """The pieces that hold ``spans``, in order; None when the unit is fixed whole (it does
        not parse here, or its lines are not the parser's)."""
        split = self._split(source)
        if split is None:
            return None
        lines, statements = split
        wanted = sorted((start, end) for start, _, end, _ in spans)
        return _merged(_chosen(statements, "", wanted, lines))

    def _split(self, source: str) -> tuple[list[str], list[ast.stmt]] | None:
        """The unit's lines (ends kept) and its top-level statements."""
        if source not in self._statements:
            self._statements[source] = _statements_of(source)
        return self._statements[source]

    def retain(self, sources: Iterable[str]) -> None:
        """Forget the parses of every text but ``sources`` (the units of the document now)."""
        kept = set(sources)
        self._wrappers = {key: wrapper for key, wrapper in self._wrappers.items() if key[0] in kept}
        self._statements = {source: split for source, split in self._statements.items() if source in kept}

    # A fix's decision rests on the code it visits, its targets' places there and the
    # program around the unit (the names other cells bind): the same three, the same decision.
    def known_unchanged(self, fix: Fix, text: str, first_line: int) -> bool:
        return (type(fix), text, first_line, frozenset(fix.targets), fix.program) in self._unchanged

    def note_unchanged(self, fix: Fix, text: str, first_line: int) -> None:
        self._unchanged.add((type(fix), text, first_line, frozenset(fix.targets), fix.program))


# Python's line ends: "\f" and the other characters str.splitlines also splits on are not.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LINE_END = frozenset({"\n", "\r\n", "\r"})
# A compound statement of this many lines is fixed by the statements inside it: below it,
# one more parse per inner piece costs about what the lines saved.
_LOOK_INSIDE_FROM = 30


def _statements_of(source: str) -> tuple[list[str], list[ast.stmt]] | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = _LINE.findall(source)
    if "".join(lines) != source:
        return None
    if any((statement.end_lineno or statement.lineno) > len(lines) for statement in tree.body):
        return None  # the parser counts lines another way: fix the unit whole
    return lines, tree.body


def _extent(statement: ast.stmt) -> tuple[int, int]:
    """A statement's lines, its decorators included."""
    decorators = getattr(statement, "decorator_list", [])
    first = min([statement.lineno, *(decorator.lineno for decorator in decorators)])
    return first, statement.end_lineno or statement.lineno


def _chosen(statements: list[ast.stmt], indent: str, spans: list[tuple[int, int]], lines: list[str]) -> list[Piece]:
    """The pieces of ``statements`` (one block, all at ``indent``) that hold ``spans``
    (sorted (first line, last line) pairs), in order."""
    chosen: list[Piece] = []
    next_span = 0
    for statement in statements:  # both in line order: one sweep
        first, last = _extent(statement)
        while next_span < len(spans) and spans[next_span][1] < first:
            next_span += 1  # ends before this statement (on a line of no statement)
        if next_span == len(spans):
            break
        if spans[next_span][0] > last:
            continue  # the next span starts after this statement
        nested = None
        if last - first + 1 >= _LOOK_INSIDE_FROM:
            window = spans[next_span : bisect.bisect_right(spans, (last, sys.maxsize))]
            nested = _inner_pieces(statement, [span for span in window if span[1] >= first], lines)
        chosen.extend(nested if nested is not None else [Piece(first, last, indent)])
    return chosen


def _inner_pieces(statement: ast.stmt, spans: list[tuple[int, int]], lines: list[str]) -> list[Piece] | None:
    """The pieces inside a compound statement that hold ``spans``; None when the statement
    must be fixed as one piece: a span outside its inner statements (a decorator, a ``def``
    line, an ``if`` test), or an inner statement that cannot be cut out and put back as
    it was (it shares a line with another, or a line of it is indented less, as a
    multi-line string's may be)."""
    chosen: list[Piece] = []
    for block in _blocks_of(statement):
        first, last = _extent(block[0])[0], block[-1].end_lineno or block[-1].lineno
        held = spans[bisect.bisect_left(spans, (first, 0)) : bisect.bisect_right(spans, (last, sys.maxsize))]
        if not held:
            continue
        indent = _clean_indent(block, lines)
        if indent is None:
            return None
        pieces = _chosen(block, indent, held, lines)
        if not all(_dedentable(lines, piece) and _parses(_dedented(lines, piece)) for piece in pieces):
            return None
        chosen.extend(pieces)
    return chosen if chosen and _all_inside(spans, chosen) else None


def _all_inside(spans: list[tuple[int, int]], pieces: list[Piece]) -> bool:
    """Whether every span lies within one of the pieces (both sorted, the pieces disjoint)."""
    piece = 0
    for start, end in spans:
        while piece < len(pieces) and pieces[piece].last < start:
            piece += 1
        if piece == len(pieces) or not (pieces[piece].first <= start and end <= pieces[piece].last):
            return False
    return True


def _blocks_of(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists a compound statement holds, in source order. An ``elif`` is an
    ``If`` in its parent's ``orelse`` that starts at the parent's column: its own blocks
    are the parent's (its ``elif`` line, like the ``if`` line, is no piece's)."""
    blocks: list[list[ast.stmt]] = []
    for name in ("body", "handlers", "orelse", "finalbody", "cases"):
        value = getattr(statement, name, None)
        if not isinstance(value, list) or not value:
            continue
        if name in ("handlers", "cases"):
            blocks.extend(item.body for item in value if item.body)
        elif name == "orelse" and _is_elif(statement, value):
            blocks.extend(_blocks_of(value[0]))
        elif isinstance(value[0], ast.stmt):
            blocks.append(value)
    return blocks


def _is_elif(statement: ast.stmt, orelse: list[ast.stmt]) -> bool:
    return (
        isinstance(statement, ast.If)
        and len(orelse) == 1
        and isinstance(orelse[0], ast.If)
        and orelse[0].col_offset == statement.col_offset
    )


def _clean_indent(block: list[ast.stmt], lines: list[str]) -> str | None:
    """The indentation of a block whose statements each have lines of their own (none shares
    a line with its header or a sibling), all at the same indentation; else None."""
    indent: str | None = None
    previous_last = 0
    for inner in block:
        first, last = _extent(inner)
        if first <= previous_last:
            return None  # shares a line with the statement before
        previous_last = last
        line = lines[first - 1]
        column = inner.col_offset if first == inner.lineno else len(line) - len(line.lstrip(" \t"))
        prefix = line[:column]
        if prefix.strip(" \t") or (indent is not None and prefix != indent):
            return None  # after a header on its line (``if x: y``), or not aligned with the block
        indent = prefix
    return indent or None


def _dedentable(lines: list[str], piece: Piece) -> bool:
    """Whether every line of ``piece`` starts with its indentation followed by more than a
    line end, or is an empty line: then taking the indentation off each line and putting
    it back on each non-empty line gives the same text."""
    cut = len(piece.indent)
    for line in lines[piece.first - 1 : piece.last]:
        if line in _LINE_END or line == "":
            continue
        if not line.startswith(piece.indent) or line[cut:] in _LINE_END or line[cut:] == "":
            return False
    return True


def _dedented(lines: list[str], piece: Piece) -> str:
    """The lines of ``piece``, its indentation taken off each line that has it."""
    kept = lines[piece.first - 1 : piece.last]
    if not piece.indent:
        return "".join(kept)
    cut = len(piece.indent)
    return "".join(line[cut:] if line.startswith(piece.indent) else line for line in kept)


def _parses(text: str) -> bool:
    """Whether a dedented piece is code on its own (a check before libcst is given it: a
    piece that failed to parse there would lose its fix, not fall back to a larger one)."""
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _indented(text: str, indent: str) -> str:
    """``text`` with ``indent`` put back on every line that is not empty (``_dedentable``)."""
    if not indent:
        return text
    return "".join(line if line in _LINE_END else indent + line for line in _LINE.findall(text))


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Pieces that share or touch a line go together when they are at the same indentation."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and piece.first <= merged[-1].last + 1 and piece.indent == merged[-1].indent:
            merged[-1] = Piece(merged[-1].first, max(piece.last, merged[-1].last), piece.indent)
        else:
            merged.append(piece)
    return merged


def run_fix(
    fix_class: type[Fix],
    source: str,
    findings: Sequence[Finding],
    options: RuleOptions,
    program: Program | None = None,
    parses: Parses | None = None,
) -> tuple[str, list[Finding]]:
    """Apply one fix to a unit's source: the new source and the findings it fixed.
    ``program``: the code the unit runs in (default: the unit alone, a module).
    ``parses``: parses to reuse across the fixes of one file (default: a fresh parse).

    The fix visits each piece of the unit that holds its targets (``Parses.pieces``), and
    what it adds to the whole module (an import) is added to the rewritten unit after."""
    mine = [finding for finding in findings if finding.rule == fix_class.rule and finding.fix != NO_FIX]
    if not mine:
        return source, []
    parses = parses or Parses()
    program = program or Program((source,))  # names are looked up in the whole unit, never a piece
    pieces = parses.pieces(source, [span_of(finding) for finding in mine])
    if pieces is None:  # a unit Python cannot parse here: visited whole
        fix = fix_class(mine, options, program)
        module = _visited(fix, source, 1, parses, lambda: parses.wrapper(source))
        return (fix.finish(module).code, fix.applied) if module is not None else (source, [])
    split = parses.lines(source)
    out: list[str] = []
    finishing: list[Fix] = []
    done_to = 0  # lines of the unit already in ``out``
    for piece in pieces:
        inside = [finding for finding in mine if piece.first <= finding.line and finding.end_line <= piece.last]
        fix = fix_class(inside, options, program, first_line=piece.first, indent=len(piece.indent))
        text = parses.text(source, piece)
        out.extend(split[done_to : piece.first - 1])
        done_to = piece.last
        module = _visited(fix, text, piece.first, parses, functools.partial(parses.wrapper, source, piece))
        if module is None:
            out.extend(split[piece.first - 1 : piece.last])
        else:
            out.append(_indented(module.code, piece.indent))
            finishing.append(fix)
    if not finishing:
        return source, []
    out.extend(split[done_to:])
    fixed = "".join(out)
    if any(type(fix).finish is not Fix.finish for fix in finishing):
        whole = cst.parse_module(fixed)
        for fix in finishing:
            whole = fix.finish(whole)
        fixed = whole.code
    return fixed, [finding for fix in finishing for finding in fix.applied]


def _visited(fix: Fix, text: str, first_line: int, parses: Parses, wrapper: Callable[[], MetadataWrapper]) -> cst.Module | None:
    """``text`` (starting on ``first_line`` of its unit) as ``fix`` rewrites it; None when the
    fix changes nothing there, which ``parses`` remembers for the same text and targets."""
    if not fix.targets or parses.known_unchanged(fix, text, first_line):
        return None
    module = wrapper().visit(fix)
    if not fix.applied:
        parses.note_unchanged(fix, text, first_line)
        return None
    return module


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


# ---------------------------------------------------------------------------- names in a program
def _binds_otherwise(source: str, name: str) -> bool:
    """Whether ``source`` binds ``name`` to anything but the top-level module ``name``
    (``import os``, ``import os.path`` and ``import os as os`` bind the module itself).

    Every binding Python has: imports, assignment and augmented assignment targets, ``del``,
    ``for`` / ``with`` / comprehension targets, the walrus, parameters (also of lambdas),
    ``def`` / ``class`` names, ``except ... as``, ``match`` captures, type parameters, and
    ``global`` / ``nonlocal`` (which let a function rebind it). A unit that does not parse
    may bind anything. Not seen: ``from m import *`` (which, when it exports the name, almost
    always re-exports the module) and writes through ``globals()`` or ``exec``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == name and not (isinstance(node, ast.Import) and _imports_module(alias, name)):
                    return True
        elif isinstance(node, ast.Name):
            if node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
                return True
        elif isinstance(node, ast.arg):
            if node.arg == name:
                return True
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            if name in node.names:
                return True
        elif isinstance(node, _NAMED_BINDERS):
            if getattr(node, "name", None) == name:
                return True
        elif isinstance(node, ast.MatchMapping) and node.rest == name:
            return True
    return False


# Nodes whose ``name`` attribute (a str, not an ast.Name) is a binding.
_NAMED_BINDERS: tuple[type[ast.AST], ...] = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.ExceptHandler,
    ast.MatchAs,
    ast.MatchStar,
    *(getattr(ast, kind) for kind in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, kind)),  # Python 3.12+
)


def _imports_at_top(source: str, name: str) -> bool:
    """Whether ``source`` runs ``import name`` (or ``import name.sub``) as a statement of its
    own top level: not inside a function, a class, an ``if`` or a ``try``, which may not run."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(
        isinstance(statement, ast.Import) and any(_imports_module(alias, name) for alias in statement.names)
        for statement in tree.body
    )


def _imports_module(alias: ast.alias, name: str) -> bool:
    """Whether an ``import`` alias binds ``name`` to the module ``name``: ``import os``,
    ``import os.path`` (binds ``os``), ``import os as os``; not ``import os.path as os``."""
    if alias.asname is None:
        return alias.name.split(".")[0] == name
    return alias.asname == name and alias.name == name
