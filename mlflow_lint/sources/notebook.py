"""Notebooks: Jupyter ``.ipynb`` and Databricks source notebooks, as one virtual module.

Code cells are concatenated into one Python source (so constants resolve across cells)
with a map from each virtual line back to (cell index, line in cell). IPython magics
(``%pip``, ``!cmd``, ``%%bash`` cells, ``?`` help) become ``pass`` lines, so they are
neither parse errors nor findings; a ``!`` line that runs mlflow becomes the call IPython
makes of it, ``get_ipython().system(f"...")``, read as the commands Python starts are
(analysis.started_commands). Markdown cells and outputs are never read. A cell that
does not parse is reported (MLF000) and blanked, and the rest is still analysed.
"""

from __future__ import annotations

import ast
import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from mlflow_lint.sources.python import UnanalysableSource, parse_python

DATABRICKS_HEADER = "# Databricks notebook source"
_DATABRICKS_CELL = re.compile(r"^# COMMAND -{5,}\s*$")
_LINE_MAGIC = re.compile(r"^(\s*)(%|!|\?|[A-Za-z_][\w.]*\?{1,2}\s*$)")
# IPython "automagic": magics and shell aliases that work without % (``ls "/tmp"``,
# ``cd data``, ``pip install x``). Only a line that is not Python with them is neutralised.
_AUTOMAGIC = re.compile(
    r"^(\s*)(ls|ll|cd|pwd|cat|cp|mv|rm|rmdir|mkdir|pip|conda|mamba|env|who|whos|history|clear|less|more|"
    r"man|alias|pycat|load_ext|matplotlib|lsmagic|pushd|popd|dirs|bookmark|reset|store|xdel)"
    r"(\s+(?![=(\[.,:+\-*/%<>!&|^]|is\b|in\b|and\b|or\b|if\b|for\b)\S.*)?\s*$"
)
_PYTHON_CELL_MAGICS = frozenset({"%%time", "%%timeit", "%%capture", "%%python", "%%prun", "%%debug"})


# Python's line breaks only. str.splitlines also breaks at \x0b, \x0c, \x1c-\x1e, \x85,
# \u2028 and \u2029, which inside a string literal or a comment are part of the line: a
# cell split there no longer parses, and later line numbers shift.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def python_lines(text: str) -> list[str]:
    """``text`` split into lines as Python's tokenizer counts them (no line ends kept)."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


class CorruptNotebook(Exception):
    """The file is not a notebook we can read (the reason is the message; ``line`` and
    ``column``, 1-based, where in the file the JSON went wrong)."""

    def __init__(self, reason: str, line: int = 1, column: int = 1) -> None:
        super().__init__(reason)
        self.line = max(line, 1)
        self.column = max(column, 1)


@dataclass(frozen=True)
class Cell:
    index: int  # 0-based index among all cells of the notebook
    lines: tuple[str, ...]


@dataclass
class VirtualSource:
    """Concatenated code cells and the way back to positions users see.

    ``origins`` maps each virtual line (0-based) to (cell index, 1-based line in that
    cell); for Databricks source notebooks, which are .py files in the repository, the
    cell is None and the line is the file's own line.
    """

    text: str
    origins: list[tuple[int | None, int]]
    cells: list[Cell]
    # Virtual lines longer than the cell's line they stand for (a ``!mlflow ...`` line read as
    # ``get_ipython().system(...)``): 1-based line -> the written line's length, to which
    # the columns of a finding there are clamped.
    widths: dict[int, int] = field(default_factory=dict)

    def origin(self, line: int) -> tuple[int | None, int]:
        if 1 <= line <= len(self.origins):
            return self.origins[line - 1]
        return self.origins[-1] if self.origins else (None, max(line, 1))

    def cell_of(self, line: int) -> int | None:
        """The index (into ``cells``) of the cell holding a 1-based virtual line."""
        if not 1 <= line <= len(self.cell_numbers):
            return None
        return self.cell_numbers[line - 1]

    @property
    def cell_numbers(self) -> list[int]:
        numbers: list[int] = self.__dict__.setdefault("_cell_numbers", [])
        return numbers


def read_ipynb(data: bytes) -> list[Cell]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorruptNotebook(f"not a valid notebook (not UTF-8: invalid byte at line {line})", line) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise CorruptNotebook(f"not a valid notebook (invalid JSON at {where}: {exc.msg})", exc.lineno, exc.colno) from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise CorruptNotebook("not a valid notebook (invalid JSON: nesting too deep)") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells", []), list):
        raise CorruptNotebook("not a valid notebook (no list of cells)")
    # Any of these may have the wrong shape in a hand-edited or generated file: ignore it then.
    metadata = _mapping(document.get("metadata"))
    language = _mapping(metadata.get("kernelspec")).get("language") or _mapping(metadata.get("language_info")).get("name")
    if isinstance(language, str) and language.lower() not in ("python", "python3", "ipython", ""):
        return []  # an R or Scala notebook: nothing for a Python analyser
    cells = []
    for index, cell in enumerate(document.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        cells.append(Cell(index, tuple(python_lines(source))))
    return cells


# JSON tokens, for finding where each cell's source sits in the file: a string, a
# punctuation mark, or another value (a number, true/false/null).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def ipynb_source_lines(text: str) -> dict[int, list[int]]:
    """For each cell (by index among all cells), the 1-based line of the ``.ipynb`` file
    that holds each line of its source: what a SARIF region of a finding in a cell points
    at. A source given as a list of strings has one per file line (pretty-printed JSON);
    a single string holds every line on one. Best effort: a shape it does not expect gives
    an empty map, and findings then point at the notebook as a whole."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    lines: dict[int, list[int]] = {}
    # Where the scanner is: a stack of [kind, key or index] (_Frame); "cells" array elements
    # and their "source" values are recognised by the path.
    stack: list[_Frame] = []
    expect_key = False
    pieces: list[tuple[str, int]] = []  # the current source's strings and their file lines
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            if stack and stack[-1][0] == "array":
                stack[-1][1] = int(stack[-1][1]) + 1
            stack.append(["object", None] if token == "{" else ["array", -1])
            expect_key = token == "{"
            continue
        if token in "}]":
            if _at_source_array(stack):
                _record(lines, stack, pieces)
            stack.pop()
            expect_key = False
            continue
        if token == ":":
            continue
        if token == ",":
            expect_key = bool(stack) and stack[-1][0] == "object"
            continue
        if expect_key and token.startswith('"'):
            stack[-1][1] = json.loads(token)
            expect_key = False
            continue
        # a value
        line = bisect.bisect_right(newlines, match.start()) + 1
        if stack and stack[-1][0] == "array":
            stack[-1][1] = int(stack[-1][1]) + 1
        if token.startswith('"') and _at_source_array(stack):
            pieces.append((json.loads(token), line))
        elif token.startswith('"') and _at_source_string(stack):
            pieces.append((json.loads(token), line))
            _record(lines, stack, pieces)
    return lines


# A level of the scanner's stack: ["object", the current key (str, None before the first)]
# or ["array", the current element's index (int)]. Typed by its kind, which mypy cannot follow.
_Frame: TypeAlias = list[Any]


def _cell_of_path(stack: list[_Frame]) -> int | None:
    """The cell index when the stack is inside ``{"cells": [ {...`` (depth 3 and more)."""
    if len(stack) >= 3 and stack[0] == ["object", "cells"] and stack[1][0] == "array" and stack[2][0] == "object":
        return int(stack[1][1])
    return None


def _at_source_array(stack: list[_Frame]) -> bool:
    return len(stack) == 4 and _cell_of_path(stack) is not None and stack[2][1] == "source" and stack[3][0] == "array"


def _at_source_string(stack: list[_Frame]) -> bool:
    return len(stack) == 3 and _cell_of_path(stack) is not None and stack[2][1] == "source"


def _record(lines: dict[int, list[int]], stack: list[_Frame], pieces: list[tuple[str, int]]) -> None:
    """The file line of each line of the source made of ``pieces`` (as :func:`python_lines`
    splits it): the line of the JSON string its first character is in."""
    cell = _cell_of_path(stack)
    kept = [(piece, line) for piece, line in pieces if piece] or pieces[:1]
    pieces.clear()
    if cell is None or not kept:
        return
    offsets: list[int] = []
    total = 0
    for piece, _ in kept:
        offsets.append(total)
        total += len(piece)
    text = "".join(piece for piece, _ in kept)
    starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
    if len(starts) > 1 and starts[-1] == len(text):
        starts.pop()  # a final line break ends the last line; it starts none
    lines[cell] = [kept[max(0, bisect.bisect_right(offsets, start) - 1)][1] for start in starts]


class IpynbLines:
    """Where the lines of an ``.ipynb`` notebook's code cells sit in the file: what a SARIF
    region or a flow step into the notebook names. Found on first ask, since scanning the
    JSON for each cell's source costs about ten reads of it and only a finding asks;
    ``read`` gives the file's bytes then (and is dropped)."""

    def __init__(self, read: Callable[[], bytes], origins: list[tuple[int | None, int]]) -> None:
        self._read: Callable[[], bytes] | None = read
        self._origins = origins  # the virtual source's: line -> (cell index, line in cell)
        self._cells: dict[int, list[int]] = {}

    def of_cell(self, cell: int, line: int) -> int | None:
        """The file line of a cell's 1-based line; None when the file's layout is not known."""
        if self._read is not None:
            self._cells = ipynb_source_lines(self._read().decode("utf-8-sig", errors="replace"))
            self._read = None
        lines = self._cells.get(cell)
        return lines[line - 1] if lines and 1 <= line <= len(lines) else None

    def origin(self, line: int) -> tuple[int, int] | None:
        """(cell index, 1-based line in the cell) of a 1-based line of the concatenated cells."""
        if not 1 <= line <= len(self._origins):
            return None
        cell, in_cell = self._origins[line - 1]
        return None if cell is None else (cell, in_cell)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_databricks_source(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(DATABRICKS_HEADER)


def read_databricks(text: str) -> list[Cell]:
    """Cells of a Databricks source notebook; separator lines stay (as blank lines) in the
    following cell, so that concatenating the cells gives back the file line for line."""
    cells: list[Cell] = []
    current: list[str] = []
    for line in python_lines(text):
        if _DATABRICKS_CELL.match(line):
            cells.append(Cell(len(cells), tuple(current)))
            current = [""]
            continue
        current.append("" if line.lstrip("\ufeff").startswith(DATABRICKS_HEADER) else line)
    cells.append(Cell(len(cells), tuple(current)))
    return cells


def virtual_source(cells: list[Cell], file_lines: bool = False) -> VirtualSource:
    """Concatenate cells; with ``file_lines`` (Databricks .py) positions stay file lines."""
    text_lines: list[str] = []
    origins: list[tuple[int | None, int]] = []
    numbers: list[int] = []
    widths: dict[int, int] = {}
    for position, cell in enumerate(cells):
        lines = _neutralise(cell.lines)
        if not file_lines and _indented_throughout(lines):
            # IPython removes a cell's leading indentation before compiling it (its
            # leading_indent transform): an ``if True:`` the cell's first line owns keeps
            # the cell Python without moving a column.
            text_lines.append("if True:")
            origins.append((cell.index, 1))
            numbers.append(position)
        for number, line in enumerate(lines, start=1):
            text_lines.append(line)
            if len(line) > len(cell.lines[number - 1]):
                widths[len(text_lines)] = len(cell.lines[number - 1])
            origins.append((None, len(origins) + 1) if file_lines else (cell.index, number))
            numbers.append(position)
    source = VirtualSource("\n".join(text_lines) + "\n", origins, list(cells), widths)
    source.cell_numbers.extend(numbers)
    return source


def _indented_throughout(lines: list[str]) -> bool:
    """The cell's first line is indented, and every line that holds anything starts with
    that indentation (IPython strips it from each: the cell is then the same code)."""
    if not lines or not lines[0].strip() or lines[0][:1] not in (" ", "\t"):
        return False
    indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
    return all(line.startswith(indent) for line in lines if line.strip())


def _neutralise(lines: tuple[str, ...]) -> list[str]:
    """Magics become ``pass`` at the same indentation; non-Python cell magics blank the cell.

    A magic is only a magic where a statement starts: a line inside open brackets (``!=``
    or ``% 2`` continuing an expression) or after a backslash is Python. A magic whose line
    ends with a backslash goes on on the next line (``%pip install \\`` and a package
    list), which is blanked with it."""
    if lines and lines[0].startswith("%%") and lines[0].split()[0] not in _PYTHON_CELL_MAGICS:
        return [""] * len(lines)  # %%bash, %%sql, %%sh ...: not Python
    if lines and _is_cell_language(lines[0]):
        return [""] * len(lines)  # a Databricks cell in SQL, Scala, R, Markdown, shell
    out = []
    depth = 0  # brackets open before this line (a rough count: strings and comments skipped)
    continued = False  # the line before ended with a backslash
    magic_goes_on = False  # ... and it was a magic
    for index, line in enumerate(lines):
        if magic_goes_on:
            out.append("")
            magic_goes_on = line.rstrip().endswith("\\")
            continue
        at_statement_start = depth == 0 and not continued
        if index == 0 and line.startswith("%%"):
            out.append("")
            continue
        if line.lstrip().startswith("# MAGIC"):
            out.append(_included(line.lstrip()[len("# MAGIC") :]) or "")
            continue
        if at_statement_start and not line.lstrip().startswith("#") and _is_magic(line):
            indent = line[: len(line) - len(line.lstrip())]
            out.append((not indent and _included(line)) or _shell_escape(line) or f"{indent}pass")
            magic_goes_on = line.rstrip().endswith("\\")
            continue
        out.append(line)
        depth = max(0, depth + _bracket_balance(line))
        continued = line.rstrip().endswith("\\")
    if continued:
        # IPython compiles each cell on its own: a backslash ending the cell continues
        # nothing, where in the concatenated cells it would swallow the next cell's line.
        last = out[-1].rstrip()
        out[-1] = last[:-1]
    return out


# A Databricks notebook cell whose first line is a language magic is in that language
# (exported to .ipynb, it keeps the magic as its first line). %sql must stand alone: with
# a query after it, it is also ipython-sql's line magic, for that line only.
_CELL_LANGUAGE = re.compile(r"^(?:%sql|%(?:scala|r|md|md-sandbox|sh|fs)(?:\s.*)?)\s*$")


def _is_cell_language(line: str) -> bool:
    return _CELL_LANGUAGE.match(line) is not None


def _shell_escape(line: str) -> str | None:
    """``!mlflow ui --port 5000``: the call IPython makes of it, ``get_ipython().system(...)``,
    its ``{expr}`` parts interpolated as in an f-string (IPython expands them so; ``$name``
    stays the shell's), at the same indentation. Only a line that mentions mlflow, on one
    line; None for any other, or one whose braces are no Python (``awk '{print $1}'``)."""
    stripped = line.lstrip()
    if not stripped.startswith("!") or stripped.startswith("!!") or line.rstrip().endswith("\\") or "mlflow" not in stripped.lower():
        return None
    code = f"get_ipython().system(f{stripped[1:].strip()!r})"
    try:
        ast.parse(code, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return line[: len(line) - len(stripped)] + code


_RUN = re.compile(r"^\s*%run\s+(?:-\S+\s+)*[\"']?([^\s\"']+)")


def _included(line: str) -> str | None:
    """``%run ./includes/setup`` runs another notebook in this one's namespace: its names
    (a client, ``mlflow``, constants, helpers) are in scope here, as ``from .includes.setup
    import *`` makes them (the project's module resolution finds the file, an ``.ipynb``
    too). None when the path is not one a module name can spell (a workspace path, a name
    with a dash)."""
    module = included_module(line)
    return None if module is None else f"from {module} import *"


def included_module(line: str) -> str | None:
    """The relative module name (``.includes.setup``) of the notebook a ``%run`` line
    includes; None for any other line, or a path no module name can spell."""
    match = _RUN.match(line)
    if match is None:
        return None
    path = match.group(1)
    for suffix in (".py", ".ipynb"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    parts = path.split("/")
    if not parts or parts[0] == "":
        return None  # /Workspace/..., /Repos/...: outside the repository
    level = 1
    while parts and parts[0] in (".", ".."):
        level += parts.pop(0) == ".."
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return "." * level + ".".join(parts)


def _is_magic(line: str) -> bool:
    match = _LINE_MAGIC.match(line) or _AUTOMAGIC.match(line)
    if match is not None:
        return not line.lstrip().startswith("!=")  # a comparison, not a shell escape
    return re.match(r"^\s*[A-Za-z_][\w.]*\s*=\s*(%|!(?!=))", line) is not None  # files = !ls, x = %env


_STRING_OR_COMMENT = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|#.*")


def _bracket_balance(line: str) -> int:
    """Opening minus closing brackets of a line, outside its (one-line) strings and comment."""
    code = _STRING_OR_COMMENT.sub("", line)
    return sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")


def blank_cell(source: VirtualSource, position: int) -> VirtualSource:
    """The same source with one cell (by position in ``cells``) emptied after it failed to parse."""
    lines = source.text.split("\n")
    for number, cell_position in enumerate(source.cell_numbers):
        if cell_position == position:
            lines[number] = ""
    blanked = VirtualSource("\n".join(lines), source.origins, source.cells, source.widths)
    blanked.cell_numbers.extend(source.cell_numbers)
    return blanked


@dataclass
class ParsedCells:
    """What :func:`parse_cells` made of a notebook's code cells."""

    virtual: VirtualSource  # the cells that did not parse blanked
    tree: ast.Module | None  # None: nothing could be analysed
    errors: list[UnanalysableSource] = field(default_factory=list)  # in virtual lines, one per blanked cell


# The file name pieces are parsed under: on a syntax error CPython opens the named file to
# quote the line, a read of the whole notebook per error; this name opens nothing.
_NO_FILE = ""
# A cell whose first code line is indented, or is ``else:``/``except:``..., continues the
# statement of the cell before it, so it is parsed together with that cell.
_CONTINUES = re.compile(r"[ \t\f]|(?:else|elif|except|finally)\b")
_BLANK_OR_COMMENT = re.compile(r"[ \t\f]*(?:#.*)?")


def parse_cells(virtual: VirtualSource, filename: str) -> ParsedCells:
    """The notebook's cells as one module; each cell that does not parse is blanked and
    reported once (IPython compiles cell by cell, so a bad cell spoils only itself).

    The whole text is parsed first. When it fails, each run of cells (a cell that starts a
    statement and the cells that continue it) is parsed alone, blanking the cell its error
    is in, until it parses; the blanked whole is then parsed once more. Parsing the whole
    notebook again per bad cell cost N bad cells × the notebook (10k cells, 200 bad: a
    minute); this reads each run once per bad cell in it. A bad cell reported here is the
    cell the error is in, where CPython, reading the whole text on after a parser error,
    may report a later cell's unclosed string instead."""
    try:
        return ParsedCells(virtual, parse_python(virtual.text, filename))
    except UnanalysableSource:
        pass
    lines = virtual.text.split("\n")
    spans = _cell_spans(virtual)
    errors: list[UnanalysableSource] = []
    for run in _runs(spans, lines):
        errors.extend(_blank_bad_cells(lines, [spans[index] for index in run]))
    blanked = VirtualSource("\n".join(lines), virtual.origins, virtual.cells, virtual.widths)
    blanked.cell_numbers.extend(virtual.cell_numbers)
    try:
        return ParsedCells(blanked, parse_python(blanked.text, filename), errors)
    except UnanalysableSource:
        # Cells that parse alone but not together (a ``from __future__`` import after
        # code, an f-string left open across cells): blank the whole text's error cell by cell.
        return _blank_one_at_a_time(blanked, filename, errors)


def _cell_spans(virtual: VirtualSource) -> list[tuple[int, int, int]]:
    """(position in ``cells``, first line, end line), 0-based, of each cell with lines."""
    spans: list[tuple[int, int, int]] = []
    for number, position in enumerate(virtual.cell_numbers):
        if spans and spans[-1][0] == position:
            spans[-1] = (position, spans[-1][1], number + 1)
        else:
            spans.append((position, number, number + 1))
    return spans


def _runs(spans: list[tuple[int, int, int]], lines: list[str]) -> list[list[int]]:
    """Span indices grouped: a cell that starts a statement, and the cells continuing it."""
    runs: list[list[int]] = []
    for index, (_, start, end) in enumerate(spans):
        first = next((line for line in lines[start:end] if not _BLANK_OR_COMMENT.fullmatch(line)), None)
        if runs and (first is None or _CONTINUES.match(first)):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _blank_bad_cells(lines: list[str], run: list[tuple[int, int, int]]) -> list[UnanalysableSource]:
    """Parse the run's lines alone, blanking the cell of each error (in ``lines``), until
    they parse or no code is left; the errors, at their lines in the whole text."""
    errors: list[UnanalysableSource] = []
    start, stop = run[0][1], run[-1][2]
    while any(lines[start:stop]):
        text = "\n".join(lines[start:stop]) + "\n"
        try:
            parse_python(text, _NO_FILE)
            break
        except UnanalysableSource as error:
            if re.search(r"\bline \d", error.reason):  # "... on line 3": name the whole text's line
                error = _error_behind(start, text, error)
            line = min(max(error.line + start, start + 1), stop)
            span = _span_to_blank(lines, run, line)
            at = line if span[1] < line <= span[2] else span[1] + 1
            errors.append(UnanalysableSource(error.reason, at, error.column, error.newer_syntax))
            lines[span[1] : span[2]] = [""] * (span[2] - span[1])
    return errors


def _error_behind(start: int, text: str, error: UnanalysableSource) -> UnanalysableSource:
    """The error of ``text`` parsed behind ``start`` blank lines, so that a line its message
    names is a line of the whole text (error lines themselves stay the text's own)."""
    try:
        parse_python("\n" * start + text, _NO_FILE)
    except UnanalysableSource as behind:
        return UnanalysableSource(behind.reason, behind.line - start, behind.column, behind.newer_syntax)
    return error


def _span_to_blank(lines: list[str], run: list[tuple[int, int, int]], line: int) -> tuple[int, int, int]:
    """The cell holding the 1-based ``line``; if it holds no code (an error reported past
    a cell's end), the nearest cell before it that does, else after it."""
    holding = next((index for index, span in enumerate(run) if span[1] < line <= span[2]), len(run) - 1)
    nearest_first: tuple[int, ...] = (*range(holding, -1, -1), *range(holding + 1, len(run)))
    for index in nearest_first:
        _, start, end = run[index]
        if any(lines[start:end]):
            return run[index]
    return run[holding]


def _blank_one_at_a_time(virtual: VirtualSource, filename: str, errors: list[UnanalysableSource]) -> ParsedCells:
    """Parse the whole text, blanking the cell of its error, until it parses (at most once
    per cell, plus one); an error on no cell's line leaves no tree."""
    for _ in range(len(virtual.cells) + 1):
        try:
            return ParsedCells(virtual, parse_python(virtual.text, filename), errors)
        except UnanalysableSource as error:
            errors.append(error)
            position = virtual.cell_of(error.line)
            if position is None:
                break
            blanked = blank_cell(virtual, position)
            if blanked.text == virtual.text:  # nothing left to blank: the same error again
                break
            virtual = blanked
    return ParsedCells(virtual, None, errors)
